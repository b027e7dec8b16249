/**
 * Cleans up a run's AWS resources for the `cleanup` step (imported lazily by `steps/cleanup.ts`):
 * decides which launched instances stay (`--keep`, or a multi-select when
 * interactive), terminates the rest, deletes the run's placement group,
 * records the {@link CleanupOutcome} in the journal and the report, and fails
 * when anything is left behind.
 * @module
 */
import { StepError } from "../../../runner/errors.ts";
import type { ResourceRecord, StepContext, Target } from "../../../runner/types.ts";
import {
  CLEANUP_JOURNAL_KEY,
  type CleanupInstance,
  type CleanupOutcome,
  emptyCleanupOutcome,
} from "../../report/cleanup-outcome.ts";
import { configuredRegion } from "../shared/clients.ts";
import { type KeepPolicy, parseKeepPolicy } from "./keep-policy.ts";
import { ask, PromptInterrupted } from "../shared/prompts.ts";
import { releaseResources } from "./release.ts";
import { verdictReleaser } from "./release-at-verdict.ts";
import { INSTANCE_RESOURCE, PLACEMENT_GROUP_RESOURCE } from "../shared/resource-kinds.ts";
import { terminateInstancesCommand } from "../shared/release-commands.ts";
import { journalRunAccount } from "../shared/recorded-account.ts";
import type { CleanupInput } from "../../../steps/cleanup.ts";

/** Resource states cleanup still has to deal with. */
function open(resource: ResourceRecord): boolean {
  return resource.state === "created" || resource.state === "release-failed";
}

/**
 * Instances of this run still to deal with: journal `ec2-instance` resources in
 * state `created`/`release-failed`, plus launched targets the journal lacks
 * (recorded first).
 */
export async function openInstances(ctx: StepContext): Promise<CleanupInstance[]> {
  const targetsById = new Map(ctx.targets.map((t) => [t.id, t]));
  const targetsByInstance = new Map(
    ctx.targets.filter((t) => t.instanceId).map((t) => [t.instanceId!, t]),
  );
  const resources = ctx.journal.resources().filter((r) => r.kind === INSTANCE_RESOURCE);
  const account = journalRunAccount(ctx.journal);
  for (const t of ctx.targets) {
    if (!t.launchedByRun || !t.instanceId) continue;
    if (resources.some((r) => r.id === t.instanceId)) continue;
    await ctx.journal.recordResource({
      kind: INSTANCE_RESOURCE,
      id: t.instanceId,
      region: t.region,
      state: "created",
      targetId: t.id,
      releaseCommand: terminateInstancesCommand(t.region, [t.instanceId]),
      detail: {
        instanceType: t.instanceType,
        ...(account ? { account: account.account, region: t.region ?? account.region } : {}),
      },
    });
  }
  return ctx.journal.resources()
    .filter((r) => r.kind === INSTANCE_RESOURCE && open(r))
    .map((r) => {
      const target = targetsByInstance.get(r.id) ??
        (r.targetId ? targetsById.get(r.targetId) : undefined);
      const instanceType = target?.instanceType ??
        (typeof r.detail?.instanceType === "string" ? r.detail.instanceType : undefined);
      return {
        instanceId: r.id,
        ...(target ? { targetId: target.id, label: target.label } : {}),
        ...(instanceType ? { instanceType } : {}),
        ...(r.region ?? target?.region ? { region: r.region ?? target?.region } : {}),
      };
    });
}

/**
 * Which instances to keep, per the policy: `all`, `functional` (verdict
 * functional), listed ids, or for `ask` a multi-select of the functional ones
 * when interactive (not after an interrupt, not with `--yes`); else none.
 * @returns the instance ids to keep.
 */
export async function chooseKept(
  ctx: StepContext,
  instances: CleanupInstance[],
  policy: KeepPolicy,
): Promise<Set<string>> {
  const verdictOf = (i: CleanupInstance): Target | undefined =>
    ctx.targets.find((t) => t.instanceId === i.instanceId);
  const functional = instances.filter((i) => verdictOf(i)?.verdict === "functional");
  switch (policy.mode) {
    case "none":
      return new Set();
    case "all":
      return new Set(instances.map((i) => i.instanceId));
    case "functional":
      return new Set(functional.map((i) => i.instanceId));
    case "ids": {
      const ours = new Set(instances.map((i) => i.instanceId));
      const foreign = policy.ids.filter((id) => !ours.has(id));
      if (foreign.length > 0) {
        ctx.log.warn(
          `--keep names instances this run does not own or has released: ${foreign.join(", ")}`,
        );
      }
      return new Set(policy.ids.filter((id) => ours.has(id)));
    }
    case "ask": {
      if (
        ctx.interrupted || !ctx.settings.interactive || ctx.settings.yes || functional.length === 0
      ) {
        return new Set();
      }
      try {
        const chosen = await ask(ctx, (p) =>
          p.checkbox(
            "Keep which instances with a functional PHC running? (the others are terminated)",
            functional.map((i) => ({
              value: i.instanceId,
              name: `${i.label ?? i.instanceType ?? ""} ${i.instanceId}`.trim(),
            })),
          ));
        return new Set(chosen);
      } catch (error) {
        if (!(error instanceof PromptInterrupted)) throw error;
        ctx.log.warn("the keep question was closed with Ctrl-C: keeping nothing");
        return new Set();
      }
    }
  }
}

