/**
 * What the `report` step does (steps/report.ts, loaded lazily in its `run`):
 * builds the report from the run's targets, prints it on the console and
 * writes the report files.
 * @module
 */
import { StepError } from "../../runner/errors.ts";
import type { StepContext } from "../../runner/types.ts";
import { buildReport, runOutcome, runStartFromId } from "./build.ts";
import type { RunOutcome } from "./model.ts";
import { CLEANUP_JOURNAL_KEY, type CleanupOutcome } from "./cleanup-outcome.ts";
import { renderConsoleReport } from "./render-console.ts";
import { colorEnabled } from "../../runner/colour.ts";
import { reportDirOf, type ReportFiles, writeReportFiles } from "./write.ts";
import { exitCodeOf } from "../../runner/executor.ts";
import { typeOrderOf } from "../../runner/target-order.ts";
import type { ReportStepResult } from "../../steps/report.ts";

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
export async function runReport(
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
    ...(ctx.redactAddresses ? { addressNames: ctx.redactAddresses } : {}),
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
