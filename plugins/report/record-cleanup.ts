/**
 * Adds the cleanup outcome to the report of the current run. The cleanup step
 * runs after the report step and calls {@link recordCleanupInReport}.
 * @module
 */
import type { StepContext } from "../../runner/types.ts";
import { cleanupSection } from "./build.ts";
import type { CleanupOutcome } from "./cleanup-outcome.ts";
import { redactDeep } from "./redact.ts";
import { renderCleanupConsole } from "./render-console.ts";
import { colorEnabled } from "../../runner/colour.ts";
import { readReportFile, reportDirOf, writeReportFiles } from "./write.ts";

/**
 * Prints the cleanup section (terminated / kept running with the command that
 * terminates them / could not clean, with copy-paste commands) through
 * `ctx.withConsole`, and, when this run already wrote a report
 * (`report.json` in `--report-dir` or `<workDir>/reports/<run-id>/`), re-renders all four report
 * files from the stored model plus this outcome. IP addresses are redacted per
 * `ctx.settings.redact`.
 *
 * Never throws for a report problem: a missing or unreadable report only
 * prints, and a failure to rewrite the files is logged as a warning, so
 * cleanup itself is not failed by the report.
 */
export async function recordCleanupInReport(
  ctx: StepContext,
  outcome: CleanupOutcome,
): Promise<void> {
  // The run's numbering when the run's context has it; else (`cleanup --run`) unnumbered
  // placeholders: the stored report's `[IPv4-N]` names cannot be reproduced there.
  const section = redactDeep(cleanupSection(outcome), {
    ips: ctx.settings.redact,
    numbered: false,
    ...(ctx.redactAddresses ? { names: ctx.redactAddresses } : {}),
  });
  const text = renderCleanupConsole(section, { color: colorEnabled() });
  await ctx.withConsole(() => Promise.resolve(console.log(`\n${text}`)));
  try {
    const dir = reportDirOf(ctx.settings, ctx.runId);
    const report = await readReportFile(ctx.settings.workDir, ctx.runId, dir);
    if (!report) return;
    await writeReportFiles(ctx.settings.workDir, { ...report, cleanup: section }, dir);
  } catch (error) {
    ctx.log.warn(`could not add the cleanup outcome to the report: ${(error as Error).message}`);
  }
}
