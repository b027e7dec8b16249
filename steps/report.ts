/**
 * The `report` step (pipeline scope; use with `always: true`): summarises
 * every target's verdict, diagnostics and clock quality on the console and in
 * `<workDir>/reports/<run-id>/` (`report.json` per `schema/report.schema.json`,
 * `report.yaml`, `junit.xml`, `report.md`). IP addresses are redacted unless
 * `--no-redact`.
 * @module
 */
import { defineStep, z } from "../plugins/api.ts";
import { CountsSchema } from "../plugins/report/model.ts";
import { StepError } from "../runner/errors.ts";
import type { StepContext } from "../runner/types.ts";
import { buildReport, runStartFromId } from "../plugins/report/build.ts";
import { CLEANUP_JOURNAL_KEY, type CleanupOutcome } from "../plugins/report/cleanup-outcome.ts";
import { renderConsoleReport } from "../plugins/report/render-console.ts";
import { colorEnabled } from "../runner/colour.ts";
import { reportDir, type ReportFiles, writeReportFiles } from "../plugins/report/write.ts";

/** Output schema of the `report` step. */
export const ReportOutputSchema = z.object({
  files: z.object({
    json: z.string(),
    yaml: z.string(),
    junit: z.string(),
    markdown: z.string(),
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
  ].join("\n");
}

/**
 * Runs the report step. Includes the cleanup outcome when cleanup already ran
 * in this run (journal key `cleanup`) and whether the run was interrupted
 * (`ctx.interrupted`).
 * @throws {StepError} kind `internal` when the files cannot be written (the
 *   console report is printed anyway).
 */
export async function runReport(
  ctx: StepContext,
  options: { console: boolean },
): Promise<ReportStepResult> {
  const cleanup = ctx.journal.get(CLEANUP_JOURNAL_KEY);
  const report = buildReport({
    runId: ctx.runId,
    pipeline: ctx.pipelineName,
    targets: ctx.targets,
    now: new Date(),
    startedAt: runStartFromId(ctx.runId),
    redact: ctx.settings.redact,
    cleanup: isCleanupOutcome(cleanup) ? cleanup : null,
    interrupted: ctx.interrupted,
    checkMode: ctx.settings.dryRun,
  });
  const text = renderConsoleReport(report, { color: colorEnabled() });
  let files: ReportFiles;
  try {
    files = await writeReportFiles(ctx.settings.workDir, report);
  } catch (error) {
    if (options.console) await ctx.withConsole(() => Promise.resolve(console.log(text)));
    throw new StepError(
      "internal",
      `could not write the report files under ${reportDir(ctx.settings.workDir, ctx.runId)}: ${
        (error as Error).message
      }`,
      { cause: error },
    );
  }
  if (options.console) {
    await ctx.withConsole(() => Promise.resolve(console.log(`${text}\n\n${filesText(files)}`)));
  }
  ctx.log.info(`report written to ${reportDir(ctx.settings.workDir, ctx.runId)}`);
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
