/**
 * The executor: runs a validated {@link Pipeline} (DESIGN.md section 2).
 *
 * - Steps run in file order. A pipeline-scope step runs once and is a
 *   barrier. Consecutive target-scope steps form a segment that each target
 *   runs on its own (targets in parallel up to `concurrency`), so a target
 *   never waits for slower ones between steps of a segment. With
 *   `rollout:` (./rollout.ts) a segment's targets run in batches, each
 *   finished before the next starts; once `max_fail` is exceeded no batch
 *   starts, the rest are `not-attempted` and the run fails.
 * - A target whose step fails gets status `failed`, verdict `error` and its
 *   `failure`, and skips its remaining target steps except `always` ones;
 *   the other targets go on. A target a step gave the verdict `unsupported`
 *   (e.g. an unknown distribution, a NIC that is not ENA) likewise skips its
 *   remaining non-`always` target steps, each with a `step-skipped` reason. A failing pipeline-scope step fails the run:
 *   later steps are skipped except `always` ones. `continue_on_error` turns a
 *   failure into a warning.
 * - The first interrupt aborts running steps (except `always` ones), skips
 *   retries and non-`always` steps, then runs the `always` steps with a fresh
 *   signal and `ctx.interrupted` true. An interrupt that comes once only
 *   `always` steps are left (the run's work is done) changes nothing: the
 *   run ends with its own result (it is noted in the log).
 * - The journal is saved after every step (pipeline steps before the next one
 *   starts; target-step results batched, at most `PROGRESS_WRITE_INTERVAL_MS`
 *   later); resources are journaled by the steps at once. A target's own
 *   services (key ending `:<target id>`) close when it finishes (a step of it
 *   abandoned after its grace that still runs keeps them open until it
 *   settles, at most one more grace), the rest at the end.
 * @module
 */
import {
  type ConsoleAccess,
  createStepContext,
  journalWithEvents,
  type RunRuntime,
  stepLogger,
} from "./context.ts";
import { EXIT } from "./errors.ts";
import { EventBus, REDACTED } from "./events.ts";
import { formatLeftBehind, openResources, RunJournal, type RunStatus } from "./journal.ts";
import type { ExpressionScope, Pipeline, ResolvedInputs, StepSpec } from "./pipeline/model.ts";
import { doneBeforeResume, type ResumeState } from "./resume.ts";
import { newRunId } from "./run-id.ts";
import { resolveRollout } from "./pipeline/rollout.ts";
import {
  batchSizeOf,
  failsRollout,
  formatBatch,
  maxFailExceeded,
  type RolloutPlan,
} from "./rollout.ts";
import { type RecapCounts, type RecapSeed, RecapTally } from "./recap.ts";
import { Services } from "./services.ts";
import { messageOf, runStep, type StepOutcome } from "./step-runner.ts";
import type { FailureRecord, ResourceRecord, RunSettings, Target } from "./types.ts";

/** Optional collaborators and knobs of {@link executePipeline}. */
export interface ExecuteOptions {
  /** Run id (default: a new one, or the bus's). */
  runId?: string;
  /** Event bus to emit on (default: a new one); subscribe renderers before calling. */
  bus?: EventBus;
  /** Journal to write (default: created under `settings.workDir`). */
  journal?: RunJournal;
  /** Aborts on the first interrupt (Ctrl-C / SIGTERM). */
  interrupt?: AbortSignal;
  /** Console to pause while a step prompts (`ctx.withConsole`). */
  console?: ConsoleAccess;
  /** Seconds a plugin gets to settle after its signal aborted (default 2). */
  abortGraceSeconds?: number;
  /** Randomness for retry jitter, in [0, 1) (default `Math.random`). */
  random?: () => number;
  /**
   * Resume this run (`run --resume`, see runner/resume.ts): start from its
   * targets and pipeline outputs; steps that finished before are skipped
   * (`doneBeforeResume`), `always` steps and steps holding live state
   * (connect) run again. Pass the run's reopened journal as `journal`.
   */
  resume?: ResumeState;
}

