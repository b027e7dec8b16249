/**
 * Releases what a run created: terminates instances in ONE TerminateInstances
 * batch per region, waits until they are `terminated` (one DescribeInstances
 * per round), then deletes the run's placement groups; updates each journal
 * resource (`released`, `kept`, `release-failed`). Whatever is left gets a
 * copy-paste AWS CLI command. Shared by the cleanup step and `cleanup --run`.
 * @module
 */
import {
  type CleanupInstance,
  type CleanupOutcome,
  emptyCleanupOutcome,
} from "../../report/cleanup-outcome.ts";
import { ec2Client } from "../shared/clients.ts";
import { deletePlacementGroup } from "../shared/placement-group.ts";
import {
  deletePlacementGroupCommand,
  terminateInstancesCommand,
} from "../shared/release-commands.ts";
import { INSTANCE_RESOURCE, PLACEMENT_GROUP_RESOURCE } from "../shared/resource-kinds.ts";
import { describeInstanceStates, terminateInstances } from "../shared/terminate.ts";
import { waitForInstances } from "../shared/wait-instances.ts";
import type { AwsContext } from "../shared/aws-context.ts";

/** What to release. */
export interface ReleaseRequest {
  /** Instances to terminate (each with its region). */
  terminate: CleanupInstance[];
  /** Placement groups the run created, to delete after the instances are gone. */
  placementGroups: { name: string; region?: string }[];
  /** Groups a kept instance still uses: not deleted, marked `kept`. */
  groupsInUse: Set<string>;
  /** Region for entries without one. */
  defaultRegion?: string;
  /** Upper bound of the wait for `terminated`, seconds. */
  waitTimeoutSeconds: number;
  /**
   * Set by `cleanup --run` (which may be pointed at another account or
   * endpoint than the run's): an id TerminateInstances answers
   * `InvalidInstanceID.NotFound` for counts as terminated only when
   * DescribeInstances shows it `terminated` (or `shutting-down`, then waited
   * for); otherwise it is reported in `failed` as "not found in account A /
   * region R" and its journal state is left as it is. Unset (the run's own
   * cleanup step, same credentials and endpoint as the launch): NotFound
   * counts as terminated (EC2 forgets terminated instances after about an hour).
   */
  confirmNotFound?: { account: string };
}

/**
 * Releases the requested resources.
 * @returns the outcome (kept is left empty: the caller fills it).
 * @throws the signal's reason when it aborts; before that, the instances not yet
 *   confirmed are recorded as failed in `partial` (passed in) and in the journal.
 */
export async function releaseResources(
  ctx: AwsContext,
  request: ReleaseRequest,
  signal: AbortSignal,
  outcome: CleanupOutcome = emptyCleanupOutcome(),
): Promise<CleanupOutcome> {
  const byRegion = new Map<string, CleanupInstance[]>();
  for (const inst of request.terminate) {
    const region = inst.region ?? request.defaultRegion ?? "";
    byRegion.set(region, [...(byRegion.get(region) ?? []), { ...inst, region }]);
  }
  await Promise.all(
    [...byRegion].map(([region, list]) =>
      terminateInRegion(ctx, region, list, request, outcome, signal)
    ),
  );
  for (const group of request.placementGroups) {
    const region = group.region ?? request.defaultRegion ?? "";
    if (request.groupsInUse.has(group.name)) {
      await ctx.journal.updateResource(PLACEMENT_GROUP_RESOURCE, group.name, "kept");
      ctx.log.info(
        `placement group ${group.name} kept: kept instances use it; delete it later ` +
          `with: ${deletePlacementGroupCommand(region, group.name)}`,
      );
      continue;
    }
    const command = deletePlacementGroupCommand(region, group.name);
    if (outcome.failed.length > 0) {
      // EC2 refuses to delete a group while instances are in it.
      outcome.placementGroupsFailed.push({
        name: group.name,
        error: "instances of the run could not be terminated and may still use it",
        command,
      });
      await ctx.journal.updateResource(PLACEMENT_GROUP_RESOURCE, group.name, "release-failed");
      continue;
    }
    const ec2 = await ec2Client(ctx, region);
    const error = await deletePlacementGroup(ec2, group.name, signal);
    if (error === undefined) {
      outcome.placementGroupsDeleted.push(group.name);
      await ctx.journal.updateResource(PLACEMENT_GROUP_RESOURCE, group.name, "released");
      ctx.log.info(`deleted placement group ${group.name}`);
    } else {
      outcome.placementGroupsFailed.push({ name: group.name, error, command });
      await ctx.journal.updateResource(PLACEMENT_GROUP_RESOURCE, group.name, "release-failed");
      ctx.log.error(`could not delete placement group ${group.name}: ${error}; run: ${command}`);
    }
  }
  return outcome;
}

