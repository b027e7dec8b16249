/**
 * `ptp-runner cleanup --run <run-id>`: releases what a run left behind (a
 * killed process, a failed cleanup). Reads the run journal
 * (`.ptp-runner/runs/<id>/journal.json`), terminates its instances still
 * `created` or `release-failed`, deletes its placement group, and updates the
 * journal. It refuses to work with credentials of another AWS account than
 * the one the run recorded. Instances the user chose to keep (`kept`) are
 * listed and left alone unless `--include-kept`.
 * @module
 */
import { EXIT } from "../../../runner/errors.ts";
import { RunJournal } from "../../../runner/journal.ts";
import type { ResourceRecord } from "../../../runner/types.ts";
import { type CleanupInstance, emptyCleanupOutcome } from "../../report/cleanup-outcome.ts";
import { configuredRegion } from "../shared/clients.ts";
import { leftBehindLines } from "./clean-up-run.ts";
import { type CommandOptions, createCommandContext } from "./command-context.ts";
import { type CallerIdentity, verifyCredentials } from "../shared/credentials.ts";
import { ask } from "../shared/prompts.ts";
import { BOOTSTRAP_REGION } from "../shared/region.ts";
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
 *   unreadable journal / confirmation needed / credentials of another account
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
    print(`error: ${(error as Error).message}`);
    return EXIT.USAGE;
  }
  const data = journal.data;
  const targetsByInstance = new Map(
    data.targets.filter((t) => t.instanceId).map((t) => [t.instanceId!, t]),
  );
  const ofKind = (kind: string, pick: (r: ResourceRecord) => boolean) =>
    data.resources.filter((r) => r.kind === kind && pick(r));
  const kept = ofKind(INSTANCE_RESOURCE, (r) => r.state === "kept");
  const instances = [
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
  if (instances.length === 0 && groups.length === 0) {
    print(`run ${options.runId}: nothing left to release`);
    if (keptLine) print(keptLine);
    return EXIT.OK;
  }
  print(`run ${options.runId} (${data.pipeline.name}) left:`);
  for (const r of [...instances, ...groups]) {
    const type = instanceTypeOf(r) ? ` ${instanceTypeOf(r)}` : "";
    print(`  ${r.kind} ${r.id}${type}${r.region ? ` in ${r.region}` : ""} [${r.state}]`);
  }
  if (keptLine) print(keptLine);
  const ctx = createCommandContext("cleanup-run", { ...options, workDir }, {
    journal,
    services: options.services,
  });
  try {
    const recorded = recordedRunAccount(data.values, data.resources);
    const region = options.region ?? recorded?.region ?? instances[0]?.region ??
      groups[0]?.region ?? configuredRegion(ctx) ?? BOOTSTRAP_REGION;
    const signal = new AbortController().signal;
    let identity: CallerIdentity;
    try {
      identity = await verifyCredentials(ctx, region, signal);
    } catch (error) {
      print(`error: ${(error as Error).message}`);
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
    if (!recorded) {
      ctx.log.warn(
        `the journal of run ${options.runId} records no AWS account (an older version ` +
          `wrote it): cannot check that account ${identity.account} is the run's`,
      );
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
    const terminate: CleanupInstance[] = instances.map((r) => {
      const t = targetsByInstance.get(r.id);
      const instanceType = t?.instanceType ?? instanceTypeOf(r);
      return {
        instanceId: r.id,
        ...(t ? { targetId: t.id, label: t.label } : {}),
        ...(instanceType ? { instanceType } : {}),
        region: options.region ?? r.region ?? region,
      };
    });
    const stillKept = new Set(options.includeKept ? [] : kept.map((r) => r.id));
    const groupsInUse = new Set(
      data.targets.filter((t) => t.instanceId && stillKept.has(t.instanceId) && t.placementGroup)
        .map((t) => t.placementGroup!),
    );
    const outcome = emptyCleanupOutcome();
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
      return EXIT.LEFT_BEHIND;
    }
    return EXIT.OK;
  } finally {
    await ctx.close();
  }
}
