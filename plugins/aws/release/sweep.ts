/**
 * `ptp-runner sweep`: finds every instance tagged `ptp-runner:tool =
 * ptp-runner` that is pending, running, stopping or stopped (what killed runs
 * may have left, whatever machine ran them), lists it (age, owner, run id,
 * type) and terminates them after confirmation; also deletes placement groups
 * carrying the tag once their instances are gone. Only the current identity's
 * instances unless `--owner` (`any` = every owner); `--older-than` keeps
 * younger ones; `--run <id>` touches only that run's instances and placement
 * groups (tag `ptp-runner:run-id`), of any owner unless `--owner` (see
 * ./sweep-filter.ts).
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
import { ANY_OWNER, filteredOutLine, filterSwept, type SweepFilter } from "./sweep-filter.ts";

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
  /** `--owner`: IAM ARN of the launcher, or `any`; default the current identity. */
  owner?: string;
  /** `--older-than`: only instances launched at least this long ago, seconds. */
  olderThanSeconds?: number;
  /** `--run`: only this run's instances and placement groups (`ptp-runner:run-id` tag). */
  runId?: string;
  /** Exit code when it only listed (no `--yes`, no terminal); default 0. */
  listedOnlyExitCode?: number;
  /** `--output json`: one JSON document on stdout, the text lines on stderr. */
  output?: "text" | "json";
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

/**
 * Placement groups carrying the tool tag (and `owner`'s tag unless `any`, and
 * the run tag `runId` when given) in one region; [] when the lookup fails.
 */
async function findTaggedGroups(
  ec2: EC2Client,
  signal: AbortSignal,
  owner: string = ANY_OWNER,
  runId?: string,
): Promise<string[]> {
  try {
    const out = await ec2.send(
      new DescribePlacementGroupsCommand({
        Filters: [{ Name: `tag:${TAG_TOOL}`, Values: [TOOL_NAME] }],
      }),
      { abortSignal: signal },
    );
    return (out.PlacementGroups ?? [])
      .filter((g) => tag(g.Tags, TAG_TOOL) === TOOL_NAME && g.State !== "deleted")
      .filter((g) => owner === ANY_OWNER || tag(g.Tags, TAG_OWNER) === owner)
      .filter((g) => runId === undefined || tag(g.Tags, TAG_RUN_ID) === runId)
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
  const json = options.output === "json";
  // With --output json, stdout carries only the JSON document.
  const print = options.print ?? ((line: string) => json ? console.error(line) : console.log(line));
  const doc: Record<string, unknown> = {};
  const emit = (code: number): number => {
    if (json) console.log(JSON.stringify({ ...doc, exit_code: code }, null, 2));
    return code;
  };
  let requested: string[] | "all" | undefined;
  try {
    requested = parseRegions(options.region);
  } catch (error) {
    print(`error: --region: ${(error as Error).message}`);
    return emit(EXIT.USAGE);
  }
  // Only a single region becomes the context's region (client default, STS).
  const single = Array.isArray(requested) && requested.length === 1 ? requested[0] : undefined;
  const ctx = createCommandContext("sweep", { ...options, region: single }, {
    services: options.services,
  });
  const signal = new AbortController().signal;
  let identity: { arn: string };
  try {
    const bootstrap = (Array.isArray(requested) ? requested[0] : undefined) ??
      configuredRegion(ctx) ?? BOOTSTRAP_REGION;
    try {
      identity = await verifyCredentials(ctx, bootstrap, signal);
    } catch (error) {
      print(`error: ${(error as Error).message}`);
      return emit(EXIT.FAILED);
    }
    const filter: SweepFilter = {
      // One run's instances are its own whoever launched them.
      owner: options.owner ?? (options.runId === undefined ? identity.arn : ANY_OWNER),
      ...(options.olderThanSeconds === undefined
        ? {}
        : { olderThanSeconds: options.olderThanSeconds }),
      ...(options.runId === undefined ? {} : { runId: options.runId }),
    };
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
        findTaggedGroups(ec2, signal, filter.owner, filter.runId),
      ]);
      return { region, instances, groups };
    }));
    const found = perRegion.flatMap((r) => r.instances);
    const instances = filterSwept(found, filter);
    // An age filter keeps placement groups out: their age is unknown.
    const groups = filter.olderThanSeconds === undefined
      ? perRegion.flatMap((r) => r.groups.map((name) => ({ name, region: r.region })))
      : [];
    Object.assign(doc, {
      regions,
      owner: filter.owner,
      older_than_seconds: filter.olderThanSeconds ?? null,
      run_id: filter.runId ?? null,
      instances: instances.map((i) => ({
        instance_id: i.instanceId,
        region: i.region,
        instance_type: i.instanceType,
        state: i.state,
        age_seconds: i.ageSeconds === undefined ? null : Math.round(i.ageSeconds),
        run_id: i.runId ?? null,
        owner: i.owner ?? null,
      })),
      left_alone: found.length - instances.length,
      placement_groups: groups,
      terminated: [],
      failed: [],
    });
    const hidden = filteredOutLine(found.length, instances.length, filter);
    if (hidden) print(hidden);
    if (instances.length === 0 && groups.length === 0) {
      const of = filter.runId === undefined ? "" : ` of run ${filter.runId}`;
      print(`no ${TOOL_NAME} instances${of} in ${regions.join(", ")}`);
      return emit(EXIT.OK);
    }
    if (instances.length > 0) { for (const line of formatSweepTable(instances)) print(line); }
    for (const g of groups) print(`placement group ${g.name} in ${g.region}`);
    if (!options.yes) {
      if (!ctx.settings.interactive) {
        print("listed only: pass --yes to terminate them");
        return emit(options.listedOnlyExitCode ?? EXIT.OK);
      }
      const go = await ask(
        ctx,
        (p) => p.confirm(`Terminate these ${instances.length} instance(s)?`, false),
      );
      if (!go) {
        print("nothing changed");
        return emit(EXIT.OK);
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
    doc.terminated = outcome.terminated.map((i) => i.instanceId);
    doc.failed = outcome.failed.map((f) => ({
      instance_id: f.instanceId,
      error: f.error,
      command: f.command,
    }));
    doc.placement_groups_deleted = outcome.placementGroupsDeleted;
    const left = leftBehindLines(outcome);
    if (left.length > 0) {
      print("could not release (run these by hand):");
      for (const line of left) print(`  ${line}`);
      return emit(EXIT.LEFT_BEHIND);
    }
    return emit(EXIT.OK);
  } finally {
    await ctx.close();
  }
}
