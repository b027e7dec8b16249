/**
 * runInvocation (plugins/ssm/invocation.ts): the SendCommand request and the
 * GetCommandInvocation poll schedule (growing, bounded interval), counted in
 * simulated seconds on a fake sleeper.
 */
import assert from "node:assert/strict";
import {
  DEFAULT_POLL,
  DELIVERY_TIMEOUT_SECONDS,
  runInvocation,
} from "../../plugins/ssm/invocation.ts";
import { RegionRateLimiter } from "../../plugins/ssm/rate-limiter.ts";
import { FakeSsm } from "./fake-ssm.ts";

Deno.env.set("AWS_EC2_METADATA_DISABLED", "true");
Deno.env.set("AWS_ACCESS_KEY_ID", "AKIDTEST");
Deno.env.set("AWS_SECRET_ACCESS_KEY", "secret-test");

const log = { debug: () => {}, warn: () => {} };

Deno.test("GetCommandInvocation is polled at 0.5, 1, 2, 4 s, then every 5 s: polls grow with the command's duration, bounded", async () => {
  const fake = new FakeSsm(() => ({ pollsBeforeDone: 20 }));
  const sleeps: number[] = [];
  try {
    const limiter = new RegionRateLimiter("us-east-1", 10, {
      now: () => 0,
      sleep: () => Promise.resolve(),
    });
    const out = await runInvocation(
      { client: fake.client, limiter, log },
      { sleep: (s) => (sleeps.push(s), Promise.resolve()) },
      { instanceId: "i-1", commands: ["true"] },
      undefined,
    );
    assert.equal(out.status, "Success");
    assert.equal(out.polls, 21);
    assert.deepEqual(sleeps.slice(0, 6), [0.5, 1, 2, 4, 5, 5]);
    assert.ok(sleeps.every((s) => s <= DEFAULT_POLL.maxSeconds));
    assert.equal(fake.invocations[0].timeoutSeconds, DELIVERY_TIMEOUT_SECONDS);
  } finally {
    fake.restore();
  }
});

Deno.test("concurrent commands each poll on their own schedule: GetCommandInvocation calls are commands x polls, no more", async () => {
  const fake = new FakeSsm(() => ({ pollsBeforeDone: 4 }));
  try {
    const limiter = new RegionRateLimiter("us-east-1", 10, {
      now: () => 0,
      sleep: () => Promise.resolve(),
    });
    await Promise.all(Array.from({ length: 25 }, (_, i) =>
      runInvocation(
        { client: fake.client, limiter, log },
        { sleep: () => Promise.resolve() },
        { instanceId: `i-${i}`, commands: ["true"] },
        undefined,
      )));
    assert.equal(fake.calls.SendCommand, 25);
    assert.equal(fake.calls.GetCommandInvocation, 25 * 5);
    assert.equal(limiter.granted, 25 * 6, "every call went through the region's limiter");
  } finally {
    fake.restore();
  }
});
