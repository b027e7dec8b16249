import assert from "node:assert/strict";
import { formatNanoseconds, formatSeconds, formatWallTime } from "../../plugins/report/units.ts";

Deno.test("nanosecond durations use the largest unit below them with three digits", () => {
  assert.equal(formatNanoseconds(850), "850 ns");
  assert.equal(formatNanoseconds(12_345), "12.3 µs");
  assert.equal(formatNanoseconds(1_500_000), "1.5 ms");
  assert.equal(formatNanoseconds(2_010_000_000), "2.01 s");
  assert.equal(formatNanoseconds(-30), "-30 ns");
  assert.equal(formatNanoseconds(0), "0 ns");
});

Deno.test("signed offsets carry a plus sign, and seconds convert to nanoseconds", () => {
  assert.equal(formatSeconds(0.000000012, { signed: true }), "+12 ns");
  assert.equal(formatSeconds(-0.0000015, { signed: true }), "-1.5 µs");
  assert.equal(formatSeconds(0.000010), "10 µs");
});

Deno.test("wall time reads as seconds, minutes or hours", () => {
  assert.equal(formatWallTime(45.4), "45s");
  assert.equal(formatWallTime(185), "3m 05s");
  assert.equal(formatWallTime(3723), "1h 02m 03s");
});
