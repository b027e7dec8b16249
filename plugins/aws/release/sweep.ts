/**
 * `ptp-runner sweep`: finds every instance tagged `ptp-runner:tool =
 * ptp-runner` that is pending, running, stopping or stopped (what killed runs
 * may have left, whatever machine ran them), lists it (age, owner, run id,
 * type) and terminates them after confirmation; also deletes placement groups
 * carrying the tag once their instances are gone.
 * Source: EC2 API Reference "DescribeInstances" filters `tag:<key>`,
 * `instance-state-name`; "DescribePlacementGroups".
 * @module
 */
import {
  DescribeInstancesCommand,
  type DescribeInstancesCommandOutput,
  DescribePlacementGroupsCommand,
  type EC2Client,
  type Tag,
} from "@aws-sdk/client-ec2";
import { EXIT } from "../../../runner/errors.ts";
import { parseRegions } from "../../discover/regions.ts";
import { type CleanupInstance, emptyCleanupOutcome } from "../../report/cleanup-outcome.ts";
import { configuredRegion, ec2Client } from "../shared/clients.ts";
import { leftBehindLines } from "./clean-up-run.ts";
import { type CommandOptions, createCommandContext } from "./command-context.ts";
import { verifyCredentials } from "../shared/credentials.ts";
import { ask } from "../shared/prompts.ts";
import { BOOTSTRAP_REGION, enabledRegions } from "../shared/region.ts";
import { releaseResources } from "./release.ts";
import { TAG_OWNER, TAG_RUN_ID, TAG_TOOL, TOOL_NAME } from "../launch/start-instances.ts";

/** An instance the sweep found. */
export interface SweptInstance {
  instanceId: string;
  region: string;
  instanceType: string;
  state: string;
  /** Seconds since launch, when known. */
  ageSeconds?: number;
  owner?: string;
  runId?: string;
  name?: string;
}

/**
 * Options of {@link sweepCommand}. `region` (`--region`) is one region, a
 * comma-separated list, or `all` (every enabled region); default the
 * configured region, else every enabled region.
 */
export interface SweepOptions extends CommandOptions {
  waitTimeoutSeconds?: number;
  print?: (line: string) => void;
  services?: Map<string, unknown>;
  /** Clock for ages (tests). */
  now?: () => Date;
}

const STATES = ["pending", "running", "stopping", "stopped"];

function tag(tags: Tag[] | undefined, key: string): string | undefined {
  return tags?.find((t) => t.Key === key)?.Value;
}

