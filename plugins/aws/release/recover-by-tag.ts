/**
 * `cleanup --run <run-id>` for a run whose journal cannot be read (not valid
 * JSON, missing, not a ptp-runner journal) while its run directory exists:
 * the journal no longer says which account, region or resources the run had,
 * but every instance and placement group the run created carries the tag
 * `ptp-runner:run-id=<run-id>`, so it releases what that tag finds, as
 * `ptp-runner sweep --run <run-id>` does (same regions: `--region`, else the
 * configured region, else every enabled region).
 * @module
 */
import { EXIT } from "../../../runner/errors.ts";
import { journalDir, runLiveness } from "../../../runner/journal.ts";
import { isRunId } from "../../../runner/run-id.ts";
import { TAG_RUN_ID } from "../launch/start-instances.ts";
import type { CleanupRunOptions } from "./recover-run.ts";
import { sweepCommand } from "./sweep.ts";

/** `ptp-runner sweep --run <runId>`: finds a run's instances by their run tag alone. */
export function sweepRunCommandLine(runId: string): string {
  return `ptp-runner sweep --run ${runId}`;
}

/**
 * Whether `cleanup --run` can fall back on the run tag: the id is a run id
 * and its run directory exists (a typo in the id still fails, exit 2).
 */
export async function hasRunDirectory(workDir: string, runId: string): Promise<boolean> {
  if (!isRunId(runId)) return false;
  try {
    return (await Deno.stat(journalDir(workDir, runId))).isDirectory;
  } catch {
    return false;
  }
}

/**
 * Releases the instances and placement groups tagged with the run id, after
 * saying why the journal was not used. Refuses (exit 2) while the run's
 * process still holds its lock, unless `--force`. Without `--yes` it asks in a
 * terminal, else lists only (exit 2, as cleanup does when confirmation is needed).
 * @param why the journal's read error
 * @returns the exit code of `sweep` (0 released or nothing found, 1
 *   credentials refused, 3 something may be left behind), or 2 as above
 */
export async function cleanupRunByTag(
  options: CleanupRunOptions & { workDir: string },
  why: string,
): Promise<number> {
  const print = options.print ?? ((line: string) => console.log(line));
  const liveness = await runLiveness(journalDir(options.workDir, options.runId));
  if (liveness === "alive" && !options.force) {
    print(
      `error: run ${options.runId} is still running (its process holds its lock) and its ` +
        `journal cannot be read (${why}): stop it first, or pass --force; nothing was changed`,
    );
    return EXIT.USAGE;
  }
  print(
    `warning: the journal of run ${options.runId} cannot be read (${why}); looking up what ` +
      `the run created by its tag ${TAG_RUN_ID}=${options.runId} instead (as ` +
      `${sweepRunCommandLine(options.runId)}); the account and region it ran in are unknown`,
  );
  return await sweepCommand({
    region: options.region,
    profile: options.profile,
    endpoint: options.endpoint,
    yes: options.yes,
    ...(options.interactive === undefined ? {} : { interactive: options.interactive }),
    ...(options.timeScale === undefined ? {} : { timeScale: options.timeScale }),
    verbose: options.verbose,
    waitTimeoutSeconds: options.waitTimeoutSeconds,
    runId: options.runId,
    listedOnlyExitCode: EXIT.USAGE,
    services: options.services,
    print,
  });
}
