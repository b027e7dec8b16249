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
 * one TerminateInstances batch, and one DescribeInstances per round confirms
 * every instance still shutting down (polling does not grow with the fleet),
 * journaled as cleanup does (`released` / `release-failed`). The `cleanup` step still runs
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
import type { EC2Client } from "@aws-sdk/client-ec2";
import type { AwsContext } from "../shared/aws-context.ts";
import { configuredRegion, ec2Client } from "../shared/clients.ts";
import { terminateInstancesCommand } from "../shared/release-commands.ts";
import { INSTANCE_RESOURCE } from "../shared/resource-kinds.ts";
import { describeInstanceStates, terminateInstances } from "../shared/terminate.ts";
import { type KeepPolicy, parseKeepPolicy } from "./keep-policy.ts";

/** Step id the early releases' events (logs, AWS calls) carry. */
export const RELEASE_AT_VERDICT_STEP = "release-at-verdict";

/** Upper bound of the wait for `terminated` of an early release, seconds. */
const WAIT_TIMEOUT_SECONDS = 300;

/** Seconds between the DescribeInstances rounds confirming `terminated`. */
const POLL_SECONDS = 5;

/** Instances of one region waiting for `terminated`, and the loop asking. */
interface ConfirmLoop {
  /** `waited`: nominal seconds of rounds the id has been through (before `timeScale`). */
  pending: Map<string, { inst: CleanupInstance; waited: number; resolve: () => void }>;
  /** True while a loop is asking (at most one per region). */
  running: boolean;
}

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
  /** Early releases are not aborted by an interrupt: they are what must happen. */
  readonly #signal = new AbortController().signal;
  readonly #confirming = new Map<string, ConfirmLoop>();

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
    // Queued releases (batch not sent yet) count too.
    while (this.#inFlight.size > 0 || this.#flush) {
      await Promise.all([...this.#inFlight, this.#flush]);
    }
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

  /**
   * Sends one TerminateInstances per region for the batch; accepted ids join
   * the confirmation loop (one DescribeInstances per round for every pending
   * id of the region, so polling does not grow with the fleet). Resolves
   * once every id of the batch is confirmed `terminated` or failed.
   */
  #release(batch: CleanupInstance[]): Promise<void> {
    const ctx = this.#context(batch);
    const byRegion = new Map<string, CleanupInstance[]>();
    for (const inst of batch) {
      const region = inst.region ?? configuredRegion(ctx) ?? "";
      byRegion.set(region, [...(byRegion.get(region) ?? []), { ...inst, region }]);
    }
    const done = Promise.all([...byRegion].map(async ([region, list]) => {
      try {
        const ec2 = await ec2Client(ctx, region);
        ctx.log.info(
          `terminating ${
            list.map((i) => `${i.label ?? i.instanceType ?? ""} ${i.instanceId}`)
              .join(", ")
          }`,
        );
        const sent = await terminateInstances(
          ctx,
          ec2,
          list.map((i) => i.instanceId),
          this.#signal,
        );
        const byId = new Map(list.map((i) => [i.instanceId, i]));
        for (const f of sent.failed) await this.#failed(ctx, byId.get(f.instanceId)!, f.error);
        // Same credentials and endpoint as the launch: NotFound means gone.
        for (const id of sent.gone) await this.#terminated(ctx, byId.get(id)!);
        await Promise.all(sent.accepted.map((id) => this.#confirm(ctx, ec2, byId.get(id)!)));
      } catch (error) {
        for (const inst of list) {
          if (!this.#settled(inst.instanceId)) {
            await this.#failed(ctx, inst, (error as Error).message);
          }
        }
      }
    })).then(() => {}).finally(() => this.#inFlight.delete(done));
    this.#inFlight.add(done);
    return done;
  }

  #settled(instanceId: string): boolean {
    return this.#outcome.terminated.some((t) => t.instanceId === instanceId) ||
      this.#outcome.failed.some((t) => t.instanceId === instanceId);
  }

  async #terminated(ctx: AwsContext, inst: CleanupInstance): Promise<void> {
    this.#terminatedAt.set(inst.instanceId, Date.now());
    this.#outcome.terminated.push({ ...inst, billedSeconds: this.billedSeconds(inst.instanceId) });
    await ctx.journal.updateResource(INSTANCE_RESOURCE, inst.instanceId, "released");
  }

  async #failed(ctx: AwsContext, inst: CleanupInstance, error: string): Promise<void> {
    const command = terminateInstancesCommand(inst.region, [inst.instanceId]);
    this.#outcome.failed.push({ ...inst, error, command });
    await ctx.journal.updateResource(INSTANCE_RESOURCE, inst.instanceId, "release-failed");
    ctx.log.warn(`could not terminate ${inst.instanceId} (${error}); cleanup tries again`);
  }

  /** Resolves once `inst` is confirmed terminated (or failed), via the region's shared loop. */
  #confirm(ctx: AwsContext, ec2: EC2Client, inst: CleanupInstance): Promise<void> {
    const region = inst.region ?? "";
    let loop = this.#confirming.get(region);
    if (!loop) {
      loop = { pending: new Map(), running: false };
      this.#confirming.set(region, loop);
    }
    const entry = loop;
    return new Promise<void>((resolve) => {
      entry.pending.set(inst.instanceId, { inst, waited: 0, resolve });
      if (!entry.running) {
        entry.running = true;
        void this.#poll(ctx, ec2, entry);
      }
    });
  }

  /**
   * One DescribeInstances per round for every pending id of a region, until
   * none is left. `running` is cleared in the same turn as the last check, so
   * an id added later starts a new loop. Never throws: an id that cannot be
   * confirmed is failed (cleanup tries it again).
   */
  async #poll(ctx: AwsContext, ec2: EC2Client, loop: ConfirmLoop): Promise<void> {
    try {
      while (loop.pending.size > 0) {
        await ctx.sleep(POLL_SECONDS, this.#signal);
        const ids = [...loop.pending.keys()];
        let states: Map<string, string> | undefined;
        let problem: string | undefined;
        try {
          states = await describeInstanceStates(ec2, ids, this.#signal);
        } catch (error) {
          problem = `termination not confirmed: ${(error as Error).message}`;
        }
        for (const id of ids) {
          const p = loop.pending.get(id);
          if (!p) continue;
          const state = states?.get(id);
          p.waited += POLL_SECONDS;
          const timedOut = p.waited >= WAIT_TIMEOUT_SECONDS;
          if (problem === undefined && state !== "terminated" && state !== undefined && !timedOut) {
            continue;
          }
          loop.pending.delete(id);
          try {
            if (problem !== undefined) await this.#failed(ctx, p.inst, problem);
            else if (state === "terminated" || state === undefined) {
              await this.#terminated(ctx, p.inst);
            } else await this.#failed(ctx, p.inst, `still ${state} after ${WAIT_TIMEOUT_SECONDS}s`);
          } catch (error) {
            ctx.log.warn(`journal update for ${id} failed: ${(error as Error).message}`);
          } finally {
            p.resolve();
          }
        }
      }
    } finally {
      loop.running = false;
    }
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
