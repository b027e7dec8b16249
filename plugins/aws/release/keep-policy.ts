/**
 * The `--keep` setting (`RunSettings.keep`): which launched instances cleanup
 * leaves running. Pure and light.
 * @module
 */

/**
 * A parsed `--keep` value.
 * - `none`: terminate every instance of the run.
 * - `all`: keep every instance of the run, whatever its verdict.
 * - `functional`: keep the instances whose PHC verdict is `functional`.
 * - `ids`: keep exactly the listed instance ids.
 * - `ask`: no `--keep` given: ask when interactive, else behave as `none`.
 */
export type KeepPolicy =
  | { mode: "none" | "all" | "functional" | "ask" }
  | { mode: "ids"; ids: string[] };

/**
 * Parses a `--keep` value (`none` | `all` | `functional` | comma-separated
 * instance ids); undefined (no `--keep`) gives `ask`.
 * @param options.idsAccepted false where instance ids are refused anyway (`run`:
 *   see {@link keepIdsProblem}), so the error names only the keywords; default true.
 * @throws Error naming `--keep` and the accepted forms when the value is empty
 *   (`--keep ""`) or an entry is neither a keyword nor an instance id (`i-`
 *   followed by letters/digits).
 */
export function parseKeepPolicy(
  keep: string | undefined,
  options: { idsAccepted?: boolean } = {},
): KeepPolicy {
  if (keep === undefined) return { mode: "ask" };
  const value = keep.trim();
  if (value === "none" || value === "all" || value === "functional") return { mode: value };
  const ids = value.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const bad = ids.filter((id) => !/^i-[0-9a-zA-Z]+$/.test(id));
  if (bad.length > 0 || ids.length === 0) {
    const use = options.idsAccepted === false
      ? "none, all or functional"
      : "none, all, functional or comma-separated instance ids (i-0123456789abcdef0)";
    throw new Error(
      ids.length === 0
        ? `--keep: needs a value (got ${JSON.stringify(keep)}); use ${use}, or leave --keep out ` +
          "to be asked (none when not interactive)"
        : `--keep: "${bad.join(", ")}" is not valid; use ${use}`,
    );
  }
  return { mode: "ids", ids };
}

/** The instances a run is known to own, for checking `--keep` ids (see {@link keepIdsProblem}). */
export interface KnownRunInstances {
  /** The run's id. */
  runId: string;
  /** Every instance id the run's journal lists (any state). */
  instanceIds: readonly string[];
}

/**
 * Why `--keep` instance ids cannot be honoured, or null when they can (or the
 * policy names no ids).
 * - `run` undefined (a new run): the ids of instances a run has not launched
 *   yet cannot be known, so any id is refused, pointing to the keywords and
 *   to `cleanup --run <id> --keep <instance-id>` afterwards.
 * - `run` given (its journal is read: `cleanup --run`, or a run that continues
 *   an earlier one): ids the run does not own are refused, listing the ones it does.
 */
export function keepIdsProblem(policy: KeepPolicy, run?: KnownRunInstances): string | null {
  if (policy.mode !== "ids") return null;
  if (!run) {
    return `${policy.ids.join(", ")}: a new run's instance ids cannot be known before it ` +
      "launches them; use a policy (functional, all or none), or keep instances of a " +
      "finished run with: ptp-runner cleanup --run <run-id> --keep <instance-id>";
  }
  const owned = new Set(run.instanceIds);
  const foreign = policy.ids.filter((id) => !owned.has(id));
  if (foreign.length === 0) return null;
  const list = run.instanceIds.length > 0 ? run.instanceIds.join(", ") : "none";
  return `${foreign.join(", ")} ${foreign.length === 1 ? "is" : "are"} not an instance of ` +
    `run ${run.runId}; its instances: ${list}`;
}
