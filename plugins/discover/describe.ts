/**
 * Asks EC2 which instance types exist, per region, reading every page of
 * `DescribeInstanceTypes` through the SDK paginator, and merges the regions.
 * Heavy (imports the EC2 client): imported lazily by the step and command.
 *
 * Source: EC2 API Reference "DescribeInstanceTypes" (paginated with
 * NextToken), "InstanceTypeInfo" (`PhcSupport` may be absent), "DescribeRegions"
 * (without `AllRegions` it lists the regions enabled for the account).
 * PTP.md section 1: query, never hard-code a family list.
 * @module
 */
import {
  DescribeRegionsCommand,
  type EC2Client,
  type InstanceTypeInfo,
  paginateDescribeInstanceTypes,
} from "@aws-sdk/client-ec2";
import { awsErrorCode, awsErrorMessage, isAbort } from "../aws/shared/aws-errors.ts";
import { compareTypes, familyOf, matchesFilters } from "./filter.ts";
import type { DiscoveredType, DiscoverFilters, DiscoverResult, RegionOutcome } from "./types.ts";

/** Converts EC2's `InstanceTypeInfo` into a {@link DiscoveredType} seen in `region`. */
export function toDiscoveredType(info: InstanceTypeInfo, region: string): DiscoveredType {
  const name = info.InstanceType ?? "";
  const phc = info.PhcSupport as string | undefined;
  const strategies = info.PlacementGroupInfo?.SupportedStrategies;
  return {
    instanceType: name,
    family: familyOf(name),
    phcSupport: phc === "supported" || phc === "unsupported" ? phc : "unknown",
    architectures: [...(info.ProcessorInfo?.SupportedArchitectures ?? [])],
    enaSupport: info.NetworkInfo?.EnaSupport ?? "unknown",
    vcpus: info.VCpuInfo?.DefaultVCpus ?? null,
    memoryMiB: info.MemoryInfo?.SizeInMiB ?? null,
    precisionTime: strategies === undefined
      ? null
      : (strategies as string[]).includes("precision-time"),
    regions: [region],
  };
}

/**
 * Every instance type offered in the client's region: all pages of
 * `DescribeInstanceTypes` (NextToken followed until absent).
 * @throws the SDK's error (e.g. `AuthFailure`, `OptInRequired`, `UnauthorizedOperation`).
 */
export async function listRegionTypes(
  client: EC2Client,
  region: string,
  signal?: AbortSignal,
): Promise<DiscoveredType[]> {
  const types: DiscoveredType[] = [];
  const pages = paginateDescribeInstanceTypes({ client }, {}, { abortSignal: signal });
  for await (const page of pages) {
    for (const info of page.InstanceTypes ?? []) types.push(toDiscoveredType(info, region));
  }
  return types;
}

/**
 * Regions enabled for the account (`DescribeRegions` without `AllRegions`),
 * sorted by name.
 * @throws the SDK's error.
 */
export async function listEnabledRegions(
  client: EC2Client,
  signal?: AbortSignal,
): Promise<string[]> {
  const out = await client.send(new DescribeRegionsCommand({}), { abortSignal: signal });
  return (out.Regions ?? []).map((r) => r.RegionName ?? "").filter(Boolean).sort();
}

/** What {@link discoverInstanceTypes} needs. */
export interface DiscoverOptions {
  /** Regions to query, or `all` = every enabled region (asked of `bootstrapRegion`). */
  regions: string[] | "all";
  /** Region that answers `DescribeRegions` for `all`. */
  bootstrapRegion: string;
  /** EC2 client for a region (the step's shared client, or the command's own). */
  clientFor(region: string): EC2Client | Promise<EC2Client>;
  filters: DiscoverFilters;
  signal?: AbortSignal;
}

/** Merges `next` (same type, another region) into `into`, preferring known values. */
function merge(into: DiscoveredType, next: DiscoveredType): void {
  into.regions.push(...next.regions);
  if (into.phcSupport === "unknown") into.phcSupport = next.phcSupport;
  if (into.precisionTime !== true && next.precisionTime !== null) {
    into.precisionTime = next.precisionTime;
  }
}

/**
 * Lists the instance types matching `filters` in every requested region,
 * concurrently. A region that fails (`AuthFailure`, `OptInRequired`,
 * `UnauthorizedOperation`, network, ...) is reported in `regions[].error`; the
 * others still count. Types found in several regions are merged (one entry,
 * every region listed).
 * @throws the SDK's error when `regions` is `all` and `DescribeRegions` fails;
 *   the abort reason when `signal` aborts.
 */
export async function discoverInstanceTypes(options: DiscoverOptions): Promise<DiscoverResult> {
  const { signal } = options;
  const regions = options.regions === "all"
    ? await listEnabledRegions(await options.clientFor(options.bootstrapRegion), signal)
    : options.regions;
  const perRegion = await Promise.all(regions.map(async (region) => {
    try {
      const client = await options.clientFor(region);
      return { region, types: await listRegionTypes(client, region, signal) };
    } catch (error) {
      if (isAbort(error, signal)) throw signal?.reason ?? error;
      return { region, error: `${awsErrorCode(error)}: ${awsErrorMessage(error)}` };
    }
  }));
  const byName = new Map<string, DiscoveredType>();
  const outcomes: RegionOutcome[] = [];
  for (const r of perRegion) {
    if ("error" in r) {
      outcomes.push({ region: r.region, error: r.error });
      continue;
    }
    outcomes.push({ region: r.region, listed: r.types.length });
    for (const t of r.types.filter((t) => matchesFilters(t, options.filters))) {
      const seen = byName.get(t.instanceType);
      if (seen) merge(seen, t);
      else byName.set(t.instanceType, t);
    }
  }
  const types = [...byName.values()].sort((a, b) => compareTypes(a.instanceType, b.instanceType));
  return { types, regions: outcomes };
}