/** What a run came to. */
export interface RunResult {
  runId: string;
  /** Process exit code, see {@link exitCodeOf}. */
  exitCode: number;
  interrupted: boolean;
  /** Targets with their final status, verdicts, facts and outputs. */
  targets: Target[];
  /** Pipeline-scope step outputs by step id. */
  outputs: Record<string, Record<string, unknown>>;
  /** Step failures that failed a target or the run (redacted messages). */
  failures: FailureRecord[];
  /** `continue_on_error` failures of pipeline-scope steps (target ones are on the target). */
  warnings: string[];
  /** Every resource the journal lists, and those still `created`/`release-failed`. */
  resources: ResourceRecord[];
  leftBehind: ResourceRecord[];
  /** Journal directory of the run. */
  journalDir: string;
  /** Wall time of the run, milliseconds. */
  durationMs: number;
  /** Failures of pipeline-scope steps that failed the run (a subset of `failures`). */
  runFailures: FailureRecord[];
  /** Step counts per target and for the pipeline steps (see ./recap.ts). */
  recap: RecapCounts;
}

/**
 * Whether a target fails the run: status `failed`, `cancelled` or
 * `not-attempted` (a rollout stopped on `max_fail`), verdict
 * `misconfigured` or `error`, no verdict when the run gives verdicts
 * (`verdicts`: some target of the run has one; a pipeline that gives none,
 * e.g. a plain command pipeline, passes with every target `done`), or
 * `unsupported` (also a target skipped as unsupported) when `failOn` lists
 * it. `functional` and `unsupported` pass.
 */
export function targetFailsRun(
  target: Pick<Target, "status" | "verdict">,
  options: { failOn?: readonly string[]; verdicts?: boolean } = {},
): boolean {
  if (
    target.status === "failed" || target.status === "cancelled" ||
    target.status === "not-attempted"
  ) return true;
  const verdict = target.verdict ?? (target.status === "skipped" ? "unsupported" : undefined);
  if (verdict === undefined) return options.verdicts === true || target.status !== "done";
  if (verdict === "unsupported") return (options.failOn ?? []).includes("unsupported");
  return verdict !== "functional";
}

/**
 * Exit code of a run that started (see `EXIT` in runner/errors.ts): 130 when
 * interrupted; else 3 when resources may be left behind; else 1 when a step
 * failed (without `continue_on_error`, whatever its error kind: a `usage` or
 * `config` error found once the run started fails the run too) or a target
 * fails the run ({@link targetFailsRun}: `misconfigured`, `error`, no verdict
 * in a run that gives verdicts, `unsupported` with `failOn`); else 0 (every
 * target `functional` or `unsupported`, also a run with zero targets). Never
 * 2: that is a run refused before it starts (bad pipeline, flag or input;
 * nothing created, no journal), which never gets here.
 */
export function exitCodeOf(
  result: Pick<RunResult, "interrupted" | "leftBehind" | "failures" | "targets">,
  failOn: readonly string[] = [],
): number {
  if (result.interrupted) return EXIT.INTERRUPTED;
  if (result.leftBehind.length > 0) return EXIT.LEFT_BEHIND;
  const verdicts = result.targets.some((t) => t.verdict !== undefined);
  const failing = result.targets.filter((t) => targetFailsRun(t, { failOn, verdicts }));
  return result.failures.length === 0 && failing.length === 0 ? EXIT.OK : EXIT.FAILED;
}

/** Reason of the `step-skipped` event of a step a resumed run does not run again. */
export const RESUME_SKIP_REASON = "done before the run was resumed";

/**
 * What a resumed run's recap starts from: each step's result when the run
 * stopped (see ./recap.ts); undefined for a new run or a journal that kept no
 * step results.
 */
export function resumeRecapSeed(resume: ResumeState | undefined): RecapSeed | undefined {
  if (!resume?.recap) return undefined;
  return {
    steps: resume.recap,
    resumedTargets: new Set(resume.resumedTargets),
    skipReason: RESUME_SKIP_REASON,
  };
}

/** A pipeline step or a run of consecutive target steps. */
type Segment = { scope: "pipeline"; step: StepSpec } | { scope: "target"; steps: StepSpec[] };

