/**
 * `ptp-runner cleanup --run <run-id>`: releases what a run left behind (a
 * killed process, a failed cleanup). Reads the run journal
 * (`.ptp-runner/runs/<id>/journal.json`), and, because a run killed while
 * RunInstances was in flight cannot have journaled what it launched, also
 * looks up instances tagged with the run id in the account and region the
 * journal records. It terminates the instances still `created` or
 * `release-failed` (and the tagged ones the journal lacks, recorded first),
 * deletes its placement group, and updates the journal. It refuses to work
 * with credentials of another AWS account than the one the run recorded, and
 * refuses without `--force` while the run's process is still alive. Instances
 * the user chose to keep (`kept`) are listed and left alone unless
 * `--include-kept`. `--keep <instance-id>,...` keeps instances of the run
 * running (recorded `kept`); an id the run does not own is refused (exit 2)
 * before anything is terminated. When anything stays uncertain it prints the
 * `sweep` command that would find the rest. A run whose journal cannot be
 * read is cleaned up by its run tag alone (./recover-by-tag.ts). A
 * `--simulate` run (journal `simulated`) has nothing to clean: it says so
 * and asks nothing of AWS.
 * @module
 */
import { DescribeInstancesCommand } from "@aws-sdk/client-ec2";
import { EXIT } from "../../../runner/errors.ts";
import { effectiveStatus, journalDir, RunJournal, runLiveness } from "../../../runner/journal.ts";
import { isRunId } from "../../../runner/run-id.ts";
import type { ResourceRecord } from "../../../runner/types.ts";
import { type CleanupInstance, emptyCleanupOutcome } from "../../report/cleanup-outcome.ts";
import { configuredRegion, ec2Client } from "../shared/clients.ts";
import { sweepCommandLine } from "../launch/abort-launch.ts";
import { TAG_RUN_ID } from "../launch/start-instances.ts";
import { terminateInstancesCommand } from "../shared/release-commands.ts";
import type { AwsContext } from "../shared/aws-context.ts";
import { leftBehindLines } from "./clean-up-run.ts";
import { cleanupRunByTag, hasRunDirectory } from "./recover-by-tag.ts";
import { type CommandOptions, createCommandContext } from "./command-context.ts";
import { type CallerIdentity, verifyCredentials } from "../shared/credentials.ts";
import { ask } from "../shared/prompts.ts";
import { BOOTSTRAP_REGION } from "../shared/region.ts";
import { keepIdsProblem, parseKeepPolicy } from "./keep-policy.ts";
import { releaseResources } from "./release.ts";
import { INSTANCE_RESOURCE, PLACEMENT_GROUP_RESOURCE } from "../shared/resource-kinds.ts";
import { recordedRunAccount } from "../shared/recorded-account.ts";

/** Journal key under which `cleanup --run` stores its outcome (the run's own stays under `cleanup`). */
export const RECOVERY_JOURNAL_KEY = "cleanup-run";

/** Options of {@link cleanupRunCommand}. */
export interface CleanupRunOptions extends CommandOptions {
  runId: string;
  /** `--include-kept`: also terminate the instances the run kept (`--keep`). */
  includeKept?: boolean;
  /** Upper bound of the wait for `terminated`, seconds (default 600). */
  waitTimeoutSeconds?: number;
  /** Where result lines go (default stdout). */
  print?: (line: string) => void;
  /** Pre-seeded services (tests: a prompter). */
  services?: Map<string, unknown>;
  /** `--force`: go ahead although the run's process is still alive. */
  force?: boolean;
  /** `--keep`: comma-separated instance ids of the run to leave running (recorded `kept`). */
  keep?: string;
}

/**
 * The instance ids of `cleanup --run --keep`.
 * @returns the ids (empty without `--keep`), or the message of an exit-2 refusal.
 */
