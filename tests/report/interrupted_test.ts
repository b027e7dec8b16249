import assert from "node:assert/strict";
import { buildReport } from "../../plugins/report/build.ts";
import { withFinalFigures } from "../../plugins/report/finalize.ts";
import { emptyCounts } from "../../runner/recap.ts";
import { renderConsoleReport } from "../../plugins/report/render-console.ts";
import { renderJunitReport } from "../../plugins/report/render-junit.ts";
import { renderMarkdownReport } from "../../plugins/report/render-markdown.ts";
import { readReportFile, reportFiles, writeReportFiles } from "../../plugins/report/write.ts";
import reportStep from "../../steps/report.ts";
import type { Target } from "../../runner/types.ts";
import { makeTarget, makeTestContext } from "../helpers/context.ts";
import { RUN_ID } from "./fixtures.ts";
import { findAll, parseXml } from "./xml.ts";

/** A run interrupted during launch: one target cancelled, one failed before, one functional. */
function interruptedTargets(): Target[] {
  return [
    makeTarget({
      id: "c7i.large-1",
      label: "c7i.large 1 of 1",
      status: "cancelled",
      instanceType: "c7i.large",
      launchedByRun: true,
      failure: {
        stepId: "wait-ready",
        stepType: "wait-ready",
        kind: "cancelled",
        message: "run interrupted (SIGINT)",
      },
    }),
    makeTarget({
      id: "m7a.large-1",
      label: "m7a.large 1 of 1",
      status: "failed",
      instanceType: "m7a.large",
      launchedByRun: true,
      verdict: "error",
      failure: {
        stepId: "ena-build",
        stepType: "ena-build",
        kind: "command",
        message: "make exited 2",
      },
    }),
    makeTarget({
      id: "r7g.large-1",
      label: "r7g.large 1 of 1",
      status: "done",
      instanceType: "r7g.large",
      launchedByRun: true,
      verdict: "functional",
    }),
  ];
}

const build = (interrupted: boolean) =>
  buildReport({
    runId: RUN_ID,
    pipeline: "ptp",
    targets: interruptedTargets(),
    now: new Date("2026-11-29T10:19:12Z"),
    startedAt: new Date("2026-11-29T10:15:00Z"),
    redact: false,
    interrupted,
  });

Deno.test("an interrupted run's report counts cancelled targets as cancelled, not as errors", () => {
  const report = build(true);
  assert.equal(report.interrupted, true);
  assert.deepEqual(report.summary, {
    total: 3,
    functional: 1,
    unsupported: 0,
    misconfigured: 0,
    error: 1,
    cancelled: 1,
    not_attempted: 0,
    none: 0,
  });
  const cancelled = report.targets.find((t) => t.id === "c7i.large-1")!;
  assert.equal(cancelled.verdict, "cancelled");
  assert.equal(
    cancelled.verdict_reason,
    "run interrupted during step wait-ready; no verdict reached",
  );
  assert.equal(report.targets.find((t) => t.id === "m7a.large-1")!.verdict, "error");
  assert.equal(build(false).interrupted, false);
});

Deno.test("junit marks cancelled targets skipped with 'run interrupted' and keeps real failures", () => {
  const root = parseXml(renderJunitReport(build(true)));
  const cases = findAll(root, "testcase");
  const first = (i: number) =>
    cases[i].children.find((c) => c.name !== "system-out" && c.name !== "properties");
  assert.equal(first(0)?.name, "skipped");
  assert.equal(first(0)?.attrs.message, "run interrupted");
  assert.equal(first(1)?.name, "error");
  assert.equal(first(2), undefined);
  assert.equal(root.attrs.errors, "1");
  assert.equal(root.attrs.failures, "0");
  assert.equal(root.attrs.skipped, "1");
});

Deno.test("console and Markdown headers say the run was interrupted, only when it was", () => {
  const console = renderConsoleReport(build(true), { color: false }).split("\n");
  assert.equal(
    console[1],
    "Run interrupted: 1 of 3 target(s) cancelled before a verdict.",
  );
  const md = renderMarkdownReport(build(true));
  assert.ok(md.includes("**Run interrupted**: 1 of 3 target(s) cancelled"), md);
  assert.ok(!renderConsoleReport(build(false), { color: false }).includes("Run interrupted"));
  assert.ok(!renderMarkdownReport(build(false)).includes("Run interrupted"));
});

Deno.test("the final report names the signal that interrupted the run (SIGHUP)", () => {
  const report = withFinalFigures(build(true), {
    status: "interrupted",
    exitCode: 130,
    runFailures: [],
    recap: { pipeline: emptyCounts(), targets: {} },
    durationMs: 1000,
    signal: "SIGHUP",
  });
  assert.equal(report.interrupted_by, "SIGHUP");
  const console = renderConsoleReport(report, { color: false });
  assert.ok(console.includes("Run interrupted by SIGHUP: 1 of 3 target(s) cancelled"), console);
  assert.ok(!console.includes("Ctrl-C or SIGTERM"), console);
  const md = renderMarkdownReport(report);
  assert.ok(md.includes("**Run interrupted by SIGHUP**: 1 of 3"), md);
});

Deno.test("report step records ctx.interrupted at the top level of report.json", async () => {
  const ctx = Object.assign(
    makeTestContext({ step: { id: "report", type: "report" }, targets: interruptedTargets() }),
    { runId: RUN_ID, pipelineName: "ptp", interrupted: true },
  );
  const output = await reportStep.run(ctx, { console: false }, new AbortController().signal);
  assert.equal(output.summary.cancelled, 1);
  const json = JSON.parse(Deno.readTextFileSync(reportFiles(ctx.settings.workDir, RUN_ID).json));
  assert.equal(json.interrupted, true);
  assert.equal(json.summary.error, 1);
});

Deno.test("a report.json written before interrupted/cancelled existed still reads", async () => {
  const workDir = await Deno.makeTempDir({ prefix: "ptp-report-" });
  try {
    const files = await writeReportFiles(workDir, build(false));
    const old = JSON.parse(await Deno.readTextFile(files.json));
    delete old.interrupted;
    delete old.summary.cancelled;
    for (const group of old.by_type) delete group.counts.cancelled;
    await Deno.writeTextFile(files.json, JSON.stringify(old));
    const read = await readReportFile(workDir, RUN_ID);
    assert.equal(read?.interrupted, false);
    assert.equal(read?.summary.cancelled, 0);
  } finally {
    await Deno.remove(workDir, { recursive: true });
  }
});