async function terminateInRegion(
  ctx: AwsContext,
  region: string,
  list: CleanupInstance[],
  request: ReleaseRequest,
  outcome: CleanupOutcome,
  signal: AbortSignal,
): Promise<void> {
  const { waitTimeoutSeconds, confirmNotFound } = request;
  const byId = new Map(list.map((i) => [i.instanceId, i]));
  const fail = async (id: string, error: string) => {
    const inst = byId.get(id)!;
    const command = terminateInstancesCommand(region, [id]);
    outcome.failed.push({ ...inst, error, command });
    await ctx.journal.updateResource(INSTANCE_RESOURCE, id, "release-failed");
    ctx.log.error(`could not terminate ${id}: ${error}; run: ${command}`);
  };
  const done = async (id: string) => {
    outcome.terminated.push(byId.get(id)!);
    await ctx.journal.updateResource(INSTANCE_RESOURCE, id, "released");
  };
  const ec2 = await ec2Client(ctx, region);
  ctx.log.info(
    `terminating ${list.length} instance(s) in ${region}: ${[...byId.keys()].join(", ")}`,
  );
  const sent = await terminateInstances(ctx, ec2, [...byId.keys()], signal);
  for (const f of sent.failed) await fail(f.instanceId, f.error);
  const toWait = [...sent.accepted];
  if (confirmNotFound && sent.gone.length > 0) {
    const states = await describeInstanceStates(ec2, sent.gone, signal);
    for (const id of sent.gone) {
      const state = states.get(id);
      if (state === "terminated") await done(id);
      else if (state === "shutting-down") toWait.push(id);
      else if (state === undefined) {
        // Left as it is in the journal: it may still run where the run launched it.
        const inst = byId.get(id)!;
        const error = `not found in account ${confirmNotFound.account} / region ${region}` +
          " (EC2 answers InvalidInstanceID.NotFound): it may still run in another account, " +
          "region or endpoint";
        outcome.failed.push({ ...inst, error, command: terminateInstancesCommand(region, [id]) });
        ctx.log.warn(`${id}: ${error}`);
      } else {
        await fail(id, `TerminateInstances did not know it, but DescribeInstances shows ${state}`);
      }
    }
  } else {
    for (const id of sent.gone) await done(id);
  }
  if (toWait.length === 0) return;
  try {
    const waited = await waitForInstances(ctx, ec2, toWait, {
      want: "terminated",
      timeoutSeconds: waitTimeoutSeconds,
      signal,
    });
    for (const s of waited.reached) await done(s.instanceId);
    for (const s of [...waited.failed, ...waited.timedOut]) {
      await fail(s.instanceId, `still ${s.state} after ${waitTimeoutSeconds}s`);
    }
  } catch (error) {
    const confirmed = new Set(outcome.terminated.map((t) => t.instanceId));
    const message = signal.aborted
      ? "interrupted before termination was confirmed"
      : `termination not confirmed: ${(error as Error).message}`;
    for (const id of toWait) if (!confirmed.has(id)) await fail(id, message);
    throw error;
  }
}
