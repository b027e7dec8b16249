/**
 * Finds running EC2 instances by id or by tags, in one or more regions, for
 * the `existing-hosts` step. Source: EC2 API `DescribeInstances` (filters
 * `instance-state-name`, `instance-id`, `tag:<key>`; ids go in a filter, not
 * `InstanceId.N`, so an id that lives in another of the regions is not an
 * `InvalidInstanceID.NotFound` error).
 * @module
 */
import { type Filter, paginateDescribeInstances } from "@aws-sdk/client-ec2";
import { StepError } from "../../../runner/errors.ts";
import type { StepContext } from "../../../runner/types.ts";
import { configuredRegion, ec2Client } from "../shared/clients.ts";

/** A running instance selected as an existing host. */
export interface SelectedInstance {
  instanceId: string;
  instanceType: string;
  region: string;
  /** EC2 architecture (`x86_64` | `arm64`). */
  architecture?: string;
  /** Public IPv4 address if it has one, else the private one. */
  address: string;
  placementGroup?: string;
}

/**
 * Selects running instances by ids and/or tags (all tags must match) in
 * every region of `query.regions` (none given: the configured region),
 * interleaved round-robin over the regions ({@link interleaveRegions}), each
 * region's in DescribeInstances order.
 * @throws StepError `config` when no region is configured or a requested id is not running
 *   in any of the regions; `auth` when credentials are refused.
 */
export async function selectRunningInstances(
  ctx: StepContext,
  query: { instanceIds: string[]; tags: Record<string, string>; regions: string[] },
  signal: AbortSignal,
): Promise<SelectedInstance[]> {
  const configured = configuredRegion(ctx);
  const regions = query.regions.length > 0 ? query.regions : configured ? [configured] : [];
  if (regions.length === 0) {
    throw new StepError(
      "config",
      "existing-hosts needs a region: set `region:`/`regions:`, --region or AWS_REGION",
    );
  }
  const perRegion: SelectedInstance[][] = [];
  for (const region of regions) perRegion.push(await selectInRegion(ctx, region, query, signal));
  const selected = interleaveRegions(perRegion);
  const missing = query.instanceIds.filter((id) => !selected.some((s) => s.instanceId === id));
  if (missing.length > 0) {
    throw new StepError(
      "config",
      `instance(s) not running in ${regions.join(", ")}: ${missing.join(", ")}`,
    );
  }
  return selected;
}

/**
 * Round-robin over the regions' lists (first of each region, then second of
 * each, ...), so every rollout batch, a run of consecutive targets, spans
 * all the regions: each region's request budget (SSM rates are per region)
 * works in parallel instead of one region after the other.
 */
export function interleaveRegions<T>(perRegion: readonly (readonly T[])[]): T[] {
  const longest = Math.max(0, ...perRegion.map((list) => list.length));
  const out: T[] = [];
  for (let i = 0; i < longest; i++) {
    for (const list of perRegion) if (i < list.length) out.push(list[i]);
  }
  return out;
}

/** The running instances of one region that match `query`. */
async function selectInRegion(
  ctx: StepContext,
  region: string,
  query: { instanceIds: string[]; tags: Record<string, string> },
  signal: AbortSignal,
): Promise<SelectedInstance[]> {
  const ec2 = await ec2Client(ctx, region);
  const filters: Filter[] = [{ Name: "instance-state-name", Values: ["running"] }];
  if (query.instanceIds.length > 0) {
    filters.push({ Name: "instance-id", Values: query.instanceIds });
  }
  for (const [key, value] of Object.entries(query.tags)) {
    filters.push({ Name: `tag:${key}`, Values: [value] });
  }
  const selected: SelectedInstance[] = [];
  const pages = paginateDescribeInstances(
    { client: ec2, pageSize: 1000 },
    { Filters: filters },
  );
  for await (const page of pages) {
    if (signal.aborted) throw signal.reason;
    for (const reservation of page.Reservations ?? []) {
      for (const inst of reservation.Instances ?? []) {
        const address = inst.PublicIpAddress ?? inst.PrivateIpAddress;
        if (!inst.InstanceId || !address) continue;
        selected.push({
          instanceId: inst.InstanceId,
          instanceType: inst.InstanceType ?? "unknown",
          region,
          architecture: inst.Architecture,
          address,
          placementGroup: inst.Placement?.GroupName || undefined,
        });
      }
    }
  }
  return selected;
}
