/**
 * Completes a run's report once the run has ended: the report step runs
 * before cleanup, so its exit code is provisional and its recap lacks the
 * last steps. {@link finalizeReport} rewrites every report file with the
 * final run section and recap.
 * @module
 */
import type { RecapCounts } from "../../runner/recap.ts";
import type { FailureRecord, ResourceRecord } from "../../runner/types.ts";
import { recapSection, runOutcome } from "./build.ts";
import type { Report, RunOutcome } from "./model.ts";
import { leftBehindSection } from "./left-behind.ts";
import { redactDeep } from "./redact.ts";
import { readReportFile, type ReportFiles, writeReportFiles } from "./write.ts";

/** The run's final figures, as the executor returns them. */
export interface FinalRunFigures {
  status: RunOutcome["status"];
  exitCode: number;
  /** Failures of pipeline-scope steps that failed the run (already redacted of secrets). */
  runFailures: readonly FailureRecord[];
  failOn?: readonly string[];
  recap: RecapCounts;
  /** Wall time of the run, milliseconds. */
  durationMs: number;
  /** The signal that interrupted the run, when it was interrupted. */
  signal?: "SIGINT" | "SIGTERM" | "SIGHUP";
  /**
   * The run's resources as its journal holds them at the end: the open ones
   * (`created`, `release-failed`) make the report's `left_behind`.
   */
  resources?: readonly ResourceRecord[];
  /** True when a second signal made the run exit at once (cleanup did not finish). */
  forcedExit?: boolean;
}

/**
 * The report with the final run section, recap and wall time. Pure but for
 * `addressNames` (the run's IP numbering, see runner/address-names.ts), which
 * names the addresses of the run section as the report and log do; without
 * it they are unnumbered (`[IPv4]`).
 */
export function withFinalFigures(
  report: Report,
  figures: FinalRunFigures,
  addressNames?: (text: string) => string,
): Report {
  const run = redactDeep(
    runOutcome({
      status: figures.status,
      exitCode: figures.exitCode,
      failures: figures.runFailures,
      failOn: figures.failOn,
    }),
    { ips: report.redacted, numbered: false, ...(addressNames ? { names: addressNames } : {}) },
  );
  return {
    ...report,
    wall_time_seconds: Math.round(figures.durationMs) / 1000,
    run,
    recap: recapSection(report.targets, figures.recap),
    ...(figures.signal ? { interrupted: true, interrupted_by: figures.signal } : {}),
    ...(figures.forcedExit ? { forced_exit: true } : {}),
    ...(figures.resources
      ? {
        left_behind: redactDeep(leftBehindSection(figures.resources, report.run_id), {
          ips: report.redacted,
          numbered: false,
        }),
      }
      : {}),
  };
}

/**
 * Rewrites the report files in `dir` with the final figures; returns their
 * paths, or null when the run wrote no report there.
 * @throws file-system errors, or an Error naming a report.json that is invalid.
 */
export async function finalizeReport(
  workDir: string,
  runId: string,
  dir: string,
  figures: FinalRunFigures,
  addressNames?: (text: string) => string,
): Promise<ReportFiles | null> {
  const report = await readReportFile(workDir, runId, dir);
  if (!report) return null;
  return await writeReportFiles(workDir, withFinalFigures(report, figures, addressNames), dir);
}
