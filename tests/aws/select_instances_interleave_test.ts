/**
 * plugins/aws/existing/select-instances.ts `interleaveRegions`: instances
 * selected in several regions come round-robin over the regions, so each
 * rollout batch (consecutive targets) spans every region.
 */
import assert from "node:assert/strict";
import { interleaveRegions } from "../../plugins/aws/existing/select-instances.ts";

Deno.test("interleaveRegions takes one of each region in turn, keeping each region's order", () => {
  assert.deepEqual(
    interleaveRegions([["a1", "a2", "a3"], ["b1"], ["c1", "c2"]]),
    ["a1", "b1", "c1", "a2", "c2", "a3"],
  );
});

Deno.test("interleaveRegions of one region or none is that region's list", () => {
  assert.deepEqual(interleaveRegions([["a1", "a2"]]), ["a1", "a2"]);
  assert.deepEqual(interleaveRegions([[], []]), []);
  assert.deepEqual(interleaveRegions([]), []);
});