function parseKeepFlag(keep: string | undefined): { ids: string[] } | { problem: string } {
  let policy;
  try {
    policy = parseKeepPolicy(keep);
  } catch (error) {
    return { problem: (error as Error).message };
  }
  if (policy.mode === "ask") return { ids: [] };
  if (policy.mode !== "ids") {
    return {
      problem: `--keep: cleanup --run takes the instance ids to keep (comma-separated), not ` +
        `"${policy.mode}"; without --keep it releases everything the run left`,
    };
  }
  return { ids: policy.ids };
}

/**
 * Why the `--keep` ids cannot be kept: an id the run does not own (listing
 * the run's instance ids), or one already terminated. Null when all can.
 */
function keepIdsRefusal(
  ids: string[],
  runId: string,
  resources: readonly ResourceRecord[],
): string | null {
  const instances = resources.filter((r) => r.kind === INSTANCE_RESOURCE);
  const problem = keepIdsProblem({ mode: "ids", ids }, {
    runId,
    instanceIds: instances.map((r) => r.id),
  });
  if (problem) return `--keep: ${problem}`;
  const released = instances.filter((r) => r.state === "released" && ids.includes(r.id));
  if (released.length === 0) return null;
  return `--keep: ${released.map((r) => r.id).join(", ")} ${
    released.length === 1 ? "was" : "were"
  } already terminated by run ${runId}: nothing to keep`;
}

/** Instance states the tag look-up releases (everything that is not on its way out). */
const TAGGED_STATES = ["pending", "running", "stopping", "stopped"];

/**
 * Instances tagged `ptp-runner:run-id=<runId>` in `region` that are not on
 * their way out, with their type. Source: EC2 API Reference "DescribeInstances"
 * (`tag:<key>`, `instance-state-name` filters; NextToken paging).
 * @throws the AWS error (the caller reports it as uncertain).
 */
async function taggedInstances(
  ctx: AwsContext,
  runId: string,
  region: string,
  signal: AbortSignal,
): Promise<{ instanceId: string; instanceType?: string }[]> {
  const ec2 = await ec2Client(ctx, region);
  const found: { instanceId: string; instanceType?: string }[] = [];
  let nextToken: string | undefined;
  do {
    const out = await ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: `tag:${TAG_RUN_ID}`, Values: [runId] },
          { Name: "instance-state-name", Values: TAGGED_STATES },
        ],
        NextToken: nextToken,
      }),
      { abortSignal: signal },
    );
    for (const r of out.Reservations ?? []) {
      for (const i of r.Instances ?? []) {
        if (i.InstanceId) found.push({ instanceId: i.InstanceId, instanceType: i.InstanceType });
      }
    }
    nextToken = out.NextToken;
  } while (nextToken);
  return found;
}

/**
 * Why `cleanup --run` must not act on its own: the run's process still holds
 * its lock on this host, or the journal says `running` on another host (whose
 * process cannot be checked from here). Undefined when it may go ahead.
 */
async function stillAlive(workDir: string, runId: string, data: RunJournal["data"]) {
  const liveness = await runLiveness(journalDir(workDir, runId));
  const who = `pid ${data.pid ?? "?"} on host ${data.host ?? "?"}`;
  if (liveness === "alive") return `run ${runId} is still running (${who} holds its lock)`;
  if (effectiveStatus(data, liveness) === "running" && data.host !== undefined) {
    let here: string | undefined;
    try {
      here = Deno.hostname();
    } catch {
      here = undefined;
    }
    if (data.host !== here) {
      return `run ${runId} may still be running (${who}; its journal says running)`;
    }
  }
  return undefined;
}

/**
 * What to do when a run has no directory here (made on another machine or in
 * another work dir): `sweep --run` finds its instances by their
 * `ptp-runner:run-id` tag, of any owner, without a journal. The region,
 * profile and endpoint given to `cleanup` are carried over; without
 * `--region`, sweep takes AWS_REGION, else every enabled region.
 */
