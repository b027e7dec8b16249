/**
 * Release at the verdict (issue 14): an instance the run launched is
 * terminated as soon as its target's verdict is final, unless the keep policy
 * may keep it (see {@link mayKeep}); those wait for the cleanup step's keep
 * decision.
 *
 * The hook is the service registry: `launch` arms one lease per launched
 * target under a key ending `:<target id>`, and the executor closes a
 * target's services the moment the target finishes its last target step,
 * i.e. when its verdict is final (runner/executor.ts `#finishTarget`). The
 * lease's `close()` queues the instance; instances queued together go out in
 * one TerminateInstances batch ({@link releaseResources}), journaled as
 * cleanup does (`released` / `release-failed`). The `cleanup` step still runs
 * last: it waits for these releases ({@link VerdictReleaser.settle}), adds
 * them to its outcome and releases whatever is left, so a pipeline without
 * `launch`'s lease (or whose release failed) stays safe.
 * @module
 */
import type { StepContext, Target } from "../../../runner/types.ts";
import {
  type CleanupInstance,
  type CleanupOutcome,
  emptyCleanupOutcome,
} from "../../report/cleanup-outcome.ts";
import type { AwsContext } from "../shared/aws-context.ts";
import { configuredRegion } from "../shared/clients.ts";
import { type KeepPolicy, parseKeepPolicy } from "./keep-policy.ts";
import { releaseResources } from "./release.ts";

/** Step id the early releases' events (logs, AWS calls) carry. */
export const RELEASE_AT_VERDICT_STEP = "release-at-verdict";

/** Upper bound of the wait for `terminated` of an early release, seconds. */
const WAIT_TIMEOUT_SECONDS = 300;

/** What {@link mayKeep} looks at besides the policy. */
export interface KeepCircumstances {
  /** Prompts are possible (`settings.interactive`). */
  interactive: boolean;
  /** `--yes` (no keep question is asked). */
  yes: boolean;
  /** The run was interrupted (the keep question is not asked). */
  interrupted: boolean;
}

/**
 * Whether the cleanup step may keep this instance under `policy` (same rules
 * as `chooseKept` in clean-up-run.ts): `none` never; `all` always; `functional`
 * when the verdict is `functional`; `ids` when the id is listed; `ask` when the
 * verdict is `functional` and the question will be asked (interactive, no
 * `--yes`, not interrupted).
 */
export function mayKeep(
  policy: KeepPolicy,
  target: Pick<Target, "instanceId" | "verdict">,
  circumstances: KeepCircumstances,
): boolean {
  switch (policy.mode) {
    case "none":
      return false;
    case "all":
      return true;
    case "functional":
      return target.verdict === "functional";
    case "ids":
      return target.instanceId !== undefined && policy.ids.includes(target.instanceId);
    case "ask":
      return target.verdict === "functional" && circumstances.interactive &&
        !circumstances.yes && !circumstances.interrupted;
  }
}

/**
 * The run's early releaser: queues instances whose target finished, sends
 * them in batches and keeps what happened for the cleanup step. Also keeps
 * when each instance was seen running, for the billed time.
 */
export class VerdictReleaser {
  readonly #ctx: StepContext;
  readonly #policy: KeepPolicy;
  readonly #outcome: CleanupOutcome = emptyCleanupOutcome();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #runningAt = new Map<string, number>();
  readonly #terminatedAt = new Map<string, number>();
  #queue: CleanupInstance[] = [];
  #flush: Promise<void> | undefined;

  /** @param ctx the launch step's context (journal, services, settings). */
  constructor(ctx: StepContext) {
    this.#ctx = ctx;
    let policy: KeepPolicy;
    try {
      policy = parseKeepPolicy(ctx.settings.keep);
    } catch {
      // cleanup reports the bad value and keeps nothing; nothing is released early
      // either, so that the one error message comes from cleanup.
      policy = { mode: "all" };
    }
    this.#policy = policy;
  }

  /** Wall-clock ms since the epoch when `instanceId` was seen running, if known. */
  runningAt(instanceId: string): number | undefined {
    return this.#runningAt.get(instanceId);
  }

  /**
   * Seconds from running to terminated (`terminatedAtMs`, default: when an
   * early release confirmed it); undefined when either end is unknown.
   */
  billedSeconds(instanceId: string, terminatedAtMs?: number): number | undefined {
    const start = this.#runningAt.get(instanceId);
    const end = terminatedAtMs ?? this.#terminatedAt.get(instanceId);
    if (start === undefined || end === undefined) return undefined;
    return Math.max(0, Math.round((end - start) / 100) / 10);
  }

