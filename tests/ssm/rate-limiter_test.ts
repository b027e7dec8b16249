/**
 * RegionRateLimiter (plugins/ssm/rate-limiter.ts) on a fake clock: requests
 * are spaced 1/rate apart in call order, a throttle pauses everyone, and one
 * limiter per region is shared through the service registry.
 */
import assert from "node:assert/strict";
import { regionLimiter, RegionRateLimiter } from "../../plugins/ssm/rate-limiter.ts";
import { makeTestContext } from "../helpers/context.ts";

/** A fake clock whose sleep advances time (and records when each sleeper woke). */
function fakeClock() {
  let now = 0;
  return {
    now: () => now,
    sleep: (seconds: number) => {
      now += seconds;
      return Promise.resolve();
    },
  };
}

Deno.test("requests are spaced one gap apart: N requests take (N-1)/rate seconds", async () => {
  const clock = fakeClock();
  const limiter = new RegionRateLimiter("eu-west-1", 4, clock);
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    await limiter.acquire();
    times.push(clock.now());
  }
  assert.deepEqual(times, [0, 0.25, 0.5, 0.75, 1]);
  assert.equal(limiter.granted, 5);
});

Deno.test("a throttle pauses the region: the next request waits for the pause", async () => {
  const clock = fakeClock();
  const limiter = new RegionRateLimiter("eu-west-1", 10, clock);
  await limiter.acquire();
  limiter.throttled(3);
  await limiter.acquire();
  assert.equal(clock.now(), 3);
  assert.equal(limiter.throttles, 1);
});

Deno.test("an aborted wait rejects with the signal's reason", async () => {
  const limiter = new RegionRateLimiter("eu-west-1", 1, {
    now: () => 0,
    sleep: (_s, signal) => signal?.aborted ? Promise.reject(signal.reason) : Promise.resolve(),
  });
  await limiter.acquire();
  const controller = new AbortController();
  controller.abort(new Error("stop"));
  await assert.rejects(limiter.acquire(controller.signal), /stop/);
});

Deno.test("one limiter per region is shared by every caller of the run", async () => {
  const ctx = makeTestContext();
  const a = await regionLimiter(ctx, "us-east-1", 5);
  const b = await regionLimiter(ctx, "us-east-1", 50);
  const c = await regionLimiter(ctx, "eu-west-1");
  assert.equal(a, b);
  assert.equal(b.requestsPerSecond, 5, "the first caller's bound holds");
  assert.notEqual(a, c);
});

Deno.test("a rate that is not positive is refused", () => {
  assert.throws(() => new RegionRateLimiter("x", 0, fakeClock()), RangeError);
});
