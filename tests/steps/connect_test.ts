/**
 * The connect step against an in-process ssh2 server, and connect +
 * detect-arch + ena-check against a simulated AL2023 host (sim/host) over
 * real SSH, with the host key verified from the simulated console output.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { mockClient } from "aws-sdk-client-mock";
import { EC2Client, GetConsoleOutputCommand } from "@aws-sdk/client-ec2";
import connect from "../../steps/connect.ts";
import detectArch from "../../steps/detect-arch.ts";
import enaCheck from "../../steps/ena-check.ts";
import { StepError } from "../../runner/errors.ts";
import type { TargetStepPlugin } from "../../runner/types.ts";
import { shellServiceKey } from "../../plugins/ssh/shell-registry.ts";
import { SimClock } from "../../sim/clock.ts";
import { createHostFleet } from "../../sim/host/mod.ts";
import { type InstanceProfile, InstanceProfileSchema } from "../../sim/profile.ts";
import { makeTarget, makeTestContext, type TargetTestContext } from "../helpers/context.ts";
import { closeServices, contextFor, writeKeyFile } from "../ssh/helpers.ts";
import { ed25519Key, freePort, startTestServer } from "../ssh/test-server.ts";

Deno.env.set("AWS_EC2_METADATA_DISABLED", "true");
Deno.env.set("AWS_ACCESS_KEY_ID", "AKIDTEST");
Deno.env.set("AWS_SECRET_ACCESS_KEY", "secret-test");

// deno-lint-ignore no-explicit-any
async function runStep(plugin: TargetStepPlugin<any, any>, ctx: TargetTestContext, input = {}) {
  const parsed = plugin.input.parse(input);
  return plugin.output.parse(await plugin.run(ctx, parsed, AbortSignal.timeout(60_000)));
}

Deno.test({
  name: "connect returns address, user, port and the TOFU host key fingerprint",
  sanitizeResources: true,
  async fn() {
    const key = ed25519Key();
    const server = await startTestServer({ authorizedKey: key.public });
    const ctx = contextFor(server);
    try {
      const out = await runStep(connect, ctx, {
        private_key: writeKeyFile(key),
        host_key_policy: "tofu",
      });
      assert.equal(out.changed, false);
      assert.equal(out.address, "127.0.0.1");
      assert.equal(out.user, "ec2-user");
      assert.equal(out.port, server.port);
      assert.equal(out.host_key_source, "tofu");
      assert.match(out.host_key_fingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
      assert.ok(ctx.serviceMap.has(shellServiceKey("t1")));
    } finally {
      await closeServices(ctx);
      await server.close();
    }
  },
});

Deno.test("connect refuses a missing key file in its input, before anything runs", () => {
  const result = connect.input.safeParse({ private_key: "/nonexistent/key.pem" });
  assert.equal(result.success, false);
  assert.match(result.error!.issues[0].message, /no such file: \/nonexistent\/key.pem/);
});

Deno.test("connect with a key file gone after validation records an ssh diagnosis and fails with config", async () => {
  const ctx = contextFor({ host: "127.0.0.1", port: 1 });
  const input = connect.input.parse({ private_key: writeKeyFile(ed25519Key()) });
  await Deno.remove(input.private_key!);
  await assert.rejects(
    connect.run(ctx, input, new AbortController().signal),
    (error: unknown) => {
      assert.ok(error instanceof StepError);
      assert.equal(error.kind, "config");
      assert.match(error.message, /does not exist/);
      return true;
    },
  );
  assert.equal(ctx.target!.diagnostics[0].layer, "ssh");
  assert.match(ctx.target!.diagnostics[0].summary, /does not exist/);
});

Deno.test("connect rejects invalid inputs by name", () => {
  const k = writeKeyFile(ed25519Key());
  assert.equal(connect.input.safeParse({}).success, false);
  assert.equal(connect.input.safeParse({ private_key: k, wait_timeout: "soon" }).success, false);
  assert.equal(
    connect.input.safeParse({ private_key: k, host_key_policy: "yes" }).success,
    false,
  );
  assert.equal(connect.input.safeParse({ private_key: k, extra: 1 }).success, false);
  const parsed = connect.input.parse({ private_key: k, wait_timeout: "2m" });
  assert.equal(parsed.wait_timeout, 120);
  // No default in the schema: the login user of the target's image applies (loginUserChoice).
  assert.equal(parsed.user, undefined);
  assert.equal(connect.input.parse({ private_key: k, user: "" }).user, undefined);
  assert.equal(connect.input.safeParse({ private_key: k, user: "bad user" }).success, false);
  // No default in the schema: it depends on the target (see defaultHostKeyPolicy).
  assert.equal(parsed.host_key_policy, undefined);
  assert.equal(parsed.known_hosts_file, "~/.ssh/known_hosts");
});

Deno.test("connect without a target address fails with a config error", async () => {
  const ctx = makeTestContext({ target: makeTarget({ id: "x", label: "x" }) });
  await assert.rejects(
    runStep(connect, ctx, { private_key: writeKeyFile(ed25519Key()) }),
    (error: unknown) => error instanceof StepError && /has no address/.test(error.message),
  );
});

/** Boots one simulated host and returns a context pointing at it. */
async function simulatedHost(profile: Partial<InstanceProfile>, address: string) {
  const key = ed25519Key();
  const sshPort = await freePort();
  const clock = new SimClock({ speed: 200 });
  const fleet = createHostFleet({ sshPort, clock });
  const instanceId = "i-0abc12345678def90";
  const host = fleet.launch({
    instanceId,
    instanceType: profile.architecture === "arm64" ? "c7g.large" : "c7i.large",
    address,
    profile: InstanceProfileSchema.parse({
      architecture: "x86_64",
      phc_support: "supported",
      boot_seconds: 2,
      ssh_delay_seconds: 2,
      ...profile,
    }),
    authorizedKey: key.public,
  });
  const target = makeTarget({
    id: "c7x.large-1",
    label: "c7x.large 1 of 1",
    address,
    instanceId,
    region: "us-east-1",
    expectedArchitecture: profile.architecture ?? "x86_64",
    launchedByRun: true,
  });
  const ctx = makeTestContext({
    step: { id: "connect", type: "connect" },
    target,
    settings: { sshPort },
  });
  ctx.sleep = (seconds, signal) => clock.sleep(seconds, signal);
  const ec2 = mockClient(EC2Client);
  ec2.on(GetConsoleOutputCommand).callsFake(() => ({
    InstanceId: instanceId,
    Output: Buffer.from(host.consoleOutput(), "utf8").toString("base64"),
  }));
  const keyPath = writeKeyFile(key);
  const stop = async () => {
    await closeServices(ctx);
    await fleet.stopAll();
    clock.dispose();
    ec2.restore();
  };
  return { ctx, target, keyPath, stop, ec2 };
}

