/**
 * The line a stopped run ends with when it can be resumed: some target did
 * not finish and instances of the run are still running (kept with `--keep`,
 * or not released), so `run --resume <run-id>` can go on where each target
 * stopped (see README "Resume").
 * @module
 */
import type { ResourceRecord, Target } from "../runner/types.ts";

/**
 * The hint, or undefined when there is nothing to resume: every target
 * finished, no instance of the run runs any more, or the run was a check
 * (`--dry-run`) or simulated (its instances end with the process).
 * @param run.file the pipeline file as the user gave it
 * @param run.resources the journal's resources after cleanup
 */
export function resumeHint(run: {
  runId: string;
  file: string;
  targets: readonly Pick<Target, "status">[];
  resources: readonly ResourceRecord[];
  dryRun: boolean;
  simulated: boolean;
}): string | undefined {
  if (run.dryRun || run.simulated) return undefined;
  const unfinished = run.targets.some((t) => t.status !== "done" && t.status !== "skipped");
  const running = run.resources.some((r) =>
    r.kind === "ec2-instance" && (r.state === "kept" || r.state === "created")
  );
  if (!unfinished || !running) return undefined;
  return `to go on where each target stopped: ptp-runner run ${run.file} --resume ${run.runId} ` +
    "(with the same --set and --config)";
}
