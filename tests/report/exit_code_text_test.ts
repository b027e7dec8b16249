import assert from "node:assert/strict";
import { buildReport, runOutcome } from "../../plugins/report/build.ts";
import { exitCodeText } from "../../plugins/report/cells.ts";
import { renderMarkdownReport } from "../../plugins/report/render-markdown.ts";
import type { Report } from "../../plugins/report/model.ts";
import { RUN_ID, sampleTargets } from "./fixtures.ts";

/** The sample report with only the targets of the given verdicts and a finished run. */
function reportWith(verdicts: string[], run: Parameters<typeof runOutcome>[0]): Report {
  const report = buildReport({
    runId: RUN_ID,
    pipeline: "ptp",
    targets: sampleTargets(),
    now: new Date("2026-11-29T10:19:12Z"),
    startedAt: new Date("2026-11-29T10:15:00Z"),
    redact: true,
    run: runOutcome(run),
  });
  return { ...report, targets: report.targets.filter((t) => verdicts.includes(t.verdict)) };
}

Deno.test("exit code 1 names the --fail-on policy when only unsupported targets failed the run", () => {
  const report = reportWith(["functional", "unsupported"], {
    status: "failed",
    exitCode: 1,
    failures: [],
    failOn: ["unsupported"],
  });
  assert.equal(exitCodeText(report), "exit code 1 (--fail-on unsupported: 1 target unsupported)");
  assert.match(renderMarkdownReport(report), /Run failed, exit code 1 \(--fail-on unsupported/);
  assert.doesNotMatch(renderMarkdownReport(report), /a target misconfigured, error or without/);
});

Deno.test("exit code 1 names misconfigured and errored targets and failed steps, not --fail-on without it", () => {
  const report = reportWith(["functional", "unsupported", "misconfigured", "error"], {
    status: "failed",
    exitCode: 1,
    failures: [{ stepId: "report", stepType: "report", kind: "command", message: "disk full" }],
  });
  assert.equal(
    exitCodeText(report),
    "exit code 1 (step report failed; 1 target misconfigured; 1 target with an error)",
  );
});
