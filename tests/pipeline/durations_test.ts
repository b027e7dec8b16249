import assert from "node:assert/strict";
import { DurationError, formatDuration, parseDuration } from "../../runner/durations.ts";

Deno.test("parseDuration converts units and combinations to seconds", () => {
  assert.equal(parseDuration("10m"), 600);
  assert.equal(parseDuration("5s"), 5);
  assert.equal(parseDuration("1h30m"), 5400);
  assert.equal(parseDuration("500ms"), 0.5);
  assert.equal(parseDuration("2h"), 7200);
  assert.equal(parseDuration("1m30s250ms"), 90.25);
  assert.equal(parseDuration("1.5s"), 1.5);
});

Deno.test("parseDuration treats plain numbers and numeric strings as seconds", () => {
  assert.equal(parseDuration(30), 30);
  assert.equal(parseDuration(0.25), 0.25);
  assert.equal(parseDuration("45"), 45);
  assert.equal(parseDuration(0), 0);
});

Deno.test("parseDuration rejects '10 minutes' naming the accepted forms", () => {
  assert.throws(() => parseDuration("10 minutes"), (error: Error) => {
    assert.ok(error instanceof DurationError);
    assert.match(error.message, /"10 minutes"/);
    assert.match(error.message, /500ms, 5s, 10m, 2h, 1h30m/);
    return true;
  });
});

Deno.test("parseDuration rejects negatives, empty text, unknown units and repeated units", () => {
  for (const bad of [-1, "", "5x", "m", "1m1m", "1d", " 5s", Infinity, true, null]) {
    assert.throws(() => parseDuration(bad), DurationError, `should reject ${String(bad)}`);
  }
});

Deno.test("formatDuration renders hours, minutes, seconds and milliseconds", () => {
  assert.equal(formatDuration(5400), "1h30m");
  assert.equal(formatDuration(0.5), "500ms");
  assert.equal(formatDuration(45), "45s");
  assert.equal(formatDuration(600), "10m");
});