/** Human age: `3d4h`, `2h5m`, `7m`, `40s`. */
export function formatAge(seconds: number | undefined): string {
  if (seconds === undefined) return "?";
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400),
    h = Math.floor((s % 86400) / 3600),
    m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d${h}h`;
  if (h > 0) return `${h}h${m}m`;
  if (m > 0) return `${m}m`;
  return `${s}s`;
}

/** Lists the tagged instances of one region (paginated DescribeInstances). */
export async function findTaggedInstances(
  ec2: EC2Client,
  region: string,
  now: Date,
  signal: AbortSignal,
): Promise<SweptInstance[]> {
  const found: SweptInstance[] = [];
  let token: string | undefined;
  do {
    const out: DescribeInstancesCommandOutput = await ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: `tag:${TAG_TOOL}`, Values: [TOOL_NAME] },
          { Name: "instance-state-name", Values: STATES },
        ],
        ...(token ? { NextToken: token } : {}),
      }),
      { abortSignal: signal },
    );
    for (const r of out.Reservations ?? []) {
      for (const i of r.Instances ?? []) {
        if (!i.InstanceId || !STATES.includes(i.State?.Name ?? "")) continue;
        found.push({
          instanceId: i.InstanceId,
          region,
          instanceType: i.InstanceType ?? "?",
          state: i.State?.Name ?? "?",
          ageSeconds: i.LaunchTime
            ? (now.getTime() - new Date(i.LaunchTime).getTime()) / 1000
            : undefined,
          owner: tag(i.Tags, TAG_OWNER),
          runId: tag(i.Tags, TAG_RUN_ID),
          name: tag(i.Tags, "Name"),
        });
      }
    }
    token = out.NextToken;
  } while (token);
  return found;
}

/** Placement groups carrying the tool tag in one region; [] when the lookup fails. */
async function findTaggedGroups(ec2: EC2Client, signal: AbortSignal): Promise<string[]> {
  try {
    const out = await ec2.send(
      new DescribePlacementGroupsCommand({
        Filters: [{ Name: `tag:${TAG_TOOL}`, Values: [TOOL_NAME] }],
      }),
      { abortSignal: signal },
    );
    return (out.PlacementGroups ?? [])
      .filter((g) => tag(g.Tags, TAG_TOOL) === TOOL_NAME && g.State !== "deleted")
      .map((g) => g.GroupName ?? "")
      .filter((n) => n !== "");
  } catch {
    return [];
  }
}

/** The listing as table lines. */
export function formatSweepTable(instances: SweptInstance[]): string[] {
  const rows = [
    ["REGION", "INSTANCE", "TYPE", "STATE", "AGE", "RUN", "OWNER"],
    ...instances.map((i) => [
      i.region,
      i.instanceId,
      i.instanceType,
      i.state,
      formatAge(i.ageSeconds),
      i.runId ?? "-",
      i.owner ?? "-",
    ]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd());
}

/**
 * Runs `sweep`.
 * @returns exit code: 0 (listed only, or all terminated), 1 credentials refused,
 *   2 a bad `--region` (not a region name, list or `all`; nothing is asked of
 *   AWS), 3 something could not be terminated (printed with commands).
 */
export async function sweepCommand(options: SweepOptions): Promise<number> {
  const print = options.print ?? ((line: string) => console.log(line));
  let requested: string[] | "all" | undefined;
  try {
    requested = parseRegions(options.region);
  } catch (error) {
    print(`error: --region: ${(error as Error).message}`);
    return EXIT.USAGE;
  }
  // Only a single region becomes the context's region (client default, STS).
  const single = Array.isArray(requested) && requested.length === 1 ? requested[0] : undefined;
  const ctx = createCommandContext("sweep", { ...options, region: single }, {
    services: options.services,
  });
  const signal = new AbortController().signal;
  try {
    const bootstrap = (Array.isArray(requested) ? requested[0] : undefined) ??
      configuredRegion(ctx) ?? BOOTSTRAP_REGION;
    try {
      await verifyCredentials(ctx, bootstrap, signal);
    } catch (error) {
      print(`error: ${(error as Error).message}`);
      return EXIT.FAILED;
    }
    const configured = configuredRegion(ctx);
    const regions = Array.isArray(requested)
      ? requested
      : requested === undefined && configured
      ? [configured]
      : await enabledRegions(ctx, signal);
    const now = options.now?.() ?? new Date();
    const perRegion = await Promise.all(regions.map(async (region) => {
      const ec2 = await ec2Client(ctx, region);
      const [instances, groups] = await Promise.all([
        findTaggedInstances(ec2, region, now, signal),
        findTaggedGroups(ec2, signal),
      ]);
      return { region, instances, groups };
    }));
    const instances = perRegion.flatMap((r) => r.instances);
    const groups = perRegion.flatMap((r) => r.groups.map((name) => ({ name, region: r.region })));
    if (instances.length === 0 && groups.length === 0) {
      print(`no ${TOOL_NAME} instances in ${regions.join(", ")}`);
      return EXIT.OK;
    }
    if (instances.length > 0) { for (const line of formatSweepTable(instances)) print(line); }
    for (const g of groups) print(`placement group ${g.name} in ${g.region}`);
    if (!options.yes) {
      if (!ctx.settings.interactive) {
        print("listed only: pass --yes to terminate them");
        return EXIT.OK;
      }
      const go = await ask(
        ctx,
        (p) => p.confirm(`Terminate these ${instances.length} instance(s)?`, false),
      );
      if (!go) {
        print("nothing changed");
        return EXIT.OK;
      }
    }
    const terminate: CleanupInstance[] = instances.map((i) => ({
      instanceId: i.instanceId,
      instanceType: i.instanceType,
      region: i.region,
      ...(i.name ? { label: i.name } : {}),
    }));
    const outcome = emptyCleanupOutcome();
    await releaseResources(
      ctx,
      {
        terminate,
        placementGroups: groups,
        groupsInUse: new Set(),
        waitTimeoutSeconds: options.waitTimeoutSeconds ?? 600,
      },
      signal,
      outcome,
    );
    print(
      `terminated ${outcome.terminated.length} instance(s)${
        outcome.placementGroupsDeleted.length > 0
          ? `, deleted placement group(s) ${outcome.placementGroupsDeleted.join(", ")}`
          : ""
      }`,
    );
    const left = leftBehindLines(outcome);
    if (left.length > 0) {
      print("could not release (run these by hand):");
      for (const line of left) print(`  ${line}`);
      return EXIT.LEFT_BEHIND;
    }
    return EXIT.OK;
  } finally {
    await ctx.close();
  }
}