Deno.test({
  name: "connect, detect-arch and ena-check read a simulated AL2023 host over SSH",
  async fn() {
    const sim = await simulatedHost({}, "127.0.0.71");
    try {
      const connected = await runStep(connect, sim.ctx, { private_key: sim.keyPath });
      assert.equal(connected.host_key_source, "console");
      assert.ok(sim.ec2.commandCalls(GetConsoleOutputCommand).length >= 1);
      const arch = await runStep(detectArch, sim.ctx);
      assert.deepEqual(arch, {
        changed: false,
        machine: "x86_64",
        expected: "x86_64",
        mismatch: false,
      });
      const ena = await runStep(enaCheck, sim.ctx);
      assert.equal(ena.needs_build, false, ena.reason);
      assert.equal(ena.version, "2.16.1g");
      assert.equal(ena.has_phc_parameter, true);
      assert.equal(ena.phc_enable, 0);
      assert.equal(ena.interface, "ens5");
      assert.equal(ena.pci_slot, "0000:00:05.0");
      assert.equal(ena.ptp_clock_config, "y");
      assert.equal(sim.target.facts.ena?.kernel, "6.1.158-180.294.amzn2023.x86_64");
      const commands = sim.ctx.events.filter((e) => e.type === "command");
      assert.equal(commands.length, 3, "uname -m + two ena-check round trips");
    } finally {
      await sim.stop();
    }
  },
});

