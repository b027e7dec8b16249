import assert from "node:assert/strict";
import { parseChronycTracking } from "../../plugins/parsers/chronyc.ts";
import {
  clockErrorBoundNs,
  clockQuality,
  parsePhcErrorBound,
} from "../../plugins/ptp/clock-quality.ts";

const fixture = (name: string) =>
  Deno.readTextFileSync(new URL(`./fixtures/${name}`, import.meta.url));

Deno.test("clock error bound adds |offset|, half the root delay, root dispersion and phc_error_bound", () => {
  // samples/chronyc-tracking-phc.txt: 14 ns + 10000 ns / 2 + 1311 ns, plus a 32123 ns device bound.
  const ns = clockErrorBoundNs({
    offsetSeconds: 0.000000014,
    rootDelaySeconds: 0.00001,
    rootDispersionSeconds: 0.000001311,
    phcErrorBoundNs: 32123,
  });
  assert.equal(ns, 14 + 5000 + 1311 + 32123);
});

Deno.test("clock error bound uses the magnitude of a slow (negative) offset", () => {
  const fast = clockErrorBoundNs({
    offsetSeconds: 2e-6,
    rootDelaySeconds: 0,
    rootDispersionSeconds: 0,
    phcErrorBoundNs: null,
  });
  const slow = clockErrorBoundNs({
    offsetSeconds: -2e-6,
    rootDelaySeconds: 0,
    rootDispersionSeconds: 0,
    phcErrorBoundNs: null,
  });
  assert.equal(fast, 2000);
  assert.equal(slow, 2000);
});

Deno.test("clockQuality reads the PHC tracking sample with direction, ppm and bound", () => {
  const q = clockQuality(parseChronycTracking(fixture("chronyc-tracking-phc.txt")), 32123);
  assert.ok(q);
  assert.equal(q.reference_name, "PHC0");
  assert.equal(q.stratum, 1);
  assert.equal(q.system_time_direction, "fast");
  assert.equal(q.system_time_offset_seconds, 0.000000014);
  assert.equal(q.frequency_ppm, 6.614);
  assert.equal(q.skew_ppm, 0.019);
  assert.equal(q.rms_offset_seconds, 0.00000006);
  assert.equal(q.clock_error_bound_ns, 38448);
});

Deno.test("clockQuality of the NTP sample: 0.000002191 s fast, 3.710 ppm slow, no device bound", () => {
  const q = clockQuality(parseChronycTracking(fixture("chronyc-tracking-ntp.txt")), null);
  assert.ok(q);
  assert.equal(q.frequency_ppm, -3.71);
  assert.equal(q.phc_error_bound_ns, null);
  // 2191 ns + 362541/2 ns + 225028 ns
  assert.equal(q.clock_error_bound_ns, 2191 + 181270.5 + 225028);
});

Deno.test("clockQuality is null when tracking lacks the offset (chronyd down)", () => {
  assert.equal(clockQuality(parseChronycTracking("506 Cannot talk to daemon\n"), 1), null);
});

Deno.test("parsePhcErrorBound accepts nanoseconds and rejects junk", () => {
  assert.equal(parsePhcErrorBound("32123\n"), 32123);
  assert.equal(parsePhcErrorBound(null), null);
  assert.equal(parsePhcErrorBound("n/a"), null);
});

Deno.test("clockQuality keeps the figures tracking printed and names the missing line", () => {
  const text = fixture("chronyc-tracking-phc.txt").split("\n")
    .filter((l) => !l.startsWith("Root dispersion")).join("\n");
  const q = clockQuality(parseChronycTracking(text), 32123);
  assert.ok(q);
  assert.equal(q.root_dispersion_seconds, null);
  assert.deepEqual(q.missing, ["Root dispersion"]);
  assert.equal(q.root_delay_seconds, 0.00001);
  assert.equal(q.system_time_offset_seconds, 0.000000014);
  // The bound leaves the missing term out: 14 ns + 10000 ns / 2 + 32123 ns.
  assert.equal(q.clock_error_bound_ns, 14 + 5000 + 32123);
});

Deno.test("clockQuality names no missing line for complete tracking", () => {
  const q = clockQuality(parseChronycTracking(fixture("chronyc-tracking-phc.txt")), 32123);
  assert.equal(q?.missing, undefined);
});
