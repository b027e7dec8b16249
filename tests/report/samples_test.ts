/**
 * plugins/report/samples.ts: the Markdown rows carry the JSON figures
 * exactly, unsynchronised samples stay out of the spreads, quartiles.
 */
import assert from "node:assert/strict";
import { isSynchronised, sampleCells, spreadOf } from "../../plugins/report/samples.ts";

Deno.test("sampleCells gives the sample's exact figures, '-' where tracking lacked one", () => {
  const cells = sampleCells({
    t_seconds: 9.134,
    reference_name: "PHC0",
    system_time_offset_seconds: 1.4e-8,
    rms_offset_seconds: 5.9e-8,
    frequency_ppm: -6.613,
    clock_error_bound_ns: 38445.5,
  });
  assert.deepEqual(cells, ["9.134", "PHC0", "+14", "59", "-6.613", "38445.5"]);
  const missing = sampleCells({
    t_seconds: 0,
    reference_name: null,
    system_time_offset_seconds: -2.5e-6,
    rms_offset_seconds: null,
    frequency_ppm: null,
    clock_error_bound_ns: null,
  });
  assert.deepEqual(missing, ["0", "-", "-2500", "-", "-", "-"]);
});

Deno.test("isSynchronised is false without a reference (00000000 or none)", () => {
  const base = {
    t_seconds: 0,
    system_time_offset_seconds: 0,
    rms_offset_seconds: 0,
    frequency_ppm: 0,
    clock_error_bound_ns: 1.5e9,
  };
  assert.equal(isSynchronised({ ...base, reference_name: "00000000" }), false);
  assert.equal(isSynchronised({ ...base, reference_name: null }), false);
  assert.equal(isSynchronised({ ...base, reference_name: "PHC0" }), true);
});

Deno.test("spreadOf gives min, quartiles, median and max", () => {
  assert.deepEqual(spreadOf([5, 1, 3, 2, 4]), {
    count: 5,
    min: 1,
    q1: 2,
    median: 3,
    q3: 4,
    max: 5,
  });
  assert.equal(spreadOf([]), null);
});
