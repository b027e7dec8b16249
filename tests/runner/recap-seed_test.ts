/** runner/recap.ts: a resumed run's recap starts from the counts the run had when it stopped. */
import assert from "node:assert/strict";
import { emptyCounts, RecapTally } from "../../runner/recap.ts";
import type { RunEvent } from "../../runner/types.ts";

const base = { time: "2026-12-07T00:00:00Z", runId: "r" };
const finished = (targetId: string | undefined, changed: boolean): RunEvent => ({
  ...base,
  type: "step-finished",
  stepId: "s",
  stepType: "s",
  ...(targetId ? { targetId } : {}),
  status: "ok",
  changed,
  durationMs: 1000,
} as RunEvent);
const skipped = (targetId: string, reason: string): RunEvent => ({
  ...base,
  type: "step-skipped",
  stepId: "s",
  stepType: "s",
  targetId,
  reason,
});

Deno.test("recap of a resumed run: finished targets keep their counts, resumed ones go on without their failure", () => {
  const tally = new RecapTally({
    counts: {
      pipeline: { ...emptyCounts(), ok: 1, duration_ms: 500 },
      targets: {
        done: { ...emptyCounts(), ok: 8, changed: 3, unchanged: 5, duration_ms: 9000 },
        again: { ...emptyCounts(), ok: 4, unchanged: 4, failed: 1, skipped: 3, duration_ms: 4000 },
      },
    },
    resumedTargets: new Set(["again"]),
    skipReason: "done before the run was resumed",
  });
  for (let i = 0; i < 8; i++) tally.handle(skipped("done", "target done"));
  tally.handle(skipped("again", "done before the run was resumed"));
  tally.handle(finished("again", true));
  tally.handle(finished(undefined, false));
  const counts = tally.counts();
  assert.deepEqual(counts.targets.done, {
    ...emptyCounts(),
    ok: 8,
    changed: 3,
    unchanged: 5,
    duration_ms: 9000,
  });
  assert.deepEqual(counts.targets.again, {
    ...emptyCounts(),
    ok: 5,
    changed: 1,
    unchanged: 4,
    duration_ms: 5000,
  });
  assert.deepEqual(counts.pipeline, {
    ...emptyCounts(),
    ok: 2,
    unchanged: 1,
    duration_ms: 1500,
  });
});

Deno.test("recap without a seed counts every skip", () => {
  const tally = new RecapTally();
  tally.handle(skipped("t", "done before the run was resumed"));
  assert.equal(tally.counts().targets.t.skipped, 1);
});