export function noJournalHint(
  options: Pick<CleanupRunOptions, "runId" | "region" | "profile" | "endpoint">,
): string {
  const flags = [
    `--run ${options.runId}`,
    ...(options.region ? [`--region ${options.region}`] : []),
    ...(options.profile ? [`--profile ${options.profile}`] : []),
    ...(options.endpoint ? [`--endpoint ${options.endpoint}`] : []),
  ];
  return `without a journal, its instances are found by their ${TAG_RUN_ID} tag: ` +
    `ptp-runner sweep ${flags.join(" ")}` +
    (options.region ? "" : " (--region R; without it AWS_REGION, else every enabled region)");
}

function open(r: ResourceRecord): boolean {
  return r.state === "created" || r.state === "release-failed";
}

function instanceTypeOf(r: ResourceRecord): string | undefined {
  return typeof r.detail?.instanceType === "string" ? r.detail.instanceType : undefined;
}

/**
 * Runs `cleanup --run`. Before changing anything it checks that the current
 * credentials belong to the AWS account the run recorded
 * (journal key `aws-account`, see shared/recorded-account.ts); instances EC2 answers
 * `InvalidInstanceID.NotFound` for are released only when DescribeInstances
 * shows them `terminated`, else reported "not found in account A / region R"
 * and left as they are in the journal. Instances the run kept are listed and
 * terminated only with `includeKept`.
 * @returns the exit code: 0 all released (or nothing to do), 2 bad run id /
 *   no run directory / confirmation needed / credentials of another account
 *   than the run's, 3 something may be left behind (printed with copy-paste
 *   commands), 1 credentials refused.
 */
