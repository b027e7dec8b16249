import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { mockClient } from "aws-sdk-client-mock";
import { EC2Client, GetConsoleOutputCommand } from "@aws-sdk/client-ec2";
import { StepError } from "../../runner/errors.ts";
import { fingerprintOf } from "../../plugins/ssh/host-key.ts";
import { closeServices, consoleWith, contextFor, fastOpen, writeKeyFile } from "./helpers.ts";
import { ed25519Key, startTestServer, type TestServer } from "./test-server.ts";

Deno.env.set("AWS_EC2_METADATA_DISABLED", "true");
Deno.env.set("AWS_ACCESS_KEY_ID", "AKIDTEST");
Deno.env.set("AWS_SECRET_ACCESS_KEY", "secret-test");

function fingerprintLine(server: TestServer): string {
  const blob = Buffer.from(server.hostKey.public.split(" ")[1], "base64");
  return `256 ${fingerprintOf(blob)} no comment (ED25519)`;
}

function base64(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}

const instance = { instanceId: "i-0123456789abcdef0", region: "us-east-1" };

Deno.test({
  name: "the host key is verified against the console fingerprints, polling until they appear",
  sanitizeResources: true,
  async fn() {
    const ec2 = mockClient(EC2Client);
    const key = ed25519Key();
    const server = await startTestServer({ authorizedKey: key.public });
    ec2.on(GetConsoleOutputCommand)
      .resolvesOnce({ InstanceId: instance.instanceId }) // not booted: no output yet
      .resolvesOnce({ Output: base64("[    1.0] booting\n") })
      .resolves({ Output: base64(consoleWith([fingerprintLine(server)])) });
    const ctx = contextFor(server, instance);
    try {
      const opened = await fastOpen(ctx, writeKeyFile(key), { hostKeyPolicy: "console" });
      assert.equal(opened.hostKey.source, "console");
      const calls = ec2.commandCalls(GetConsoleOutputCommand);
      assert.equal(calls.length, 3);
      assert.equal(calls[0].args[0].input.InstanceId, instance.instanceId);
    } finally {
      await closeServices(ctx);
      await server.close();
      ec2.restore();
    }
  },
});

Deno.test({
  name: "a host key missing from the console fingerprints is refused as a config error",
  sanitizeResources: true,
  async fn() {
    const ec2 = mockClient(EC2Client);
    const key = ed25519Key();
    const server = await startTestServer({ authorizedKey: key.public });
    ec2.on(GetConsoleOutputCommand).resolves({
      Output: base64(consoleWith(["256 SHA256:someOtherHostKeyFingerprint no comment (ED25519)"])),
    });
    const ctx = contextFor(server, instance);
    try {
      await assert.rejects(
        fastOpen(ctx, writeKeyFile(key), { hostKeyPolicy: "console" }),
        (error: unknown) => {
          assert.ok(error instanceof StepError);
          assert.equal(error.kind, "config");
          assert.match(error.message, /not among the fingerprints/);
          return true;
        },
      );
      assert.equal(server.commands.length, 0);
    } finally {
      await server.close();
      ec2.restore();
    }
  },
});

Deno.test({
  name: "without fingerprints on the console the host key falls back to trust on first use",
  sanitizeResources: true,
  async fn() {
    const ec2 = mockClient(EC2Client);
    const key = ed25519Key();
    const server = await startTestServer({ authorizedKey: key.public });
    ec2.on(GetConsoleOutputCommand).resolves({ Output: base64("no markers here\n") });
    const ctx = contextFor(server, instance);
    try {
      const opened = await fastOpen(ctx, writeKeyFile(key), {
        hostKeyPolicy: "console",
        consolePolling: { attempts: 2, delaySeconds: 1 },
      });
      assert.equal(opened.hostKey.source, "tofu");
      assert.equal(ec2.commandCalls(GetConsoleOutputCommand).length, 2);
      assert.ok(ctx.events.some((e) => e.type === "log" && e.level === "warn"));
    } finally {
      await closeServices(ctx);
      await server.close();
      ec2.restore();
    }
  },
});

Deno.test({
  name: "an EC2 API error reading the console falls back to trust on first use",
  sanitizeResources: true,
  async fn() {
    const ec2 = mockClient(EC2Client);
    const key = ed25519Key();
    const server = await startTestServer({ authorizedKey: key.public });
    ec2.on(GetConsoleOutputCommand).rejects(
      Object.assign(new Error("not authorized"), { name: "UnauthorizedOperation" }),
    );
    const ctx = contextFor(server, instance);
    try {
      const opened = await fastOpen(ctx, writeKeyFile(key), { hostKeyPolicy: "console" });
      assert.equal(opened.hostKey.source, "tofu");
      assert.ok(
        ctx.events.some((e) => e.type === "log" && /UnauthorizedOperation/.test(e.message)),
      );
    } finally {
      await closeServices(ctx);
      await server.close();
      ec2.restore();
    }
  },
});

Deno.test({
  name: "host_key_policy tofu never reads the console",
  sanitizeResources: true,
  async fn() {
    const ec2 = mockClient(EC2Client);
    const key = ed25519Key();
    const server = await startTestServer({ authorizedKey: key.public });
    const ctx = contextFor(server, instance);
    try {
      const opened = await fastOpen(ctx, writeKeyFile(key), { hostKeyPolicy: "tofu" });
      assert.equal(opened.hostKey.source, "tofu");
      assert.equal(ec2.commandCalls(GetConsoleOutputCommand).length, 0);
    } finally {
      await closeServices(ctx);
      await server.close();
      ec2.restore();
    }
  },
});

Deno.test({
  name: "a slow console is waited for before the handshake, so the handshake never times out on it",
  sanitizeResources: true,
  async fn() {
    const ec2 = mockClient(EC2Client);
    const key = ed25519Key();
    const server = await startTestServer({ authorizedKey: key.public });
    let reads = 0;
    ec2.on(GetConsoleOutputCommand).callsFake(async () => {
      reads++;
      // Each read takes longer than the whole handshake timeout below.
      await new Promise((resolve) => setTimeout(resolve, 400));
      return reads < 3
        ? { InstanceId: instance.instanceId }
        : { Output: base64(consoleWith([fingerprintLine(server)])) };
    });
    const ctx = contextFor(server, instance);
    try {
      const opened = await fastOpen(ctx, writeKeyFile(key), {
        hostKeyPolicy: "console",
        readyTimeoutMs: 300,
        waitTimeoutSeconds: 0.5,
      });
      assert.equal(opened.hostKey.source, "console");
      assert.equal(reads, 3);
      const said = ctx.events.filter((e) =>
        e.type === "log" && /checked against the fingerprints on its console/.test(e.message)
      );
      assert.equal(said.length, 1, "the policy applied is said once");
    } finally {
      await closeServices(ctx);
      await server.close();
      ec2.restore();
    }
  },
});
