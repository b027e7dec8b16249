/**
 * `ptp-runner cleanup --run <run-id>`: releases what a run left behind (a
 * killed process, a failed cleanup). Reads the run journal
 * (`.ptp-runner/runs/<id>/journal.json`), terminates its instances still
 * `created` or `release-failed`, deletes its placement group, and updates the
 * journal. Instances the user chose to keep (`kept`) are left alone.
 * @module
 */
import { EXIT } from "../../runner/errors.ts";
import { RunJournal } from "../../runner/journal.ts";
import type { ResourceRecord } from "../../runner/types.ts";
import { type CleanupInstance, emptyCleanupOutcome } from "../report/cleanup-outcome.ts";
import { configuredRegion } from "./clients.ts";
import { leftBehindLines } from "./cleanup-impl.ts";
import { type CommandOptions, createCommandContext } from "./command-context.ts";
import { verifyCredentials } from "./credentials.ts";
import { ask } from "./prompts.ts";
import { BOOTSTRAP_REGION } from "./region.ts";
import { releaseResources } from "./release.ts";
import { INSTANCE_RESOURCE, PLACEMENT_GROUP_RESOURCE } from "./resource-kinds.ts";

/** Journal key under which `cleanup --run` stores its outcome (the run's own stays under `cleanup`). */
export const RECOVERY_JOURNAL_KEY = "cleanup-run";

/** Options of {@link cleanupRunCommand}. */
export interface CleanupRunOptions extends CommandOptions {
  runId: string;
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

/**
 * Runs `cleanup --run`.
 * @returns the exit code: 0 all released (or nothing to do), 2 bad run id /
 *   unreadable journal / confirmation needed, 3 something left behind
 *   (printed with copy-paste commands), 1 credentials refused.
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
  const instances = data.resources.filter((r) => r.kind === INSTANCE_RESOURCE && open(r));
  const groups = data.resources.filter((r) => r.kind === PLACEMENT_GROUP_RESOURCE && open(r));
  if (instances.length === 0 && groups.length === 0) {
    print(`run ${options.runId}: nothing left to release`);
    return EXIT.OK;
  }
  print(`run ${options.runId} (${data.pipeline.name}) left:`);
  for (const r of [...instances, ...groups]) {
    const type = typeof r.detail?.instanceType === "string" ? ` ${r.detail.instanceType}` : "";
    print(`  ${r.kind} ${r.id}${type}${r.region ? ` in ${r.region}` : ""} [${r.state}]`);
  }
  const ctx = createCommandContext("cleanup-run", { ...options, workDir }, {
    runId: options.runId,
    journal,
    targets: [...data.targets],
    services: options.services,
  });
  try {
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
    const region = options.region ?? instances[0]?.region ?? groups[0]?.region ??
      configuredRegion(ctx) ?? BOOTSTRAP_REGION;
    const signal = new AbortController().signal;
    try {
      await verifyCredentials(ctx, region, signal);
    } catch (error) {
      print(`error: ${(error as Error).message}`);
      return EXIT.FAILED;
    }
    const targetsByInstance = new Map(
      data.targets.filter((t) => t.instanceId).map((t) => [t.instanceId!, t]),
    );
    const terminate: CleanupInstance[] = instances.map((r) => {
      const t = targetsByInstance.get(r.id);
      const instanceType = t?.instanceType ??
        (typeof r.detail?.instanceType === "string" ? r.detail.instanceType : undefined);
      return {
        instanceId: r.id,
        ...(t ? { targetId: t.id, label: t.label } : {}),
        ...(instanceType ? { instanceType } : {}),
        region: options.region ?? r.region ?? region,
      };
    });
    const keptIds = new Set(
      data.resources.filter((r) => r.kind === INSTANCE_RESOURCE && r.state === "kept").map((r) =>
        r.id
      ),
    );
    const groupsInUse = new Set(
      data.targets.filter((t) => t.instanceId && keptIds.has(t.instanceId) && t.placementGroup)
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
      print("could not release (run these by hand):");
      for (const line of left) print(`  ${line}`);
      return EXIT.LEFT_BEHIND;
    }
    return EXIT.OK;
  } finally {
    await ctx.close();
  }
}