  /**
   * Arms the lease of each launched, running-or-starting target: its close
   * (when the target finishes) releases the instance unless it may be kept.
   */
  async arm(targets: readonly Target[]): Promise<void> {
    const now = Date.now();
    for (const target of targets) {
      if (!target.launchedByRun || !target.instanceId) continue;
      if (!this.#runningAt.has(target.instanceId)) this.#runningAt.set(target.instanceId, now);
      await this.#ctx.services.get(`release-at-verdict:${target.id}`, () => ({
        close: () => this.#onFinished(target),
      }));
    }
  }

  /** The instances released early so far, and those that failed (cleanup retries them). */
  async settle(): Promise<CleanupOutcome> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
    return this.#outcome;
  }

  /** Called when the target finished: its verdict is final. */
  #onFinished(target: Target): Promise<void> {
    const instanceId = target.instanceId!;
    const circumstances: KeepCircumstances = {
      interactive: this.#ctx.settings.interactive,
      yes: this.#ctx.settings.yes,
      interrupted: this.#ctx.interrupted,
    };
    if (mayKeep(this.#policy, target, circumstances)) return Promise.resolve();
    this.#queue.push({
      instanceId,
      targetId: target.id,
      label: target.label,
      ...(target.instanceType ? { instanceType: target.instanceType } : {}),
      ...(target.region ? { region: target.region } : {}),
    });
    // Targets finishing in the same turn go out in one batch.
    this.#flush ??= new Promise<void>((resolve) => setTimeout(resolve, 0)).then(() => {
      this.#flush = undefined;
      const batch = this.#queue;
      this.#queue = [];
      return this.#release(batch);
    });
    return this.#flush;
  }

  #release(batch: CleanupInstance[]): Promise<void> {
    const ctx = this.#context(batch);
    const outcome = emptyCleanupOutcome();
    const done = releaseResources(
      ctx,
      {
        terminate: batch,
        placementGroups: [],
        groupsInUse: new Set(),
        defaultRegion: configuredRegion(ctx),
        waitTimeoutSeconds: WAIT_TIMEOUT_SECONDS,
      },
      new AbortController().signal,
      outcome,
    ).catch((error) => {
      ctx.log.warn(`early release failed, cleanup retries it: ${(error as Error).message}`);
    }).then(() => {
      const now = Date.now();
      for (const t of outcome.terminated) {
        this.#terminatedAt.set(t.instanceId, now);
        this.#outcome.terminated.push({ ...t, billedSeconds: this.billedSeconds(t.instanceId) });
      }
      this.#outcome.failed.push(...outcome.failed);
    }).finally(() => this.#inFlight.delete(done));
    this.#inFlight.add(done);
    return done;
  }

  /** The launch context, but its events name this mechanism (and the target of a lone release). */
  #context(batch: CleanupInstance[]): AwsContext {
    const ctx = this.#ctx;
    const targetId = batch.length === 1 ? batch[0].targetId : undefined;
    const target = targetId ? ctx.targets.find((t) => t.id === targetId) : undefined;
    const log = (level: "debug" | "info" | "warn" | "error") => (message: string) =>
      ctx.emit({
        type: "log",
        level,
        message: `release at verdict: ${message}`,
        stepId: RELEASE_AT_VERDICT_STEP,
        ...(targetId ? { targetId } : {}),
      });
    return {
      step: { id: RELEASE_AT_VERDICT_STEP, type: RELEASE_AT_VERDICT_STEP },
      target,
      settings: ctx.settings,
      services: ctx.services,
      emit: (event) => ctx.emit(event),
      log: { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") },
      sleep: (seconds, signal) => ctx.sleep(seconds, signal),
      withConsole: (fn) => ctx.withConsole(fn),
      journal: ctx.journal,
    };
  }
}

/** The releaser of each run, by the run's service registry (one per run). */
const releasers = new WeakMap<object, VerdictReleaser>();

/**
 * Arms release at the verdict for the targets `launch` just added (nothing in
 * a dry run: nothing was launched).
 */
export async function armReleaseAtVerdict(ctx: StepContext): Promise<void> {
  if (ctx.settings.dryRun) return;
  let releaser = releasers.get(ctx.services);
  if (!releaser) {
    releaser = new VerdictReleaser(ctx);
    releasers.set(ctx.services, releaser);
  }
  await releaser.arm(ctx.targets);
}

/** The run's releaser, when `launch` armed one (the cleanup step asks). */
export function verdictReleaser(ctx: Pick<StepContext, "services">): VerdictReleaser | undefined {
  return releasers.get(ctx.services);
}