/** Splits steps into pipeline steps (barriers) and target segments, in file order. */
export function segmentsOf(steps: readonly StepSpec[]): Segment[] {
  const segments: Segment[] = [];
  for (const step of steps) {
    const last = segments.at(-1);
    if (step.plugin.scope === "pipeline") segments.push({ scope: "pipeline", step });
    else if (last?.scope === "target") last.steps.push(step);
    else segments.push({ scope: "target", steps: [step] });
  }
  return segments;
}

/** Inputs as events and the journal show them: values of secret inputs are `***`. */
export function maskSecretInputs(inputs: ResolvedInputs): Record<string, unknown> {
  const out: Record<string, unknown> = { ...inputs.values };
  for (const name of inputs.secrets) if (name in out) out[name] = REDACTED;
  return out;
}

/**
 * Runs `pipeline` with resolved inputs and settings. Never throws for step
 * failures (they are in the result); throws only when the journal cannot be
 * created (e.g. unwritable `settings.workDir`).
 */
export async function executePipeline(
  pipeline: Pipeline,
  inputs: ResolvedInputs,
  settings: RunSettings,
  options: ExecuteOptions = {},
): Promise<RunResult> {
  const runId = options.resume?.runId ?? options.runId ?? options.bus?.runId ?? newRunId();
  const bus = options.bus ??
    new EventBus(runId, { addressNames: options.resume?.addressNames });
  for (const name of inputs.secrets) bus.redactor.add(inputs.values[name]);
  const shownInputs = maskSecretInputs(inputs);
  let journal = options.journal;
  if (!journal) {
    journal = await RunJournal.create(settings.workDir, {
      runId,
      pipeline: { name: pipeline.name, file: pipeline.file },
      // Never an input in clear: secrets `***`, addresses by the run's placeholders.
      inputs: bus.addresses.redact(shownInputs),
      redact: (v) => bus.redactor.redact(v),
      serialize: (v) => bus.redactor.redactJson(v),
    });
  }
  // The run's numbering of addresses (keyed digests), for a later --resume.
  journal.update({ addressNames: bus.addresses.recorded });
  const execution = new Execution(pipeline, inputs, settings, runId, bus, journal, options);
  return await execution.run(shownInputs);
}

/** State of one run. */
class Execution {
  readonly #started = performance.now();
  readonly #outputs: Record<string, Record<string, unknown>> = {};
  readonly #targets: Target[] = [];
  readonly #failures: FailureRecord[] = [];
  readonly #runFailures: FailureRecord[] = [];
  readonly #tally: RecapTally;
  readonly #warnings: string[] = [];
  readonly #finished = new Set<string>();
  /** Closing of finished targets' services, awaited before the run ends. */
  readonly #closing: Promise<void>[] = [];
  /** Per target: steps abandoned after their grace that still run, with that grace. */
  readonly #abandoned = new Map<string, { running: Promise<void>; graceSeconds: number }[]>();
  readonly #runtime: RunRuntime;
  readonly #services: Services;
  readonly #interrupt: AbortSignal;
  /**
   * True once no step an interrupt would cancel is left (only `always` steps
   * follow, e.g. report and cleanup): a signal from then on changes nothing.
   */
  #workDone = false;
  /** True when the interrupt came while the run still had work to cancel. */
  #cancelled = false;
  #runFailed = false;
  /** Ids of the targets a resumed run goes on with (undefined: not a resume). */
  #resumed: Set<string> | undefined;
  /** `rollout:` of the pipeline (batches, max_fail). */
  readonly #rollout: RolloutPlan;
  /** Ids of targets whose batch started (the `max_fail` denominator). */
  readonly #attempted = new Set<string>();
  /** Why the rollout stopped, once `max_fail` was exceeded. */
  #rolloutStopped: string | undefined;