Deno.test({
  name: "ena-check on a simulated arm64 host whose driver lacks phc_enable needs a build",
  async fn() {
    const sim = await simulatedHost({
      architecture: "arm64",
      kernel: "6.1.27-43.48.amzn2023.aarch64",
      ena: { version: "2.8.3g", phc_parameter: false, pci_slot: "05" },
    }, "127.0.0.72");
    try {
      await runStep(connect, sim.ctx, { private_key: sim.keyPath });
      const arch = await runStep(detectArch, sim.ctx);
      assert.equal(arch.machine, "aarch64");
      assert.equal(arch.mismatch, false);
      const ena = await runStep(enaCheck, sim.ctx);
      assert.equal(ena.needs_build, true);
      assert.equal(ena.version, "2.8.3g");
      assert.equal(ena.phc_enable, null);
    } finally {
      await sim.stop();
    }
  },
});

Deno.test({
  name: "connect logs in as the login user of the target's image, unless a user is given",
  async fn() {
    const ubuntu = { user: "ubuntu", family: "Ubuntu", known: true };
    // No user input: the image's user (the Ubuntu host lets in only ubuntu).
    let sim = await simulatedHost({ distribution: "ubuntu-24.04" }, "127.0.0.73");
    try {
      sim.target.facts.loginUser = ubuntu;
      const connected = await runStep(connect, sim.ctx, { private_key: sim.keyPath });
      assert.equal(connected.user, "ubuntu");
    } finally {
      await sim.stop();
    }
    // An explicit user wins over the image's (here a wrong guess for an unknown image).
    sim = await simulatedHost({ distribution: "ubuntu-24.04" }, "127.0.0.74");
    try {
      sim.target.facts.loginUser = { user: "ec2-user", family: "unknown image", known: false };
      const connected = await runStep(connect, sim.ctx, {
        private_key: sim.keyPath,
        user: "ubuntu",
      });
      assert.equal(connected.user, "ubuntu");
    } finally {
      await sim.stop();
    }
    // A host given as user@host keeps its user, whatever the input says.
    sim = await simulatedHost({ distribution: "ubuntu-24.04" }, "127.0.0.75");
    try {
      sim.target.user = "ubuntu";
      const connected = await runStep(connect, sim.ctx, {
        private_key: sim.keyPath,
        user: "admin",
      });
      assert.equal(connected.user, "ubuntu");
    } finally {
      await sim.stop();
    }
  },
});

Deno.test({
  name: "connect with a user the host refuses fails with auth, naming the user tried and the fix",
  async fn() {
    const sim = await simulatedHost({ distribution: "ubuntu-24.04" }, "127.0.0.76");
    try {
      sim.target.facts.loginUser = { user: "ubuntu", family: "Ubuntu", known: true };
      await assert.rejects(
        runStep(connect, sim.ctx, { private_key: sim.keyPath, user: "ec2-user" }),
        (error: unknown) =>
          error instanceof StepError && error.kind === "auth" &&
          /User tried: ec2-user \(the connect step's user input\)/.test(error.message) &&
          /--set user=NAME/.test(error.message),
      );
      assert.match(sim.target.diagnostics[0]?.summary ?? "", /User tried: ec2-user/);
    } finally {
      await sim.stop();
    }
    // An image nothing identifies: the default is tried, and said to be one.
    const unknown = await simulatedHost({ distribution: "debian-12" }, "127.0.0.77");
    try {
      unknown.target.facts.loginUser = { user: "ec2-user", family: "unknown image", known: false };
      await assert.rejects(
        runStep(connect, unknown.ctx, { private_key: unknown.keyPath }),
        (error: unknown) =>
          error instanceof StepError &&
          /User tried: ec2-user \(the default for an image whose login user is not known\)/.test(
            error.message,
          ) && /--set user=NAME/.test(error.message),
      );
    } finally {
      await unknown.stop();
    }
  },
});
