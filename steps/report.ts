/**
 * The `report` step (pipeline scope; use with `always: true`): summarises
 * every target's verdict, diagnostics and clock quality on the console and in
 * `--report-dir` or `<workDir>/reports/<run-id>/` (`report.json` per `schema/report.schema.json`,
 * `report.yaml`, `junit.xml`, `report.md`). IP addresses are redacted unless
 * `--no-redact`.
 * @module
 */
import { defineStep, z } from "../plugins/api.ts";
import { CountsSchema } from "../plugins/report/model.ts";
import { StepError } from "../runner/errors.ts";
import type { StepContext } from "../runner/types.ts";
import { buildReport, runStartFromId } from "../plugins/report/build.ts";
import type { RunOutcome } from "../plugins/report/model.ts";
import { CLEANUP_JOURNAL_KEY, type CleanupOutcome } from "../plugins/report/cleanup-outcome.ts";
import { renderConsoleReport } from "../plugins/report/render-console.ts";
import { colorEnabled } from "../runner/colour.ts";
import { reportDirOf, type ReportFiles, writeReportFiles } from "../plugins/report/write.ts";
import { runOutcome } from "../plugins/report/build.ts";
import { exitCodeOf } from "../runner/executor.ts";
import { typeOrderOf } from "../runner/target-order.ts";

/** Output schema of the `report` step. */
export const ReportOutputSchema = z.object({
  files: z.object({
    json: z.string(),
    yaml: z.string(),
    junit: z.string(),
    markdown: z.string(),
    html: z.string(),
  }),
  summary: CountsSchema,
});

/** What the `report` step returns. */
export type ReportStepResult = z.input<typeof ReportOutputSchema>;

/** True when `value` looks like a {@link CleanupOutcome} (journal values are untyped JSON). */
export function isCleanupOutcome(value: unknown): value is CleanupOutcome {
  const v = value as Partial<CleanupOutcome> | null | undefined;
  return !!v && Array.isArray(v.terminated) && Array.isArray(v.kept) &&
    Array.isArray(v.failed) && Array.isArray(v.placementGroupsDeleted) &&
    Array.isArray(v.placementGroupsFailed);
}

/** Lists the report files for the console. */
export function filesText(files: ReportFiles): string {
  return [
    "Report files:",
    `  JSON      ${files.json}`,
    `  YAML      ${files.yaml}`,
    `  JUnit     ${files.junit}`,
    `  Markdown  ${files.markdown}`,
    `  HTML      ${files.html}`,
  ].join("\n");
}

/** Columns of the terminal the console report goes to; undefined when it is not a terminal. */
export function terminalWidth(): number | undefined {
  try {
    if (!Deno.stdout.isTerminal() && !Deno.stderr.isTerminal()) return undefined;
    const { columns } = Deno.consoleSize();
    return columns > 0 ? columns : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The run section as known while the run goes on (status `running`): the
 * failures of pipeline-scope steps so far and the exit code they and the
 * targets give now (cleanup may still change it; the CLI rewrites the files
 * with the final one, see plugins/report/finalize.ts).
 */
export function provisionalRunOutcome(ctx: StepContext): RunOutcome {
  const failures = ctx.runFailures ?? [];
  const failOn = ctx.settings.failOn ?? [];
  const exitCode = exitCodeOf({
    interrupted: ctx.interrupted,
    leftBehind: [],
    failures: [...failures],
    targets: [...ctx.targets],
    resources: [...ctx.journal.resources()],
  }, failOn);
  return runOutcome({ status: "running", exitCode, failures, failOn });
}

/**
 * Runs the report step. Includes the cleanup outcome when cleanup already ran
 * in this run (journal key `cleanup`) and whether the run was interrupted
 * (`ctx.interrupted`).
 * @throws {StepError} kind `internal` when the files cannot be written (the
 *   console report is printed anyway).
 */
async function runReport(
  ctx: StepContext,
  options: { console: boolean },
): Promise<ReportStepResult> {
  const cleanup = ctx.journal.get(CLEANUP_JOURNAL_KEY);
  const report = buildReport({
    runId: ctx.runId,
    pipeline: ctx.pipelineName,
    // Diagnostics and failure messages quote commands and output: mask secrets first.
    targets: ctx.redact ? ctx.redact(ctx.targets) : ctx.targets,
    now: new Date(),
    startedAt: runStartFromId(ctx.runId),
    redact: ctx.settings.redact,
    cleanup: isCleanupOutcome(cleanup) ? cleanup : null,
    interrupted: ctx.interrupted,
    checkMode: ctx.settings.dryRun,
    run: provisionalRunOutcome(ctx),
    typeOrder: typeOrderOf(ctx.inputs.instance_types),
    recap: ctx.recap?.() ?? null,
  });
  const dir = reportDirOf(ctx.settings, ctx.runId);
  const text = renderConsoleReport(report, { color: colorEnabled(), width: terminalWidth() });
  let files: ReportFiles;
  try {
    files = await writeReportFiles(ctx.settings.workDir, report, dir);
  } catch (error) {
    if (options.console) await ctx.withConsole(() => Promise.resolve(console.log(text)));
    throw new StepError(
      "internal",
      `could not write the report files under ${dir}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (options.console) {
    await ctx.withConsole(() => Promise.resolve(console.log(`${text}\n\n${filesText(files)}`)));
  }
  ctx.log.info(`report written to ${dir}`);
  return { files, summary: report.summary };
}

/** The report step plugin. */
export default defineStep({
  type: "report",
  description:
    "Summarise verdicts, diagnostics and clock quality; write JSON, YAML, JUnit, Markdown",
  scope: "pipeline",
  input: z.object({
    console: z.boolean().default(true).describe("Print the report on the console"),
  }).strict(),
  output: ReportOutputSchema,
  reads: [
    "targets",
    "facts.phcSupport",
    "facts.arch",
    "facts.ena",
    "facts.phc",
    "facts.verify",
    "journal.cleanup",
  ],
  writes: ["files.reports/<run-id>/"],
  async run(ctx, input) {
    return await runReport(ctx, input);
  },
});
