/** runner/recap-text.ts: the verdict line counts cancelled targets apart from failed ones. */
import assert from "node:assert/strict";
import { palette } from "../../runner/colour.ts";
import { emptyCounts } from "../../runner/recap.ts";
import { verdictLine } from "../../runner/recap-text.ts";

Deno.test("the verdict line of an interrupted run counts cancelled targets as cancelled, not failed", () => {
  const line = verdictLine({
    targets: [
      { id: "a", label: "a", status: "done", verdict: "functional" },
      { id: "b", label: "b", status: "skipped" },
      { id: "c", label: "c", status: "cancelled" },
      { id: "d", label: "d", status: "cancelled" },
      { id: "e", label: "e", status: "failed" },
    ],
    counts: { pipeline: emptyCounts(), targets: {} },
    stepFailures: [],
    exitCode: 130,
    durationMs: 3600,
    interrupted: true,
  }, palette(false));
  assert.equal(
    line,
    "1 functional, 1 unsupported, 1 failed, 2 cancelled in 3.6 s (interrupted) (exit 130)",
  );
});
