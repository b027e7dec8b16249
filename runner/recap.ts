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
 *
 * Each step counts once per target (and once for the pipeline) per run: the
 * tally keeps every step's last result, so on `run --resume` a step that runs
 * again (a resumed target's `connect`, the pipeline's `report` and `cleanup`)
 * replaces its result from before the resume instead of adding to it, and is
 * counted in `rerun`.
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
  /**
   * Steps that ran before a `--resume` and ran again in it (counted once, with
   * their result from the resumed run).
   */
  rerun: number;
}

/** Counts per target id plus those of the pipeline-scope steps. */
export interface RecapCounts {
  /** Pipeline-scope steps (launch, cleanup, report, ...). */
  pipeline: StepCounts;
  /** Target-scope steps, by target id (targets with no step event have none). */
  targets: Record<string, StepCounts>;
}

/** The last result of one step for one target (or for the pipeline). */
export interface StepResult {
  status: "ok" | "failed" | "skipped";
  /** The step's `changed` output, when it has one (ok steps only). */
  changed?: boolean;
  /** Run time, milliseconds (0 for a skip). */
  duration_ms: number;
  /** The step had run before a `--resume` and ran again in it. */
  rerun?: true;
}

/**
 * Every step's last result, by step id: those of the pipeline-scope steps and
 * those of each target (by target id). What the journal keeps so that a
 * resumed run's recap goes on from it.
 */
export interface RecapSteps {
  pipeline: Record<string, StepResult>;
  targets: Record<string, Record<string, StepResult>>;
}

/** All-zero counts. */
export function emptyCounts(): StepCounts {
  return { ok: 0, changed: 0, unchanged: 0, skipped: 0, failed: 0, duration_ms: 0, rerun: 0 };
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
    total.rerun += c.rerun ?? 0;
  }
  return total;
}

/** The counts of a set of step results. */
export function countResults(results: Iterable<StepResult>): StepCounts {
  const counts = emptyCounts();
  for (const r of results) {
    counts.duration_ms += r.duration_ms;
    if (r.rerun) counts.rerun++;
    if (r.status === "skipped") counts.skipped++;
    else if (r.status === "failed") counts.failed++;
    else {
      counts.ok++;
      if (r.changed === true) counts.changed++;
      else if (r.changed === false) counts.unchanged++;
    }
  }
  return counts;
}

/**
 * True when `value` is a {@link RecapSteps} (journals are untyped JSON; those
 * written before step results were kept hold bare counts instead).
 */
export function isRecapSteps(value: unknown): value is RecapSteps {
  const v = value as Partial<RecapSteps> | null | undefined;
  const results = (r: unknown) =>
    r !== null && typeof r === "object" &&
    Object.values(r).every((x) => x !== null && typeof x === "object" && "status" in x);
  return !!v && results(v.pipeline) && v.targets !== null && typeof v.targets === "object" &&
    Object.values(v.targets).every(results);
}

/**
 * Where a resumed run's recap starts: each step's result when the run
 * stopped. Targets not in `resumedTargets` had finished: their results are
 * final and their step events in the resumed run (all skips) are not
 * counted. For the others and for the pipeline-scope steps, a step's event
 * in the resumed run replaces its earlier result, except skips with
 * `skipReason` (steps done before the resume), which keep it.
 */
export interface RecapSeed {
  steps: RecapSteps;
  resumedTargets: ReadonlySet<string>;
  skipReason: string;
}

/** Folds `step-finished` and `step-skipped` events into {@link RecapCounts}, one result per step. */
export class RecapTally {
  /** Every step's last result (results are replaced, never changed in place). */
  readonly #steps: RecapSteps = { pipeline: record(), targets: record() };
  /** Targets whose results are final (finished before a resume). */
  readonly #final = new Set<string>();
  readonly #skipReason: string | undefined;

  /** @param seed the results a resumed run starts from (see {@link RecapSeed}) */
  constructor(seed?: RecapSeed) {
    const copy = (results: Record<string, StepResult>) =>
      Object.assign(
        record<StepResult>(),
        ...Object.entries(results).map(([id, r]) => ({ [id]: { ...r } })),
      );
    this.#steps.pipeline = copy(seed?.steps.pipeline ?? {});
    this.#skipReason = seed?.skipReason;
    for (const [id, results] of Object.entries(seed?.steps.targets ?? {})) {
      this.#steps.targets[id] = copy(results);
      if (!seed!.resumedTargets.has(id)) this.#final.add(id);
    }
  }

  /** Consumes one event; events other than step ends are ignored. */
  handle(event: RunEvent): void {
    if (event.type !== "step-finished" && event.type !== "step-skipped") return;
    if (event.targetId !== undefined && this.#final.has(event.targetId)) return;
    if (event.type === "step-skipped" && event.reason === this.#skipReason) return;
    const results = this.#resultsOf(event.targetId);
    if (event.type === "step-skipped") {
      results[event.stepId] = { status: "skipped", duration_ms: 0 };
      return;
    }
    const before = results[event.stepId];
    const result: StepResult = {
      status: event.status === "ok" ? "ok" : "failed",
      duration_ms: event.durationMs,
    };
    if (event.status === "ok" && event.changed !== undefined) result.changed = event.changed;
    if (before && before.status !== "skipped") result.rerun = true;
    results[event.stepId] = result;
  }

  /** The counts so far. */
  counts(): RecapCounts {
    return {
      pipeline: countResults(Object.values(this.#steps.pipeline)),
      targets: Object.fromEntries(
        Object.entries(this.#steps.targets).map(([id, results]) => [
          id,
          countResults(Object.values(results)),
        ]),
      ),
    };
  }

  /** A copy of every step's result so far (what a resumed run is seeded with). */
  steps(): RecapSteps {
    const copy = (results: Record<string, StepResult>) =>
      Object.fromEntries(Object.entries(results).map(([id, r]) => [id, { ...r }]));
    return {
      pipeline: copy(this.#steps.pipeline),
      targets: Object.fromEntries(
        Object.entries(this.#steps.targets).map(([id, r]) => [id, copy(r)]),
      ),
    };
  }

  /**
   * Every step's result so far, not copied: it keeps changing as events come.
   * For the journal, which serializes it when it writes; copying it at each
   * step end ({@link steps}) would cost the whole fleet's results per step.
   */
  live(): RecapSteps {
    return this.#steps;
  }

  #resultsOf(targetId: string | undefined): Record<string, StepResult> {
    if (targetId === undefined) return this.#steps.pipeline;
    return this.#steps.targets[targetId] ??= record();
  }
}

/**
 * An object without a prototype, for results keyed by step and target ids
 * (an id such as `__proto__` is a plain key there).
 */
function record<T>(): Record<string, T> {
  return Object.create(null);
}
