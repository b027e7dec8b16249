/**
 * The connect step with `transport: ssm` against a scripted SSM service:
 * waits for the agent, stores an SSM shell that host steps find like an SSH
 * one, and says what to check when the agent never registers.
 */
import assert from "node:assert/strict";
import connect from "../../steps/connect.ts";
import { StepError } from "../../runner/errors.ts";
import { shellFor } from "../../plugins/ssh/shell-registry.ts";
import { makeTarget, makeTestContext } from "../helpers/context.ts";
import { FakeSsm } from "./fake-ssm.ts";

Deno.env.set("AWS_EC2_METADATA_DISABLED", "true");
Deno.env.set("AWS_ACCESS_KEY_ID", "AKIDTEST");
Deno.env.set("AWS_SECRET_ACCESS_KEY", "secret-test");

function ctxFor(facts: Record<string, unknown> = {}) {
  const target = makeTarget({
    id: "c7i.large-1",
    label: "c7i.large 1 of 1",
    instanceId: "i-0aaaaaaaaaaaaaaa1",
    region: "us-east-1",
    facts,
  });
  return makeTestContext({ target, step: { id: "connect", type: "connect" } });
}

Deno.test("connect over ssm needs no key: it waits for the agent and host steps run through SSM", async () => {
  const fake = new FakeSsm(() => ({ stdout: "x86_64\n" }));
  fake.pings = ["absent", "absent", "Online"];
  const ctx = ctxFor();
  try {
    const out = connect.output.parse(
      await connect.run(
        ctx,
        connect.input.parse({ transport: "ssm", private_key: "" }),
        new AbortController().signal,
      ),
    );
    assert.equal(out.transport, "ssm");
    assert.equal(out.instance_id, "i-0aaaaaaaaaaaaaaa1");
    assert.equal(out.agent_version, "3.3.1000.0");
    assert.equal(out.address, undefined);
    const shell = await shellFor({ ...ctx, step: { id: "detect-arch", type: "detect-arch" } });
    assert.equal((await shell.run("uname -m")).stdout, "x86_64\n");
    assert.equal(fake.invocations[0].instanceId, "i-0aaaaaaaaaaaaaaa1");
  } finally {
    fake.restore();
  }
});

Deno.test("connect over ssm: an agent that never registers fails (config, not retried) with what to check, naming the profile", async () => {
  const fake = new FakeSsm(() => ({}));
  fake.pings = ["absent"];
  const ctx = ctxFor({ instanceProfile: "ptp-runner-ssm" });
  try {
    await assert.rejects(
      connect.run(
        ctx,
        connect.input.parse({ transport: "ssm", wait_timeout: "2m" }),
        new AbortController().signal,
      ),
      (error: unknown) =>
        error instanceof StepError && error.kind === "config" &&
        /did not register within 120s/.test(error.message) &&
        /ptp-runner-ssm grants AmazonSSMManagedInstanceCore/.test(error.message),
    );
    assert.equal(ctx.target.diagnostics[0]?.layer, "ssm");
  } finally {
    fake.restore();
  }
});

Deno.test("connect input: private_key is required with transport ssh, not with ssm", () => {
  const ssh = connect.input.safeParse({ private_key: "" });
  assert.ok(!ssh.success);
  assert.match(JSON.stringify(ssh.error.issues), /is empty: give the path of the private key file/);
  assert.ok(connect.input.safeParse({ transport: "ssm" }).success);
});
