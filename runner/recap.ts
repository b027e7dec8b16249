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

/**
 * Where a resumed run's recap starts: the counts the run had when it stopped.
 * Targets not in `resumedTargets` had finished: their counts are final and
 * their step events in the resumed run (all skips) are not counted again.
 * Resumed targets keep their ok/changed/unchanged figures and time; their
 * failed and skipped steps run again, so those figures start at 0. Skips with
 * `skipReason` (steps done before the resume) are not counted.
 */
export interface RecapSeed {
  counts: RecapCounts;
  resumedTargets: ReadonlySet<string>;
  skipReason: string;
}

/** Folds `step-finished` and `step-skipped` events into {@link RecapCounts}. */
export class RecapTally {
  readonly #pipeline: StepCounts;
  readonly #targets = new Map<string, StepCounts>();
  /** Targets whose counts are final (finished before a resume). */
  readonly #final = new Set<string>();
  readonly #skipReason: string | undefined;

  /** @param seed the counts a resumed run starts from (see {@link RecapSeed}) */
  constructor(seed?: RecapSeed) {
    this.#pipeline = { ...(seed?.counts.pipeline ?? emptyCounts()) };
    this.#skipReason = seed?.skipReason;
    for (const [id, counts] of Object.entries(seed?.counts.targets ?? {})) {
      if (seed!.resumedTargets.has(id)) {
        this.#targets.set(id, { ...counts, failed: 0, skipped: 0 });
      } else {
        this.#targets.set(id, { ...counts });
        this.#final.add(id);
      }
    }
  }

  /** Consumes one event; events other than step ends are ignored. */
  handle(event: RunEvent): void {
    if (event.type !== "step-finished" && event.type !== "step-skipped") return;
    if (event.targetId !== undefined && this.#final.has(event.targetId)) return;
    if (event.type === "step-skipped" && event.reason === this.#skipReason) return;
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
