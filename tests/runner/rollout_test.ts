/**
 * Rollouts in batches (runner/rollout.ts): batch sizes as Ansible's `serial`
 * rounds them, when `max_fail` is exceeded (strictly greater), the value
 * schemas, and the executor running target segments batch by batch,
 * stopping on `max_fail` with the rest `not-attempted` and exit 1.
 */
import assert from "node:assert/strict";
import {
  batchSizeOf,
  BatchValueSchema,
  failsRollout,
  maxFailExceeded,
  MaxFailValueSchema,
} from "../../runner/rollout.ts";
import type { RolloutSpec } from "../../runner/pipeline/rollout.ts";
import { addTargetsStep, pipeline, plugin, runRecorded, step, trace } from "./helpers.ts";

Deno.test("batchSizeOf: a count as given, a percentage rounded down and at least 1, never more than remain", () => {
  assert.equal(batchSizeOf({ count: 10 }, 1000, 1000), 10);
  assert.equal(batchSizeOf({ count: 10 }, 1000, 4), 4);
  // Ansible's example: 30% of 20 hosts = 6 per batch, the last takes the remainder.
  assert.equal(batchSizeOf({ percent: 30 }, 20, 20), 6);
  assert.equal(batchSizeOf({ percent: 30 }, 20, 2), 2);
  assert.equal(batchSizeOf({ percent: 25 }, 7, 7), 1);
  assert.equal(batchSizeOf({ percent: 1 }, 50, 50), 1);
  assert.equal(batchSizeOf({ percent: 10 }, 1000, 1000), 100);
  assert.equal(batchSizeOf(undefined, 30, 30), 30);
});

Deno.test("maxFailExceeded: strictly greater than the percentage of attempted targets", () => {
  assert.equal(maxFailExceeded(3, 10, 30), false, "30% equals max_fail 30%: go on");
  assert.equal(maxFailExceeded(4, 10, 30), true);
  assert.equal(maxFailExceeded(1, 3, 33), true, "33.3% > 33%");
  assert.equal(maxFailExceeded(0, 10, 0), false, "no failure never exceeds 0%");
  assert.equal(maxFailExceeded(1, 100, 0), true);
  assert.equal(maxFailExceeded(10, 10, 100), false, "100% never stops");
  assert.equal(maxFailExceeded(5, 10, undefined), false, "no max_fail: never stops");
});

Deno.test("batch and max_fail values: what is accepted and what is refused", () => {
  assert.deepEqual(BatchValueSchema.parse(10), { count: 10 });
  assert.deepEqual(BatchValueSchema.parse("10"), { count: 10 });
  assert.deepEqual(BatchValueSchema.parse("10%"), { percent: 10 });
  assert.deepEqual(BatchValueSchema.parse("100%"), { percent: 100 });
  for (const bad of [0, "0", "0%", "150%", "-1", "1.5", "ten", ""]) {
    const parsed = BatchValueSchema.safeParse(bad);
    assert.equal(parsed.success, false, `batch ${JSON.stringify(bad)} refused`);
    assert.match(parsed.error!.issues[0].message, /expected a count of targets of at least 1/);
  }
  assert.equal(MaxFailValueSchema.parse("10%"), 10);
  assert.equal(MaxFailValueSchema.parse(0), 0);
  assert.equal(MaxFailValueSchema.parse("12.5"), 12.5);
  for (const bad of [-1, "-1", "101%", "abc", "%"]) {
    assert.equal(MaxFailValueSchema.safeParse(bad).success, false, `max_fail ${bad} refused`);
  }
});

Deno.test("failsRollout: failed, cancelled, misconfigured, error; unsupported only with --fail-on", () => {
  assert.equal(failsRollout({ status: "failed" }), true);
  assert.equal(failsRollout({ status: "cancelled" }), true);
  assert.equal(failsRollout({ status: "running", verdict: "misconfigured" }), true);
  assert.equal(failsRollout({ status: "done", verdict: "functional" }), false);
  assert.equal(failsRollout({ status: "done", verdict: "unsupported" }), false);
  assert.equal(failsRollout({ status: "done", verdict: "unsupported" }, ["unsupported"]), true);
});

/** `rollout:` as the loader stores literal values. */
function rollout(batch?: string | number, maxFail?: string | number): RolloutSpec {
  return {
    ...(batch === undefined ? {} : { batch: { value: batch, line: 3 } }),
    ...(maxFail === undefined ? {} : { max_fail: { value: maxFail, line: 4 } }),
  };
}

const IDS = ["a", "b", "c", "d", "e", "f", "g"];