export async function cleanupRunCommand(options: CleanupRunOptions): Promise<number> {
  const print = options.print ?? ((line: string) => console.log(line));
  const workDir = options.workDir ?? Deno.cwd();
  let journal: RunJournal;
  try {
    journal = await RunJournal.open(workDir, options.runId);
  } catch (error) {
    const why = (error as Error).message;
    // Its instances carry the run tag: release what the tag finds.
    if (await hasRunDirectory(workDir, options.runId)) {
      return await cleanupRunByTag({ ...options, workDir, print }, why);
    }
    print(`error: ${why}`);
    if (isRunId(options.runId)) print(noJournalHint(options));
    return EXIT.USAGE;
  }
  const data = journal.data;
  if (data.simulated) {
    print(
      `run ${options.runId} was simulated (--simulate): its instances lived in the simulator ` +
        `inside that run's process and ended with it; nothing to clean up`,
    );
    return EXIT.OK;
  }
  const alive = await stillAlive(workDir, options.runId, data);
  if (alive && !options.force) {
    print(
      `error: ${alive}: stop it first (Ctrl-C in its terminal makes it clean up itself), ` +
        "or pass --force to release its resources anyway; nothing was changed",
    );
    return EXIT.USAGE;
  }
  if (alive) print(`warning: ${alive}; going ahead (--force)`);
  const keepFlag = parseKeepFlag(options.keep);
  if ("problem" in keepFlag) {
    print(`error: ${keepFlag.problem}`);
    return EXIT.USAGE;
  }
  const keepIds = keepFlag.ids;
  const targetsByInstance = new Map(
    data.targets.filter((t) => t.instanceId).map((t) => [t.instanceId!, t]),
  );
  const ofKind = (kind: string, pick: (r: ResourceRecord) => boolean) =>
    data.resources.filter((r) => r.kind === kind && pick(r));
  const kept = ofKind(INSTANCE_RESOURCE, (r) => r.state === "kept");
  let instances = [
    ...ofKind(INSTANCE_RESOURCE, open),
    ...(options.includeKept ? kept : []),
  ];
  const groups = [
    ...ofKind(PLACEMENT_GROUP_RESOURCE, open),
    ...(options.includeKept ? ofKind(PLACEMENT_GROUP_RESOURCE, (r) => r.state === "kept") : []),
  ];
  const keptLine = kept.length > 0 && !options.includeKept
    ? `kept by the run: ${
      kept.map((r) => {
        const what = targetsByInstance.get(r.id)?.label ?? instanceTypeOf(r);
        return `${r.id}${what ? ` (${what})` : ""}`;
      }).join(", ")
    }; pass --include-kept to terminate them`
    : undefined;
  const recorded = recordedRunAccount(data.values, data.resources);
  // Without a recorded account no tag look-up can add instances: check --keep
  // against the journal now; else once the look-up is done, still before anything is released.
  const keepRefusal = recorded ? null : keepIdsRefusal(keepIds, options.runId, data.resources);
  if (keepRefusal) {
    print(`error: ${keepRefusal}; nothing was changed`);
    return EXIT.USAGE;
  }
  // Without a recorded account the run never got to launch anything (the launch
  // records it before creating a resource): the journal is the whole story.
  if (instances.length === 0 && groups.length === 0 && !recorded) {
    print(`run ${options.runId}: nothing left to release`);
    if (keptLine) print(keptLine);
    return EXIT.OK;
  }
  const ctx = createCommandContext("cleanup-run", { ...options, workDir }, {
    journal,
    services: options.services,
  });
  try {
    const region = options.region ?? recorded?.region ?? instances[0]?.region ??
      groups[0]?.region ?? configuredRegion(ctx) ?? BOOTSTRAP_REGION;
    const signal = new AbortController().signal;
    let identity: CallerIdentity;
    try {
      identity = await verifyCredentials(ctx, region, signal);
    } catch (error) {
      print(`error: ${(error as Error).message}`);
      print(
        `nothing was checked or released; with working credentials, run this again, or: ${
          sweepCommandLine(options.region ?? recorded?.region ?? region)
        }`,
      );
      return EXIT.FAILED;
    }
    if (recorded && recorded.account !== identity.account) {
      print(
        `error: run ${options.runId} launched its resources in AWS account ${recorded.account} ` +
          `(region ${recorded.region}), but the current credentials (${identity.source}) belong ` +
          `to account ${identity.account}: nothing was changed. Use credentials of account ` +
          `${recorded.account} (--profile, AWS_PROFILE) and the endpoint the run used.`,
      );
      return EXIT.USAGE;
    }
    let uncertain = false;
    if (!recorded) {
      uncertain = true;
      ctx.log.warn(
        `the journal of run ${options.runId} records no AWS account (an older version ` +
          `wrote it): cannot check that account ${identity.account} is the run's`,
      );
    } else {
      // A run killed while RunInstances was in flight never journaled those instances.
      const tagRegion = options.region ?? recorded.region;
      try {
        const journaled = new Set(data.resources.map((r) => r.id));
        for (const t of await taggedInstances(ctx, options.runId, tagRegion, signal)) {
          if (journaled.has(t.instanceId)) continue;
          await journal.recordResource({
            kind: INSTANCE_RESOURCE,
            id: t.instanceId,
            region: tagRegion,
            state: "created",
            releaseCommand: terminateInstancesCommand(tagRegion, [t.instanceId]),
            detail: {
              instanceType: t.instanceType,
              account: recorded.account,
              region: tagRegion,
              foundByTag: true,
            },
          });
          instances.push(journal.data.resources.find((r) => r.id === t.instanceId)!);
        }
      } catch (error) {
        uncertain = true;
        print(
          `warning: could not look up instances tagged ${TAG_RUN_ID}=${options.runId} in ` +
            `${tagRegion}: ${(error as Error).message}`,
        );
      }
    }
    const lateKeepRefusal = keepIdsRefusal(keepIds, options.runId, journal.data.resources);
    if (lateKeepRefusal) {
      print(`error: ${lateKeepRefusal}; nothing was terminated`);
      return EXIT.USAGE;
    }
    const keepNow = instances.filter((r) => keepIds.includes(r.id));
    instances = instances.filter((r) => !keepIds.includes(r.id));
    const markKept = async () => {
      for (const r of keepNow) {
        await journal.updateResource(INSTANCE_RESOURCE, r.id, "kept");
        print(
          `keeping ${r.id} running (--keep); release it later with: ptp-runner cleanup --run ` +
            `${options.runId} --include-kept`,
        );
      }
    };
    const sweepHint = () =>
      print(
        `to find instances of this run the journal may not know, run: ${
          sweepCommandLine(options.region ?? recorded?.region ?? region)
        }`,
      );
    if (instances.length === 0 && groups.length === 0) {
      print(
        `run ${options.runId}: nothing left to release` +
          (recorded
            ? ` (journal, and instances tagged ${TAG_RUN_ID}=${options.runId} in account ` +
              `${recorded.account} / ${options.region ?? recorded.region})`
            : ""),
      );
      await markKept();
      if (keptLine) print(keptLine);
      if (uncertain) sweepHint();
      return EXIT.OK;
    }
    print(`run ${options.runId} (${data.pipeline.name}) left:`);
    for (const r of [...instances, ...groups]) {
      const type = instanceTypeOf(r) ? ` ${instanceTypeOf(r)}` : "";
      const byTag = r.detail?.foundByTag ? " (found by its run tag, not in the journal)" : "";
      print(
        `  ${r.kind} ${r.id}${type}${r.region ? ` in ${r.region}` : ""} [${r.state}]${byTag}`,
      );
    }
    if (keptLine) print(keptLine);
    if (keepNow.length > 0) {
      print(`kept with --keep (not terminated): ${keepNow.map((r) => r.id).join(", ")}`);
    }
    if (!options.yes) {
      if (!ctx.settings.interactive) {
        print("not interactive: pass --yes to terminate and delete these");
        return EXIT.USAGE;
      }
      const go = await ask(ctx, (p) => p.confirm("Terminate and delete these now?", false));
      if (!go) {
        print("nothing changed");
        return EXIT.LEFT_BEHIND;
      }
    }
    await markKept();
    const cleanupInstance = (r: ResourceRecord): CleanupInstance => {
      const t = targetsByInstance.get(r.id);
      const instanceType = t?.instanceType ?? instanceTypeOf(r);
      return {
        instanceId: r.id,
        ...(t ? { targetId: t.id, label: t.label } : {}),
        ...(instanceType ? { instanceType } : {}),
        region: options.region ?? r.region ?? region,
      };
    };
    const terminate = instances.map(cleanupInstance);
    const stillKept = new Set([...(options.includeKept ? [] : kept.map((r) => r.id)), ...keepIds]);
    const groupsInUse = new Set(
      data.targets.filter((t) => t.instanceId && stillKept.has(t.instanceId) && t.placementGroup)
        .map((t) => t.placementGroup!),
    );
    const outcome = { ...emptyCleanupOutcome(), kept: keepNow.map(cleanupInstance) };
    await releaseResources(
      ctx,
      {
        terminate,
        placementGroups: groups.map((g) => ({ name: g.id, region: options.region ?? g.region })),
        groupsInUse,
        defaultRegion: region,
        waitTimeoutSeconds: options.waitTimeoutSeconds ?? 600,
        confirmNotFound: { account: identity.account },
      },
      signal,
      outcome,
    );
    await journal.put(RECOVERY_JOURNAL_KEY, outcome);
    print(
      `terminated ${outcome.terminated.length} instance(s)` +
        (outcome.placementGroupsDeleted.length > 0
          ? `, deleted placement group ${outcome.placementGroupsDeleted.join(", ")}`
          : ""),
    );
    const left = leftBehindLines(outcome);
    if (left.length > 0) {
      print("may be left behind (check, then run these by hand):");
      for (const line of left) print(`  ${line}`);
      sweepHint();
      return EXIT.LEFT_BEHIND;
    }
    if (uncertain) sweepHint();
    return EXIT.OK;
  } finally {
    await ctx.close();
  }
}