/** Hands the outcome to the report (plugins/report/record-cleanup.ts). */
async function recordInReport(ctx: StepContext, outcome: CleanupOutcome): Promise<void> {
  try {
    const { recordCleanupInReport } = await import("../../report/record-cleanup.ts");
    await recordCleanupInReport(ctx, outcome);
  } catch (error) {
    ctx.log.warn(`could not add the cleanup outcome to the report: ${(error as Error).message}`);
  }
}

/** One line per left-behind resource with its copy-paste command. */
export function leftBehindLines(outcome: CleanupOutcome): string[] {
  return [
    ...outcome.failed.map((f) => `${f.instanceId} (${f.error}): ${f.command}`),
    ...outcome.placementGroupsFailed.map((g) =>
      `placement group ${g.name} (${g.error}): ${g.command}`
    ),
  ];
}

/**
 * Runs the cleanup step.
 * @returns the outcome (also stored under {@link CLEANUP_JOURNAL_KEY}).
 * @throws StepError listing every left-behind resource with its AWS CLI command
 *   when something could not be released; the signal's reason on abort (after
 *   recording what is known).
 */
export async function cleanUpRun(
  ctx: StepContext,
  input: CleanupInput,
  signal: AbortSignal,
): Promise<CleanupOutcome> {
  let policy: KeepPolicy;
  try {
    policy = parseKeepPolicy(ctx.settings.keep);
  } catch (error) {
    ctx.log.error(`${(error as Error).message}; keeping nothing`);
    policy = { mode: "none" };
  }
  if (ctx.interrupted && policy.mode === "ask") policy = { mode: "none" };
  // Releases at the verdict still in flight end first; what failed there is open again.
  const releaser = verdictReleaser(ctx);
  const early = releaser ? await releaser.settle() : emptyCleanupOutcome();
  const instances = await openInstances(ctx);
  const kept = await chooseKept(ctx, instances, policy);
  const releasedEarly = new Set(early.terminated.map((i) => i.instanceId));
  const outcome: CleanupOutcome = {
    ...emptyCleanupOutcome(),
    terminated: early.terminated.filter((i) =>
      !instances.some((o) => o.instanceId === i.instanceId)
    ),
    kept: instances.filter((i) => kept.has(i.instanceId)),
    ...(ctx.settings.simulated ? { simulated: true } : {}),
  };
  for (const k of outcome.kept) {
    await ctx.journal.updateResource(INSTANCE_RESOURCE, k.instanceId, "kept");
    ctx.log.info(
      `keeping ${k.label ?? k.instanceType ?? ""} ${k.instanceId} running; ` +
        (outcome.simulated
          ? "it is simulated and ends with the simulator when this run ends"
          : `release it later with: ${terminateInstancesCommand(k.region, [k.instanceId])}`),
    );
  }
  const groupsInUse = new Set(
    ctx.targets.filter((t) => t.instanceId && kept.has(t.instanceId) && t.placementGroup)
      .map((t) => t.placementGroup!),
  );
  const placementGroups = ctx.journal.resources()
    .filter((r) => r.kind === PLACEMENT_GROUP_RESOURCE && open(r))
    .map((r) => ({ name: r.id, region: r.region }));
  try {
    await releaseResources(
      ctx,
      {
        terminate: instances.filter((i) => !kept.has(i.instanceId)),
        placementGroups,
        groupsInUse,
        defaultRegion: configuredRegion(ctx),
        waitTimeoutSeconds: input.wait_timeout,
      },
      signal,
      outcome,
    );
  } finally {
    const now = Date.now();
    for (const t of outcome.terminated) {
      if (t.billedSeconds === undefined && !releasedEarly.has(t.instanceId)) {
        const billed = releaser?.billedSeconds(t.instanceId, now);
        if (billed !== undefined) t.billedSeconds = billed;
      }
    }
    await ctx.journal.put(CLEANUP_JOURNAL_KEY, outcome);
    await recordInReport(ctx, outcome);
  }
  ctx.log.info(
    `${outcome.terminated.length} terminated, ${outcome.kept.length} kept, ` +
      `${outcome.failed.length} failed; placement groups deleted: ${
        outcome.placementGroupsDeleted.join(", ") || "none"
      }`,
  );
  const left = leftBehindLines(outcome);
  if (left.length > 0) {
    throw new StepError(
      "internal",
      `resources left behind; release them by hand:\n  ${left.join("\n  ")}`,
    );
  }
  return outcome;
}