  constructor(
    readonly pipeline: Pipeline,
    readonly inputs: ResolvedInputs,
    readonly settings: RunSettings,
    readonly runId: string,
    readonly bus: EventBus,
    readonly journal: RunJournal,
    readonly options: ExecuteOptions,
  ) {
    this.#interrupt = options.interrupt ?? new AbortController().signal;
    this.#tally = new RecapTally(resumeRecapSeed(options.resume));
    if (this.#interrupt.aborted) this.#cancelled = true;
    else this.#interrupt.addEventListener("abort", () => this.#onInterrupt(), { once: true });
    if (options.resume) {
      Object.assign(this.#outputs, options.resume.outputs);
      this.#targets.push(...options.resume.targets);
      this.#resumed = new Set(options.resume.resumedTargets);
    }
    this.#rollout = resolveRollout(pipeline, inputs);
    bus.subscribe((event) => this.#tally.handle(event));
    const log = stepLogger(bus);
    this.#services = new Services((key, error) =>
      log.warn(`closing service ${key} failed: ${messageOf(error)}`)
    );
    this.#runtime = {
      runId,
      pipelineName: pipeline.name,
      inputs: inputs.values,
      outputs: this.#outputs,
      targets: this.#targets,
      bus,
      services: this.#services,
      journal: journalWithEvents(journal, bus),
      settings,
      console: options.console,
      isInterrupted: () => this.#cancelled,
      onTargetsAdded: () => {
        this.#persist();
      },
      runFailures: this.#runFailures,
      recap: () => this.#tally.counts(),
    };
  }

  async run(shownInputs: Record<string, unknown>): Promise<RunResult> {
    this.bus.emit({
      type: "run-started",
      pipeline: this.pipeline.name,
      file: this.pipeline.file,
      inputs: shownInputs,
    });
    const resume = this.options.resume;
    if (resume) {
      // The run's targets come from the journal, not from a step's addTargets:
      // announce them so the console (labels, recap) and --log-json know them.
      for (const t of this.#targets) {
        this.bus.emit({
          type: "target-added",
          targetId: t.id,
          label: t.label,
          ...(t.instanceType ? { instanceType: t.instanceType } : {}),
        });
      }
      const kept = this.#targets.length - resume.resumedTargets.length;
      stepLogger(this.bus).info(
        `resuming run ${this.runId}: ${resume.resumedTargets.length} target(s) go on from the ` +
          `step where they stopped${
            resume.resumedTargets.length > 0 ? ` (${resume.resumedTargets.join(", ")})` : ""
          }; ` +
          `${kept} finished target(s) keep their verdicts`,
      );
    }
    const segments = segmentsOf(this.pipeline.steps);
    const lastTargetSegment = segments.findLastIndex((s) => s.scope === "target");
    const lastWorkSegment = segments.findLastIndex((s) =>
      s.scope === "pipeline" ? !s.step.always : s.steps.some((step) => !step.always)
    );
    this.#workDone = lastWorkSegment < 0;
    for (const [index, segment] of segments.entries()) {
      if (segment.scope === "pipeline") await this.#runPipelineStep(segment.step);
      else await this.#runTargetSegment(segment.steps, index === lastTargetSegment);
      if (index >= lastWorkSegment) this.#workDone = true;
      // No target step follows: targets (also those added by later pipeline
      // steps) are final, so steps like report see their final status.
      if (index >= lastTargetSegment) {
        for (const target of this.#targets) this.#finishTarget(target);
      }
    }
    for (const target of this.#targets) this.#finishTarget(target);
    await Promise.all(this.#closing);
    await this.#services.closeAll();

    const interrupted = this.#cancelled;
    const resources = [...this.journal.resources()];
    const leftBehind = openResources(resources);
    const partial = {
      interrupted,
      leftBehind,
      resources,
      failures: this.#failures,
      targets: this.#targets,
    };
    const exitCode = exitCodeOf(partial, this.settings.failOn);
    if (leftBehind.length > 0) {
      stepLogger(this.bus).error(formatLeftBehind(leftBehind, this.runId));
    }
    const durationMs = Math.round(performance.now() - this.#started);
    const status: RunStatus = interrupted
      ? "interrupted"
      : exitCode === EXIT.LEFT_BEHIND
      ? "left-behind"
      : exitCode === EXIT.OK
      ? "succeeded"
      : "failed";
    this.journal.update({ status, exitCode, finishedAt: new Date().toISOString() });
    await this.#persist(false);
    this.bus.emit({ type: "run-finished", exitCode, durationMs, interrupted });
    return {
      runId: this.runId,
      exitCode,
      interrupted,
      targets: this.#targets,
      outputs: this.#outputs,
      failures: this.#failures,
      warnings: this.#warnings,
      resources,
      leftBehind,
      journalDir: this.journal.dir,
      durationMs,
      runFailures: this.#runFailures,
      recap: this.#tally.counts(),
    };
  }

  /** Saves outputs and targets to the journal; a failed save is logged, not thrown. */
  #persist(progress = true): Promise<void> {
    this.journal.update({
      outputs: this.#outputs,
      targets: this.#targets,
      failures: this.#failures,
      // Serialized when the journal writes (throttled), not copied per step end.
      recap: this.#tally.live(),
    });
    return this.journal.save({ progress }).catch((error) => {
      stepLogger(this.bus).error(`writing the run journal failed: ${messageOf(error)}`);
    });
  }

  #scope(target?: Target): ExpressionScope {
    const steps: ExpressionScope["steps"] = {};
    for (const [id, outputs] of Object.entries(this.#outputs)) steps[id] = { outputs };
    if (target) {
      for (const [id, outputs] of Object.entries(target.outputs)) steps[id] = { outputs };
    }
    return {
      inputs: this.inputs.values,
      steps,
      target: target as unknown as Record<string, unknown> | undefined,
      run: { id: this.runId },
    };
  }

  /** Runs the step (unless skipped) and returns its outcome. */
  #execute(step: StepSpec, target?: Target): Promise<StepOutcome> {
    // `always` steps are not aborted by the interrupt: they are what runs after it.
    const signal = step.always ? new AbortController().signal : this.#interrupt;
    const graceSeconds = Math.max(
      this.options.abortGraceSeconds ?? 2,
      step.plugin.abortGraceSeconds ?? 0,
    );
    return runStep({
      step,
      ctx: createStepContext(this.#runtime, { id: step.id, type: step.uses }, target),
      scope: this.#scope(target),
      signal,
      interrupt: this.#interrupt,
      bus: this.bus,
      timeScale: this.settings.timeScale,
      graceSeconds,
      ...(target
        ? {
          onAbandoned: (running: Promise<void>) => {
            const list = this.#abandoned.get(target.id) ?? [];
            list.push({ running, graceSeconds });
            this.#abandoned.set(target.id, list);
          },
        }
        : {}),
      random: this.options.random ?? Math.random,
    });
  }

  #skip(step: StepSpec, reason: string, target?: Target): void {
    this.bus.emit({
      type: "step-skipped",
      stepId: step.id,
      stepType: step.uses,
      ...(target ? { targetId: target.id } : {}),
      reason,
    });
  }

  #failureRecord(
    step: StepSpec,
    outcome: { kind: string; message: string; stack?: string },
  ): FailureRecord {
    const redact = (text: string) => this.bus.redactor.redactText(text);
    return {
      stepId: step.id,
      stepType: step.uses,
      kind: outcome.kind,
      message: redact(outcome.message),
      ...(outcome.stack === undefined ? {} : { stack: redact(outcome.stack) }),
    };
  }

  /**
   * The first interrupt: it cancels the run while steps it would abort are
   * left; once only `always` steps are left (or the run is closing) the run's
   * work is done and its result stands: the signal is only noted.
   */
  #onInterrupt(): void {
    if (!this.#workDone) {
      this.#cancelled = true;
      return;
    }
    stepLogger(this.bus).info(
      "signal after the run's work was done (only always-steps were left): the result stands",
    );
  }

  async #runPipelineStep(step: StepSpec): Promise<void> {
    if (this.options.resume && doneBeforeResume(step, this.options.resume.outputs)) {
      this.#skip(step, RESUME_SKIP_REASON);
      return;
    }
    if (!step.always && (this.#cancelled || this.#runFailed)) {
      this.#skip(step, this.#cancelled ? "run interrupted" : "run failed");
      return;
    }
    const outcome = await this.#execute(step);
    if (outcome.status === "ok") {
      this.#outputs[step.id] = outcome.output;
    } else if (outcome.status === "failed" || outcome.status === "cancelled") {
      const record = this.#failureRecord(step, outcome);
      if (step.continueOnError) {
        const warning = `step "${step.id}" failed (continue_on_error): ${record.message}`;
        this.#warnings.push(warning);
        stepLogger(this.bus, step.id).warn(warning);
      } else {
        this.#failures.push(record);
        this.#runFailures.push(record);
        this.#runFailed = true;
      }
    }
    await this.#persist();
  }

  /**
   * Runs a target segment: the targets in batches (`rollout.batch`, default
   * all at once), each batch with up to `concurrency` targets in parallel
   * and finished before the next starts. Before each batch, `max_fail` is
   * checked: once exceeded, the targets not yet started become
   * `not-attempted` and the run fails.
   */
  async #runTargetSegment(steps: StepSpec[], isLast: boolean): Promise<void> {
    // Targets that will not run (skipped at launch, failed earlier) take no batch slot:
    // they go first, only to skip the steps and finish.
    const runs = (t: Target) => t.status === "pending" || t.status === "running";
    await this.#runBatch(this.#targets.filter((t) => !runs(t)), steps, isLast);
    const queue = this.#targets.filter(runs);
    const sizes: number[] = [];
    for (let left = queue.length; left > 0;) {
      const size = batchSizeOf(this.#rollout.batch, queue.length, left);
      sizes.push(size);
      left -= size;
    }
    let start = 0;
    for (const [index, size] of sizes.entries()) {
      const batch = queue.slice(start, start + size);
      start += size;
      this.#checkMaxFail(index, sizes.length);
      if (this.#rolloutStopped !== undefined) {
        for (const target of batch) this.#markNotAttempted(target);
      } else {
        for (const target of batch) this.#attempted.add(target.id);
        if (this.#rollout.batch && sizes.length > 1) {
          stepLogger(this.bus).info(
            `batch ${index + 1} of ${sizes.length}: ${batch.length} target(s) ` +
              `(batch ${formatBatch(this.#rollout.batch)} of ${queue.length})`,
          );
        }
      }
      await this.#runBatch(batch, steps, isLast);
    }
  }

  /** Runs one batch's targets through `steps`, up to `concurrency` at once. */
  async #runBatch(batch: Target[], steps: StepSpec[], isLast: boolean): Promise<void> {
    if (batch.length === 0) return;
    let next = 0;
    const worker = async () => {
      while (next < batch.length) {
        const target = batch[next++];
        await this.#runTargetSteps(target, steps);
        if (isLast) this.#finishTarget(target);
      }
    };
    const workers = Math.max(1, Math.min(this.pipeline.concurrency, batch.length));
    await Promise.all(Array.from({ length: workers }, worker));
  }

  /**
   * Before batch `index` (0-based) of `count`: stops the rollout when the
   * failed share of the targets attempted so far exceeds `max_fail`, and
   * records that as a failure of the run.
   */
  #checkMaxFail(index: number, count: number): void {
    if (this.#rolloutStopped !== undefined || this.#cancelled) return;
    const limit = this.#rollout.maxFailPercent;
    const attempted = this.#targets.filter((t) => this.#attempted.has(t.id));
    const failed = attempted.filter((t) => failsRollout(t, this.settings.failOn)).length;
    if (!maxFailExceeded(failed, attempted.length, limit)) return;
    const left = this.#targets.filter((t) => t.status === "pending").length;
    const share = (failed * 100 / attempted.length).toFixed(1).replace(/\.0$/, "");
    this.#rolloutStopped = `the rollout stopped before batch ${index + 1} of ${count}: ` +
      `${failed} of ${attempted.length} attempted target(s) failed (${share}%), ` +
      `more than max_fail ${limit}%`;
    const record: FailureRecord = {
      stepId: "rollout",
      stepType: "rollout",
      kind: "max-fail",
      message: `${this.#rolloutStopped}; ${left} target(s) not attempted`,
    };
    this.#failures.push(record);
    this.#runFailures.push(record);
    this.#runFailed = true;
    stepLogger(this.bus).error(record.message);
  }

  /** A target the stopped rollout never started: status `not-attempted`, with why. */
  #markNotAttempted(target: Target): void {
    if (target.status !== "pending") return;
    target.status = "not-attempted";
    target.verdictReason ??= this.#rolloutStopped;
  }

