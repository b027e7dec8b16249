/**
 * Rollouts in batches: a pipeline's `rollout:` settings (`batch`,
 * `max_fail`), how they turn into batch sizes, and when a rollout stops. In
 * the spirit of Ansible's `serial` and `max_fail_percentage`
 * (docs.ansible.com, "Controlling playbook execution" and "Error handling"):
 *
 * - `batch`: a count (`10`) or a percentage of the targets (`10%`) started
 *   at a time; a percentage is rounded down and gives at least 1 target per
 *   batch; the last batch takes what remains. A batch ends when all of its
 *   targets have finished their target steps; then the next one starts.
 * - `max_fail`: a percentage (`10%`, or `10`). After each batch, when the
 *   share of failed targets among those attempted so far is strictly
 *   greater than it, no new batch starts; the targets not attempted are
 *   reported as `not-attempted` and the run fails (exit 1). `0` stops after
 *   the first batch with a failure; `100%` never stops.
 *
 * Ansible checks the failed share of the current batch; here it is the
 * share of every target attempted so far, so a threshold means the same
 * whatever the batch size.
 * @module
 */
import { z } from "zod";
import type { Target } from "./types.ts";

/** `batch:` after validation: a count or a percentage of the targets. */
export type BatchSize = { count: number } | { percent: number };

/** The validated rollout settings of a run. */
export interface RolloutPlan {
  /** Targets started at a time; undefined = all at once. */
  batch?: BatchSize;
  /** Percentage (0-100) of failed targets among those attempted that, when exceeded, stops. */
  maxFailPercent?: number;
}

const COUNT = /^\s*(\d+)\s*$/;
const PERCENT = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/;

/** Schema of one `batch` value: a positive integer or a percentage in (0, 100]. */
export const BatchValueSchema = z.union([z.number(), z.string()]).transform(
  (value, ctx): BatchSize => {
    const text = String(value);
    const count = COUNT.exec(text);
    if (count && Number(count[1]) >= 1 && Number.isSafeInteger(Number(count[1]))) {
      return { count: Number(count[1]) };
    }
    const percent = PERCENT.exec(text);
    if (percent && Number(percent[1]) > 0 && Number(percent[1]) <= 100) {
      return { percent: Number(percent[1]) };
    }
    ctx.addIssue({
      code: "custom",
      message: `${JSON.stringify(value)} is not a batch size; expected a count of targets ` +
        `of at least 1 (e.g. 10) or a percentage of the targets above 0% and at most 100% ` +
        `(e.g. "10%")`,
    });
    return z.NEVER;
  },
);

/** Schema of one `max_fail` value: a percentage 0-100, as `10%` or `10`. */
export const MaxFailValueSchema = z.union([z.number(), z.string()]).transform(
  (value, ctx): number => {
    const text = String(value);
    const m = PERCENT.exec(text) ?? /^\s*(\d+(?:\.\d+)?)\s*$/.exec(text);
    if (m && Number(m[1]) >= 0 && Number(m[1]) <= 100) return Number(m[1]);
    ctx.addIssue({
      code: "custom",
      message: `${JSON.stringify(value)} is not a failure percentage; expected 0% to 100% ` +
        `(e.g. "10%"; 0 stops after the first batch with a failure, 100% never stops)`,
    });
    return z.NEVER;
  },
);

/**
 * Targets in the next batch: `batch` of `total` targets (a percentage
 * rounded down, at least 1), never more than `remaining`.
 */
export function batchSizeOf(batch: BatchSize | undefined, total: number, remaining: number) {
  if (batch === undefined) return remaining;
  const size = "count" in batch
    ? batch.count
    : Math.max(1, Math.floor(total * batch.percent / 100));
  return Math.min(size, remaining);
}

/** True when `failed` of `attempted` targets is strictly more than `maxFailPercent` percent. */
export function maxFailExceeded(
  failed: number,
  attempted: number,
  maxFailPercent: number | undefined,
): boolean {
  if (maxFailPercent === undefined || attempted === 0) return false;
  return failed * 100 > maxFailPercent * attempted;
}

/** Shows a batch size as written: `10` or `10%`. */
export function formatBatch(batch: BatchSize): string {
  return "count" in batch ? String(batch.count) : `${batch.percent}%`;
}

/**
 * Whether an attempted target counts as failed for `max_fail`: status
 * `failed` or `cancelled`, verdict `misconfigured` or `error`, or
 * `unsupported` when `--fail-on unsupported` makes it fail the run.
 */
export function failsRollout(
  target: Pick<Target, "status" | "verdict">,
  failOn: readonly string[] = [],
): boolean {
  if (target.status === "failed" || target.status === "cancelled") return true;
  if (target.verdict === "misconfigured" || target.verdict === "error") return true;
  return target.verdict === "unsupported" && failOn.includes("unsupported");
}
