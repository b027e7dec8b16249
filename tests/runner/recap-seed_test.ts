/**
 * runner/recap.ts: one result per step per target (and for the pipeline) per
 * run; a resumed run's recap starts from the run's step results, and a step
 * that runs again replaces its earlier result (counted as re-run).
 */
import assert from "node:assert/strict";
import { emptyCounts, isRecapSteps, RecapTally } from "../../runner/recap.ts";
import type { RunEvent } from "../../runner/types.ts";

const base = { time: "2026-12-07T00:00:00Z", runId: "r" };
const finished = (
  stepId: string,
  targetId: string | undefined,
  status: "ok" | "failed",
  changed?: boolean,
): RunEvent => ({
  ...base,
  type: "step-finished",
  stepId,
  stepType: stepId,
  ...(targetId ? { targetId } : {}),
  status,
  ...(changed === undefined ? {} : { changed }),
  durationMs: 1000,
} as RunEvent);
const skipped = (stepId: string, targetId: string | undefined, reason: string): RunEvent => ({
  ...base,
  type: "step-skipped",
  stepId,
  stepType: stepId,
  ...(targetId ? { targetId } : {}),
  reason,
});
const RESUMED = "done before the run was resumed";

/** The first run: target `done` finished; target `again` failed at `verify` after `connect`. */
function firstRun(): RecapTally {
  const tally = new RecapTally();
  tally.handle(finished("launch", undefined, "ok"));
  for (const id of ["done", "again"]) {
    tally.handle(finished("connect", id, "ok"));
    tally.handle(finished("configure", id, "ok", true));
  }
  tally.handle(finished("verify", "done", "ok", false));
  tally.handle(finished("verify", "again", "failed"));
  tally.handle(finished("report", undefined, "ok"));
  tally.handle(finished("cleanup", undefined, "ok"));
  return tally;
}

Deno.test("recap of a resumed run counts each step once per target: a re-run replaces the first result", () => {
  const first = firstRun();
  assert.equal(first.counts().targets.again.failed, 1);
  // Through the journal: JSON.
  const steps = JSON.parse(JSON.stringify(first.steps()));
  assert.ok(isRecapSteps(steps));
  const tally = new RecapTally({
    steps,
    resumedTargets: new Set(["again"]),
    skipReason: RESUMED,
  });
  // The resumed run: launch done before; `done` only skips; `again` opens its
  // session again (connect), keeps configure, runs verify again.
  tally.handle(skipped("launch", undefined, RESUMED));
  for (const step of ["connect", "configure", "verify"]) {
    tally.handle(skipped(step, "done", "target done"));
  }
  tally.handle(finished("connect", "again", "ok"));
  tally.handle(skipped("configure", "again", RESUMED));
  tally.handle(finished("verify", "again", "ok", false));
  tally.handle(finished("report", undefined, "ok"));
  tally.handle(finished("cleanup", undefined, "ok"));
  const counts = tally.counts();
  assert.deepEqual(counts.targets.done, {
    ...emptyCounts(),
    ok: 3,
    changed: 1,
    unchanged: 1,
    duration_ms: 3000,
  });
  assert.deepEqual(counts.targets.again, {
    ...emptyCounts(),
    ok: 3,
    changed: 1,
    unchanged: 1,
    duration_ms: 3000,
    rerun: 2,
  });
  assert.deepEqual(counts.pipeline, { ...emptyCounts(), ok: 3, duration_ms: 3000, rerun: 2 });
});

Deno.test("recap without a seed counts every skip, once per step", () => {
  const tally = new RecapTally();
  tally.handle(skipped("s", "t", RESUMED));
  tally.handle(skipped("u", "t", "run failed"));
  assert.equal(tally.counts().targets.t.skipped, 2);
  assert.equal(tally.counts().targets.t.rerun, 0);
});

Deno.test("isRecapSteps refuses the bare counts older journals hold", () => {
  assert.equal(isRecapSteps({ pipeline: { ...emptyCounts() }, targets: {} }), false);
  assert.equal(isRecapSteps(undefined), false);
  assert.equal(isRecapSteps({ pipeline: {}, targets: { a: {} } }), true);
});