Deno.test("the executor runs a target segment batch by batch: no target of a batch starts before the previous batch ended", async () => {
  const t = plugin("t", "target", async () => {
    await new Promise((r) => setTimeout(r, 2));
    return {};
  });
  const { result, events } = await runRecorded(
    pipeline([addTargetsStep(IDS), step("s1", t), step("s2", t)], {
      concurrency: 8,
      rollout: rollout("30%"),
    }),
  );
  assert.equal(result.exitCode, 0);
  // 30% of 7 = 2 per batch: a b | c d | e f | g.
  const order = trace(events).filter((x) => x.includes("@"));
  const batches = [["a", "b"], ["c", "d"], ["e", "f"], ["g"]];
  for (let i = 1; i < batches.length; i++) {
    const lastEnd = Math.max(...batches[i - 1].map((id) => order.indexOf(`end:s2@${id}`)));
    const firstStart = Math.min(...batches[i].map((id) => order.indexOf(`start:s1@${id}`)));
    assert.ok(firstStart > lastEnd, `batch ${i + 1} after batch ${i}: ${order.join(" ")}`);
  }
  const logs = events.filter((e) => e.type === "log").map((e) =>
    (e as { message: string }).message
  );
  assert.ok(logs.includes("batch 4 of 4: 1 target(s) (batch 30% of 7)"), logs.join("\n"));
});

Deno.test("max_fail exceeded: no new batch starts, the rest are not-attempted, the run fails", async () => {
  const t = plugin("t", "target", (ctx) => {
    if (ctx.target!.id === "c") throw new Error("boom");
    return {};
  });
  const report = plugin("report", "pipeline", () => ({}));
  const { result, events } = await runRecorded(
    pipeline([
      addTargetsStep(IDS),
      step("s1", t),
      step("report", report, { always: true }),
    ], { concurrency: 1, rollout: rollout(2, "20%") }),
  );
  // a b ok; c fails, d ok: 1 of 4 = 25% > 20%: stop before batch 3.
  assert.deepEqual(
    result.targets.map((x) => x.status),
    ["done", "done", "failed", "done", "not-attempted", "not-attempted", "not-attempted"],
  );
  assert.equal(result.exitCode, 1);
  assert.equal(result.runFailures.length, 1);
  assert.equal(result.runFailures[0].stepId, "rollout");
  assert.equal(
    result.runFailures[0].message,
    "the rollout stopped before batch 3 of 4: 1 of 4 attempted target(s) failed (25%), " +
      "more than max_fail 20%; 3 target(s) not attempted",
  );
  assert.match(result.targets[4].verdictReason ?? "", /^the rollout stopped before batch 3/);
  const started = trace(events, ["step-started"]);
  for (const id of ["e", "f", "g"]) assert.equal(started.includes(`start:s1@${id}`), false);
  assert.ok(started.includes("start:report"), "always steps still run");
  const finished = events.filter((e) => e.type === "target-finished")
    .map((e) => `${(e as { targetId: string }).targetId}:${(e as { status: string }).status}`);
  assert.ok(finished.includes("g:not-attempted"), finished.join(" "));
});

Deno.test("max_fail equalled is not exceeded: the rollout goes on to the last batch", async () => {
  const t = plugin("t", "target", (ctx) => {
    if (ctx.target!.id === "a") throw new Error("boom");
    return {};
  });
  const { result } = await runRecorded(
    pipeline([addTargetsStep(["a", "b", "c", "d"]), step("s1", t)], {
      concurrency: 1,
      rollout: rollout(2, 50),
    }),
  );
  // a fails, b ok: 1 of 2 = 50%, not more than 50%.
  assert.deepEqual(result.targets.map((x) => x.status), ["failed", "done", "done", "done"]);
  assert.deepEqual(result.runFailures, []);
});

Deno.test("targets that will not run (skipped at launch) take no batch slot", async () => {
  const add = step(
    "add",
    plugin("add-targets", "pipeline", (ctx) => {
      ctx.addTargets([
        { id: "x", label: "x", status: "skipped" },
        ...["a", "b", "c"].map((id) => ({ id, label: id })),
      ]);
      return {};
    }),
  );
  const t = plugin("t", "target", () => ({}));
  const { result, events } = await runRecorded(
    pipeline([add, step("s1", t)], { concurrency: 4, rollout: rollout("50%") }),
  );
  assert.equal(result.exitCode, 0);
  const logs = events.filter((e) => e.type === "log").map((e) =>
    (e as { message: string }).message
  );
  // 50% of the 3 targets that run = 1 per batch (x is not counted).
  assert.deepEqual(logs.filter((m) => m.startsWith("batch ")), [
    "batch 1 of 3: 1 target(s) (batch 50% of 3)",
    "batch 2 of 3: 1 target(s) (batch 50% of 3)",
    "batch 3 of 3: 1 target(s) (batch 50% of 3)",
  ]);
  assert.equal(result.targets[0].status, "skipped");
});
