/**
 * SsmRemoteShell (plugins/ssm/remote-shell.ts) against a scripted SSM
 * service (fake-ssm.ts): results per command, truncation, cancel on abort,
 * expected disconnects, reconnect after an agent outage, throttling.
 */
import assert from "node:assert/strict";
import { StepError } from "../../runner/errors.ts";
import { RegionRateLimiter } from "../../plugins/ssm/rate-limiter.ts";
import { SsmRemoteShell } from "../../plugins/ssm/remote-shell.ts";
import { SSM_STDERR_LIMIT, SSM_STDOUT_LIMIT } from "../../plugins/ssm/script.ts";
import { makeTarget, makeTestContext, type TargetTestContext } from "../helpers/context.ts";
import { type FakeResult, FakeSsm } from "./fake-ssm.ts";

Deno.env.set("AWS_EC2_METADATA_DISABLED", "true");
Deno.env.set("AWS_ACCESS_KEY_ID", "AKIDTEST");
Deno.env.set("AWS_SECRET_ACCESS_KEY", "secret-test");

const INSTANCE = "i-0123456789abcdef0";

function setup(answer: (script: string) => FakeResult) {
  const fake = new FakeSsm(answer);
  const target = makeTarget({ id: "t1", label: "t1", instanceId: INSTANCE, region: "us-east-1" });
  const ctx: TargetTestContext = makeTestContext({
    target,
    step: { id: "probe", type: "probe" },
  });
  const limiter = new RegionRateLimiter("us-east-1", 10, {
    now: () => 0,
    sleep: () => Promise.resolve(),
  });
  const shell = new SsmRemoteShell(ctx, {
    targetId: "t1",
    instanceId: INSTANCE,
    limiter,
    clientFor: () => Promise.resolve(fake.client),
    agentWaitSeconds: 60,
  });
  return { fake, ctx, shell, limiter };
}

function logs(ctx: TargetTestContext, level: string): string[] {
  return ctx.events.flatMap((e) => e.type === "log" && e.level === level ? [e.message] : []);
}

Deno.test("an SSM command returns its exit status, stdout and stderr and emits a command event", async () => {
  const { fake, ctx, shell } = setup((script) =>
    script.includes("ethtool -T eth0")
      ? {
        exitCode: 3,
        stdout: "PTP Hardware Clock: none\n",
        stderr: "warning\n",
        pollsBeforeDone: 2,
      }
      : { exitCode: 0 }
  );
  try {
    const result = await shell.run("ethtool -T eth0", { sudo: true });
    assert.equal(result.exitCode, 3);
    assert.equal(result.stdout, "PTP Hardware Clock: none\n");
    assert.equal(result.stderr, "warning\n");
    assert.equal(result.command, "ethtool -T eth0", "named as given: no sudo under SSM");
    assert.equal(result.truncated, undefined);
    const [inv] = fake.invocations;
    assert.equal(inv.documentName, "AWS-RunShellScript");
    assert.equal(inv.instanceId, INSTANCE);
    assert.doesNotMatch(inv.script, /sudo/, "runs as root without sudo");
    assert.match(inv.script, /\nethtool -T eth0$/);
    assert.equal(inv.polls, 3, "polled until final");
    const event = ctx.events.find((e) => e.type === "command");
    assert.deepEqual(
      event && { ...event, durationMs: 0 },
      {
        type: "command",
        targetId: "t1",
        stepId: "probe",
        command: "ethtool -T eth0",
        exitCode: 3,
        durationMs: 0,
      },
    );
  } finally {
    fake.restore();
  }
});

Deno.test("check: a non-zero exit over SSM throws a command error quoting stderr", async () => {
  const { fake, shell } = setup(() => ({
    exitCode: 1,
    stderr: "modprobe: FATAL: Module ena not found\n",
  }));
  try {
    await assert.rejects(
      shell.run("modprobe ena", { check: true }),
      (error: unknown) =>
        error instanceof StepError && error.kind === "command" &&
        /status 1 .*Module ena not found/.test(error.message),
    );
  } finally {
    fake.restore();
  }
});

Deno.test("stdout beyond GetCommandInvocation's 24,000 characters is an error that says it was truncated", async () => {
  const { fake, shell } = setup(() => ({ stdout: "x".repeat(SSM_STDOUT_LIMIT) }));
  try {
    await assert.rejects(
      shell.run("journalctl -k"),
      (error: unknown) =>
        error instanceof StepError && error.kind === "command" &&
        /more than the 24,000 characters of stdout .*truncated/.test(error.message),
    );
  } finally {
    fake.restore();
  }
});

