/**
 * The run recap, in the spirit of Ansible's PLAY RECAP: per target (and for
 * the pipeline-scope steps) how many steps were ok, changed, unchanged,
 * skipped and failed, folded from run events.
 *
 * - `ok`: steps that finished `ok`; of those, `changed` returned
 *   `changed: true` in their output and `unchanged` returned `changed: false`
 *   (a step without a `changed` output counts in `ok` only).
 * - `skipped`: `step-skipped` events (an `if:` was false, the target or the
 *   run had failed, the run was interrupted).
 * - `failed`: steps that finished `failed` or `cancelled` (also
 *   `continue_on_error` ones).
 * - `duration_ms`: the sum of the steps' run times, milliseconds.
 * @module
 */
import type { RunEvent } from "./types.ts";

/** Step counts of one target (or of the pipeline-scope steps). */
export interface StepCounts {
  ok: number;
  changed: number;
  unchanged: number;
  skipped: number;
  failed: number;
  /** Sum of the steps' run times, milliseconds. */
  duration_ms: number;
}

/** Counts per target id plus those of the pipeline-scope steps. */
export interface RecapCounts {
  /** Pipeline-scope steps (launch, cleanup, report, ...). */
  pipeline: StepCounts;
  /** Target-scope steps, by target id (targets with no step event have none). */
  targets: Record<string, StepCounts>;
}

/** All-zero counts. */
export function emptyCounts(): StepCounts {
  return { ok: 0, changed: 0, unchanged: 0, skipped: 0, failed: 0, duration_ms: 0 };
}

/** Sum of several counts. */
export function addCounts(counts: readonly StepCounts[]): StepCounts {
  const total = emptyCounts();
  for (const c of counts) {
    total.ok += c.ok;
    total.changed += c.changed;
    total.unchanged += c.unchanged;
    total.skipped += c.skipped;
    total.failed += c.failed;
    total.duration_ms += c.duration_ms;
  }
  return total;
}

/** Folds `step-finished` and `step-skipped` events into {@link RecapCounts}. */
export class RecapTally {
  readonly #pipeline = emptyCounts();
  readonly #targets = new Map<string, StepCounts>();

  /** Consumes one event; events other than step ends are ignored. */
  handle(event: RunEvent): void {
    if (event.type !== "step-finished" && event.type !== "step-skipped") return;
    const counts = this.#countsOf(event.targetId);
    if (event.type === "step-skipped") {
      counts.skipped++;
      return;
    }
    counts.duration_ms += event.durationMs;
    if (event.status !== "ok") {
      counts.failed++;
      return;
    }
    counts.ok++;
    if (event.changed === true) counts.changed++;
    else if (event.changed === false) counts.unchanged++;
  }

  /** A copy of the counts so far. */
  counts(): RecapCounts {
    return {
      pipeline: { ...this.#pipeline },
      targets: Object.fromEntries([...this.#targets].map(([id, c]) => [id, { ...c }])),
    };
  }

  #countsOf(targetId: string | undefined): StepCounts {
    if (targetId === undefined) return this.#pipeline;
    let counts = this.#targets.get(targetId);
    if (!counts) {
      counts = emptyCounts();
      this.#targets.set(targetId, counts);
    }
    return counts;
  }
}
