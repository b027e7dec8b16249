import assert from "node:assert/strict";
import { buildReport, effectiveVerdict, runStartFromId } from "../../plugins/report/build.ts";
import { summarize } from "../../plugins/report/stats.ts";
import { makeTarget } from "../helpers/context.ts";
import { RUN_ID, sampleTargets } from "./fixtures.ts";

const build = (redact = false) =>
  buildReport({
    runId: RUN_ID,
    pipeline: "ptp",
    targets: sampleTargets(),
    now: new Date("2026-11-29T10:19:12Z"),
    startedAt: runStartFromId(RUN_ID),
    redact,
  });

Deno.test("report counts every verdict, including targets skipped at launch as unsupported", () => {
  const report = build();
  assert.deepEqual(report.summary, {
    total: 6,
    functional: 3,
    unsupported: 1,
    misconfigured: 1,
    error: 1,
    cancelled: 0,
    not_attempted: 0,
    none: 0,
  });
  const byType = Object.fromEntries(report.by_type.map((g) => [g.instance_type, g.counts]));
  assert.equal(byType["c7i.large"].functional, 2);
  assert.equal(byType["m6i.large"].unsupported, 1);
  assert.equal(byType["c7g.large"].misconfigured, 1);
  assert.equal(byType["m7a.large"].error, 1);
  assert.equal(byType["null"].functional, 1, "existing host grouped under a null type");
});

Deno.test("a skipped target without a verdict counts as unsupported, a cancelled one as cancelled", () => {
  assert.equal(
    effectiveVerdict(makeTarget({ id: "a", label: "a", status: "skipped" })),
    "unsupported",
  );
  assert.equal(
    effectiveVerdict(makeTarget({ id: "b", label: "b", status: "cancelled" })),
    "cancelled",
  );
  assert.equal(effectiveVerdict(makeTarget({ id: "c", label: "c", status: "done" })), "none");
});

Deno.test("existing host without instance id keeps its address and has no instance id", () => {
  const host = build().targets.find((t) => t.id === "host-1")!;
  assert.equal(host.instance_id, null);
  assert.equal(host.instance_type, null);
  assert.equal(host.address, "10.1.2.3");
  assert.equal(host.verdict, "functional");
});

Deno.test("clock statistics cover only functional targets with a quality, in nanoseconds", () => {
  const report = build();
  const c7i = report.by_type.find((g) => g.instance_type === "c7i.large")!;
  assert.equal(c7i.stats.clock_error_bound_ns?.count, 2);
  assert.equal(c7i.stats.abs_offset_ns?.min, 12);
  assert.equal(c7i.stats.abs_offset_ns?.max, 30);
  assert.equal(report.overall.clock_error_bound_ns?.count, 3);
  const m6i = report.by_type.find((g) => g.instance_type === "m6i.large")!;
  assert.equal(m6i.stats.clock_error_bound_ns, null);
});

Deno.test("wall time comes from the run id's start time", () => {
  assert.equal(runStartFromId(RUN_ID)?.toISOString(), "2026-11-29T10:15:00.000Z");
  assert.equal(runStartFromId("test-run"), null);
  assert.equal(build().wall_time_seconds, 252);
});

Deno.test("summarize gives min, median (mean of middle pair) and max", () => {
  assert.deepEqual(summarize([5, 1, 3, 9]), { count: 4, min: 1, median: 4, max: 9 });
  assert.deepEqual(summarize([2]), { count: 1, min: 2, median: 2, max: 2 });
  assert.equal(summarize([]), null);
});