  #targetSkipReason(target: Target, step: StepSpec): string | undefined {
    if (
      target.status === "skipped" || target.status === "done" ||
      target.status === "not-attempted"
    ) return `target ${target.status}`;
    if (this.#resumed?.has(target.id) && doneBeforeResume(step, target.outputs)) {
      return RESUME_SKIP_REASON;
    }
    if (step.always) return undefined;
    if (this.#cancelled) return "run interrupted";
    if (this.#runFailed) return "run failed";
    if (target.status === "failed" || target.status === "cancelled") {
      return `target ${target.status} at step "${target.failure?.stepId ?? "?"}"`;
    }
    // A verdict of `unsupported` is final: nothing more is done to that host.
    if (target.verdict === "unsupported") {
      return `target unsupported${target.verdictReason ? ` (${target.verdictReason})` : ""}`;
    }
    return undefined;
  }

  async #runTargetSteps(target: Target, steps: StepSpec[]): Promise<void> {
    for (const step of steps) {
      const reason = this.#targetSkipReason(target, step);
      if (reason) {
        this.#skip(step, reason, target);
        continue;
      }
      if (target.status === "pending") target.status = "running";
      const outcome = await this.#execute(step, target);
      if (outcome.status === "ok") {
        target.outputs[step.id] = outcome.output;
      } else if (outcome.status === "failed" || outcome.status === "cancelled") {
        const record = this.#failureRecord(step, outcome);
        if (step.continueOnError) {
          const warning = `step "${step.id}" failed (continue_on_error): ${record.message}`;
          target.warnings.push(warning);
          stepLogger(this.bus, step.id, target.id).warn(warning);
        } else {
          this.#failures.push(record);
          target.failure ??= record;
          if (outcome.status === "cancelled" && target.status !== "failed") {
            target.status = "cancelled";
          } else {
            target.status = "failed";
            target.verdict = "error";
            target.verdictReason ??= `step "${step.id}" failed: ${record.message}`;
          }
        }
      }
      // Not awaited: the target goes on while the (throttled) write happens; the
      // run's final save waits for it. Resources are journaled at once by the steps.
      void this.#persist();
    }
  }

