/**
 * Which instances `sweep` touches: those of one owner (the `ptp-runner:owner`
 * tag, the IAM ARN that launched them; default the current identity, `any`
 * for every owner), with `--older-than` only those launched longer ago, and
 * with `--run` only those tagged `ptp-runner:run-id=<run-id>` (one run's).
 * @module
 */
import type { SweptInstance } from "./sweep.ts";

/** The owner filter meaning "every owner". */
export const ANY_OWNER = "any";

/** What `sweep` filters on. */
export interface SweepFilter {
  /** IAM ARN the `ptp-runner:owner` tag must equal, or {@link ANY_OWNER}. */
  owner: string;
  /** Minimum age in seconds (`--older-than`); undefined = any age. */
  olderThanSeconds?: number;
  /** `--run`: only instances whose `ptp-runner:run-id` tag is this run id; undefined = any run. */
  runId?: string;
}

/**
 * Instances matching `filter`. An instance without an owner tag matches only
 * `any`; one without a known age never matches `--older-than`; one without a
 * run tag never matches `--run`.
 */
export function filterSwept(
  instances: readonly SweptInstance[],
  filter: SweepFilter,
): SweptInstance[] {
  return instances.filter((i) =>
    (filter.owner === ANY_OWNER || i.owner === filter.owner) &&
    (filter.olderThanSeconds === undefined ||
      (i.ageSeconds !== undefined && i.ageSeconds >= filter.olderThanSeconds)) &&
    (filter.runId === undefined || i.runId === filter.runId)
  );
}

/** One line saying what the filter left out, e.g. `3 instance(s) of other owners not shown (--owner any)`; null when nothing. */
export function filteredOutLine(all: number, kept: number, filter: SweepFilter): string | null {
  const hidden = all - kept;
  if (hidden <= 0) return null;
  const why = [
    filter.owner === ANY_OWNER ? null : `other owners (--owner ${ANY_OWNER} shows them)`,
    filter.olderThanSeconds === undefined ? null : "younger than --older-than",
    filter.runId === undefined ? null : "other runs",
  ].filter((x) => x !== null).join(" or ");
  return `${hidden} instance(s) of ${why} left alone`;
}
