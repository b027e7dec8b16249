/**
 * Whether a run's instances still exist, for `run --resume`: a target can
 * only go on on the instance it was launched on. One DescribeInstances per
 * region (see `describeInstanceStates`). Source: EC2 API Reference
 * "DescribeInstances" (instance state names pending, running, shutting-down,
 * terminated, stopping, stopped; unknown ids answer InvalidInstanceID.NotFound).
 * @module
 */
import type { Target } from "../../../runner/types.ts";
import type { AwsContext } from "./aws-context.ts";
import { configuredRegion, ec2Client } from "./clients.ts";
import { BOOTSTRAP_REGION } from "./region.ts";
import { describeInstanceStates } from "./terminate.ts";

/** Instance states a resumed target can go on with. */
const USABLE_STATES = new Set(["pending", "running"]);

/** An instance of a target that cannot go on, with its state (`not found` when EC2 does not know it). */
export interface GoneInstance {
  targetId: string;
  instanceId: string;
  state: string;
}

/**
 * The instances of `targets` (those with an `instanceId`) that are not
 * pending or running, asked per region (the target's, else the configured
 * one, else the bootstrap region).
 * @throws StepError for AWS errors other than unknown ids; the signal's reason on abort.
 */
export async function goneInstances(
  ctx: AwsContext,
  targets: readonly Pick<Target, "id" | "instanceId" | "region">[],
  signal: AbortSignal,
): Promise<GoneInstance[]> {
  const byRegion = new Map<string, { id: string; instanceId: string }[]>();
  for (const t of targets) {
    if (!t.instanceId) continue;
    const region = t.region ?? configuredRegion(ctx) ?? BOOTSTRAP_REGION;
    byRegion.set(region, [...(byRegion.get(region) ?? []), { id: t.id, instanceId: t.instanceId }]);
  }
  const gone: GoneInstance[] = [];
  for (const [region, list] of byRegion) {
    const ec2 = await ec2Client(ctx, region);
    const states = await describeInstanceStates(ec2, list.map((t) => t.instanceId), signal);
    for (const t of list) {
      const state = states.get(t.instanceId) ?? "not found";
      if (!USABLE_STATES.has(state)) gone.push({ targetId: t.id, instanceId: t.instanceId, state });
    }
  }
  return gone;
}
