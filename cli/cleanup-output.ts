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
 * `release-failed`) with its release command; `outcome` is what this
 * invocation did (null when it did nothing, e.g. nothing left to release or
 * not confirmed; an earlier cleanup's outcome is never repeated). Every key is
 * snake_case.
 * @module
 */
import { openResources, readJournal } from "../runner/journal.ts";
import { RECOVERY_JOURNAL_KEY } from "../plugins/aws/release/recover-run.ts";

/** `placementGroupsDeleted` → `placement_groups_deleted`. */
function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** A deep copy of a JSON value with every object key in snake_case. */
export function snakeCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeCaseKeys);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [snakeCase(k), snakeCaseKeys(v)]),
    );
  }
  return value;
}

/**
 * The outcome a cleanup stored in the run's journal (JSON text, or null when
 * none), to tell afterwards whether this invocation stored a new one.
 */
export async function storedCleanupOutcome(workDir: string, runId: string): Promise<string | null> {
  const journal = await readJournal(workDir, runId).catch(() => null);
  const outcome = journal?.values[RECOVERY_JOURNAL_KEY];
  return outcome === undefined ? null : JSON.stringify(outcome);
}

/**
 * The JSON document (see the module documentation); journal unreadable: resources empty.
 * @param before {@link storedCleanupOutcome} from before this invocation: an
 *   outcome still equal to it was not made by this invocation.
 */
export async function cleanupJsonDocument(
  workDir: string,
  runId: string,
  exitCode: number,
  before: string | null = null,
): Promise<Record<string, unknown>> {
  const journal = await readJournal(workDir, runId).catch(() => null);
  const stored = journal?.values[RECOVERY_JOURNAL_KEY];
  const outcome = stored === undefined || JSON.stringify(stored) === before ? null : stored;
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
    outcome: snakeCaseKeys(outcome),
  };
}