  /** Gives the target its final status (once) and emits `target-finished`. */
  #finishTarget(target: Target): void {
    if (this.#finished.has(target.id)) return;
    this.#finished.add(target.id);
    // The target's own services (key ending ":<target id>", e.g. its SSH session) go now,
    // or, when a step of it was abandoned and still runs (e.g. a rollback), once that step
    // settled or one more grace passed: its commands must not lose their session halfway.
    const suffix = `:${target.id}`;
    const close = () => this.#services.closeWhere((key) => key.endsWith(suffix));
    const abandoned = this.#abandoned.get(target.id) ?? [];
    this.#abandoned.delete(target.id);
    this.#closing.push(
      abandoned.length === 0 ? close() : settledOrAfter(abandoned).then(close),
    );
    if (target.status === "pending" || target.status === "running") {
      target.status = this.#cancelled ? "cancelled" : "done";
    }
    const reason = target.verdictReason ?? target.failure?.message;
    this.bus.emit({
      type: "target-finished",
      targetId: target.id,
      label: target.label,
      status: target.status,
      ...(target.verdict ? { verdict: target.verdict } : {}),
      ...(reason ? { reason } : {}),
    });
  }
}

/**
 * Resolves when every abandoned step settled, or after the longest of their
 * graces (seconds), whichever comes first. Never rejects.
 */
function settledOrAfter(
  abandoned: readonly { running: Promise<void>; graceSeconds: number }[],
): Promise<void> {
  const seconds = Math.max(...abandoned.map((a) => a.graceSeconds));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, seconds * 1000)));
  return Promise.race([Promise.all(abandoned.map((a) => a.running)).then(() => {}), bound])
    .finally(() => clearTimeout(timer));
}
