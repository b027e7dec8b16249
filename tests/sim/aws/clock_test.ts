import assert from "node:assert/strict";
import { SimClock } from "../../../sim/clock.ts";

/** A manual real-time source, in milliseconds. */
function manualTime() {
  let ms = 1000;
  return { now: () => ms, advance: (d: number) => (ms += d) };
}

Deno.test("SimClock.now() counts simulated seconds at `speed` times real time", () => {
  const time = manualTime();
  const clock = new SimClock({ speed: 50, realNowMs: time.now });
  assert.equal(clock.now(), 0);
  time.advance(200); // 0.2 real seconds
  assert.equal(clock.now(), 10);
  assert.equal(clock.toRealMs(20), 400);
  assert.equal(clock.toSimSeconds(1000), 50);
});

Deno.test("SimClock defaults to speed 50 and refuses a speed that is not > 0", () => {
  assert.equal(new SimClock().speed, 50);
  for (const speed of [0, -1, Number.NaN, Infinity]) {
    assert.throws(() => new SimClock({ speed }), RangeError);
  }
});

Deno.test("SimClock.sleep resolves after the simulated duration and rejects with the abort reason", async () => {
  const clock = new SimClock({ speed: 10_000 });
  let done = false;
  await clock.sleep(10).then(() => (done = true)); // 1 ms real
  assert.ok(done);

  const controller = new AbortController();
  const pending = clock.sleep(1_000_000, controller.signal);
  controller.abort(new Error("stop waiting"));
  await assert.rejects(pending, /stop waiting/);
  await assert.rejects(clock.sleep(1, controller.signal), /stop waiting/);
});

Deno.test("SimClock timers run their callback unless cancelled, and dispose rejects pending sleeps", async () => {
  const clock = new SimClock({ speed: 10_000 });
  const fired: string[] = [];
  clock.setTimer(5, () => fired.push("kept"));
  clock.setTimer(5, () => fired.push("cancelled")).cancel();
  clock.at(clock.now() + 5, () => fired.push("at"));
  await clock.sleep(50);
  assert.deepEqual(fired.sort(), ["at", "kept"]);

  const pending = clock.sleep(1_000_000);
  clock.dispose();
  await assert.rejects(pending, (e: unknown) => (e as DOMException).name === "AbortError");
  assert.ok(clock.disposed);
  await assert.rejects(clock.sleep(1), (e: unknown) => (e as DOMException).name === "AbortError");
});
