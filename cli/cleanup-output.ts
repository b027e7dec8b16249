/**
 * `ptp-runner cleanup --run <id> --output json`: after the cleanup, one JSON
 * document on stdout from the run's journal (the cleanup's text lines go to
 * stderr):
 *
 * ```json
 * { "run_id": "...", "exit_code": 0,
 *   "resources": [{ "kind": "ec2-instance", "id": "i-...", "region": "...", "state": "released" }],
 *   "still_open": [], "kept": [],
 *   "outcome": { "terminated": [...], "kept": [...], "failed": [...], ... } }
 * ```
 *
 * `still_open` lists what may be left behind (state `created` or
 * `release-failed`) with its release command; `outcome` is what this cleanup
 * did (null when it did nothing, e.g. nothing to release or not confirmed).
 * @module
 */
import { openResources, readJournal } from "../runner/journal.ts";
import { RECOVERY_JOURNAL_KEY } from "../plugins/aws/release/recover-run.ts";

/** The JSON document (see the module documentation); journal unreadable: resources empty. */
export async function cleanupJsonDocument(
  workDir: string,
  runId: string,
  exitCode: number,
): Promise<Record<string, unknown>> {
  const journal = await readJournal(workDir, runId).catch(() => null);
  const resources = journal?.resources ?? [];
  const shown = (r: (typeof resources)[number]) => ({
    kind: r.kind,
    id: r.id,
    region: r.region ?? null,
    state: r.state,
  });
  return {
    run_id: runId,
    exit_code: exitCode,
    resources: resources.map(shown),
    still_open: openResources(resources).map((r) => ({
      ...shown(r),
      release_command: r.releaseCommand ?? null,
    })),
    kept: resources.filter((r) => r.state === "kept").map(shown),
    outcome: journal?.values[RECOVERY_JOURNAL_KEY] ?? null,
  };
}