Deno.test("stdout ending with the agent's truncation mark is reported as truncated", async () => {
  const { fake, shell } = setup(() => ({ stdout: "line\n---Output truncated---" }));
  try {
    await assert.rejects(shell.run("dmesg"), /truncated/);
  } finally {
    fake.restore();
  }
});

Deno.test("stderr beyond 8,000 characters is marked on the result and logged, stdout kept", async () => {
  const { fake, ctx, shell } = setup(() => ({
    exitCode: 2,
    stdout: "make: *** [all] Error 2\n",
    stderr: "w".repeat(SSM_STDERR_LIMIT),
  }));
  try {
    const result = await shell.run("make");
    assert.deepEqual(result.truncated, { stdout: false, stderr: true });
    assert.equal(result.exitCode, 2);
    assert.ok(logs(ctx, "warn").some((m) => /stderr of `make` .*truncated .*8,000/.test(m)));
  } finally {
    fake.restore();
  }
});

Deno.test("an abort mid-command cancels it on the host, waits for Cancelled, then rejects with the reason", async () => {
  const controller = new AbortController();
  const { fake, ctx, shell } = setup(() => ({
    pollsBeforeDone: 1_000,
    onPoll: (n) => {
      if (n === 3) controller.abort(new StepError("cancelled", "interrupted"));
    },
  }));
  try {
    await assert.rejects(
      shell.run("sleep 600", { signal: controller.signal }),
      (error: unknown) => error instanceof StepError && error.message === "interrupted",
    );
    assert.equal(fake.calls.CancelCommand, 1);
    const [inv] = fake.invocations;
    assert.ok(inv.cancelled);
    assert.ok(inv.polls > 3, "polled after the cancel until the final state");
    await shell.close();
    const event = ctx.events.find((e) => e.type === "command");
    assert.equal(event?.type === "command" ? event.exitCode : "none", null);
  } finally {
    fake.restore();
  }
});

Deno.test("an undelivered command is a connection error, or exit null with expectDisconnect", async () => {
  const { fake, shell } = setup(() => ({
    status: "Failed",
    statusDetails: "Undeliverable",
    exitCode: -1,
  }));
  try {
    await assert.rejects(
      shell.run("true"),
      (error: unknown) => error instanceof StepError && error.kind === "connection",
    );
    const result = await shell.run("hwstamp_ctl -i eth0 -r 1", { expectDisconnect: true });
    assert.equal(result.exitCode, null);
  } finally {
    fake.restore();
  }
});

Deno.test("reconnect waits for the agent to be Online again after a reload", async () => {
  const { fake, ctx, shell } = setup(() => ({}));
  fake.pings = ["ConnectionLost", "ConnectionLost", "ConnectionLost", "Online"];
  try {
    await shell.reconnect();
    assert.equal(fake.calls.DescribeInstanceInformation, 4);
    assert.ok(
      logs(ctx, "info").some((m) =>
        /agent of i-0123456789abcdef0 is online again after \d+s \(was ConnectionLost\)/.test(m)
      ),
    );
  } finally {
    fake.restore();
  }
});

Deno.test("reconnect gives up after the bound with a connection error naming the ping status", async () => {
  const { fake, shell } = setup(() => ({}));
  fake.pings = ["ConnectionLost"];
  try {
    await assert.rejects(
      shell.reconnect(),
      (error: unknown) =>
        error instanceof StepError && error.kind === "connection" &&
        /ConnectionLost again after 60s/.test(error.message),
    );
    // Bounded: 2 s doubling to 15 s over 60 s is a handful of polls, not one per second.
    assert.ok(
      fake.calls.DescribeInstanceInformation <= 8,
      `${fake.calls.DescribeInstanceInformation}`,
    );
  } finally {
    fake.restore();
  }
});

Deno.test("ThrottlingException is absorbed: the region pauses and the call is retried", async () => {
  const { fake, shell, limiter } = setup(() => ({ stdout: "ok\n" }));
  fake.throttles = { SendCommand: 2, GetCommandInvocation: 3 };
  try {
    const result = await shell.run("cat /sys/class/ptp/ptp0/clock_name");
    assert.equal(result.stdout, "ok\n");
    assert.equal(limiter.throttles, 5);
    assert.equal(fake.invocations.length, 1, "a throttled SendCommand ran the command once");
  } finally {
    fake.restore();
  }
});

Deno.test("an invocation not yet known right after SendCommand is polled again", async () => {
  const { fake, shell } = setup(() => ({ missingPolls: 2, stdout: "x86_64\n" }));
  try {
    assert.equal((await shell.run("uname -m")).stdout, "x86_64\n");
  } finally {
    fake.restore();
  }
});
