/**
 * `configure-chrony`: makes chrony read the chosen PTP hardware clock (PHC)
 * with `refclock PHC <device> poll 0 delay 0.000010 prefer`, through a stable
 * device path (`/dev/ptp_ena` for the ENA clock; `/dev/ptp_refclock` made by
 * a udev rule on the clock's name for any other choice). Paths and unit come
 * from the host layout (`facts.host`). As a managed drop-in when chrony.conf
 * reads a confdir, else a marker line and the refclock line in chrony.conf.
 * Validates with `chronyd -p`, restarts chrony, waits `settle_seconds` and
 * checks it stayed up (same `InvocationID`); on any failure or abort restores
 * the files from memory, restarts and checks again (PTP.md section 5). With
 * `clock: ena` it then removes the `/dev/ptp_refclock` udev rule an earlier
 * run with another clock choice left, and reloads udev.
 * In check mode (`--dry-run`) only reads, and records the diffs it would apply.
 * @module
 */
import { defineStep, durationSeconds, z } from "../plugins/api.ts";
import type { TargetStepContext } from "../runner/types.ts";
import type { ChronyConfigFacts, PreviousFile } from "../plugins/ptp/facts.ts";
import { shellFor } from "../plugins/ssh/shell-registry.ts";
import type { RemoteShell } from "../plugins/ssh/types.ts";
import { shQuote } from "../plugins/ssh/quote.ts";
import { type HostChanges, hostChanges } from "../plugins/host/changes.ts";
import { hostLayout } from "../plugins/host/distribution.ts";
import {
  dropInPathFor,
  hasAmazonTimeSync,
  planChronyChange,
  type PlannedFile,
} from "../plugins/ptp/chrony-config.ts";
import {
  chronydJournalTail,
  readChronydStatus,
  restartChronyd,
  stayedUp,
} from "../plugins/ptp/chronyd-service.ts";
import { ROLLBACK_GRACE_SECONDS, rollBackChrony } from "../plugins/ptp/chrony-rollback.ts";
import { StepError } from "../runner/errors.ts";
import { clockChoiceOf, ClockChoiceSchema } from "../plugins/ptp/clock-choice.ts";
import {
  findChosenClock,
  REFCLOCK_UDEV_RULE_PATH,
  refclockUdevRule,
  UDEV_TRIGGER_PTP,
} from "../plugins/ptp/chosen-clock.ts";
import { evidenceOf, failure } from "../plugins/ptp/diagnose.ts";
import { PTP_ENA_DEVICE, readPhcSnapshot } from "../plugins/ptp/phc-clock.ts";
import { primaryInterface } from "../plugins/ptp/primary-interface.ts";
import { readRemoteFile } from "../plugins/ptp/remote-files.ts";

/** `ConfigureChronyInput` as the step receives it (from the schema). */
export type ConfigureChronyInput = z.output<typeof ConfigureChronyInput>;

/** `ConfigureChronyOutput` as the step returns it (from the schema). */
export type ConfigureChronyOutput = z.input<typeof ConfigureChronyOutput>;

/** Input of `configure-chrony`. */
export const ConfigureChronyInput = z.object({
  /** Which PHC: `ena`, `primary-nic` or `clock_name:<glob>`. */
  clock: ClockChoiceSchema,
  /** Seconds to wait after restarting chrony before checking it stayed up. */
  settle_seconds: durationSeconds(3).describe(
    "Wait after restarting chrony before checking it stayed up (same InvocationID).",
  ),
}).strict();

/** Output of `configure-chrony`. */
export const ConfigureChronyOutput = z.object({
  /** True when the configuration changed (check mode: would change). */
  changed: z.boolean(),
  /** True under `--dry-run`: nothing was applied, `changed` says what would change. */
  check_mode: z.boolean(),
  /** File holding the refclock line; null when skipped. */
  file: z.string().nullable(),
  /** `drop-in` or `line`; null when skipped. */
  method: z.enum(["drop-in", "line"]).nullable(),
  /** Stable device path in the refclock line; null when skipped. */
  device: z.string().nullable(),
  /** `clock_name` of the clock chosen; null when unknown. */
  clock_name: z.string().nullable(),
  /** True when a failure restored the previous configuration (the step then throws). */
  rolled_back: z.boolean(),
  /** Why nothing was written. */
  skipped_reason: z.string().optional(),
});

/** Where the clock is and what udev needs, before chrony is touched. */
interface DevicePlan {
  device: string;
  clockName: string | null;
  /** The udev rule to write, when it differs. */
  rule: PlannedFile | null;
  /** udev must be triggered (rule written, or the link does not point at the clock). */
  trigger: boolean;
  /** `ptpN` the stable link must point to (non-ENA choices). */
  expectLink: string | null;
  /** A note for check mode (e.g. the device does not exist yet). */
  note: string | null;
  /**
   * ptp-runner's `/dev/ptp_refclock` udev rule left by an earlier run with
   * another clock choice, to remove once chrony reads `/dev/ptp_ena` (null: none).
   */
  staleRule: { path: string; before: string } | null;
}

/**
 * Finds the chosen clock and its stable device path; null with a reason when
 * there is nothing to configure (nothing is changed then).
 */
async function planDevice(
  ctx: TargetStepContext,
  shell: RemoteShell,
  input: ConfigureChronyInput,
  signal: AbortSignal,
): Promise<DevicePlan | string> {
  const target = ctx.target;
  const facts = target.facts;
  const checkMode = ctx.settings.dryRun;
  const choice = clockChoiceOf(input.clock);
  if (choice.kind === "ena") {
    const state = facts.phc?.state;
    if (state !== "enabled" && !(checkMode && state === "planned")) {
      return `the ENA PHC is not enabled (state: ${state ?? "unknown"})`;
    }
    const exists = (await shell.run(`test -e ${PTP_ENA_DEVICE}`, { signal })).exitCode === 0;
    let note: string | null = null;
    if (!exists) {
      if (!checkMode) {
        target.warnings.push(`${PTP_ENA_DEVICE} does not resolve: chrony left unchanged`);
        return `${PTP_ENA_DEVICE} does not resolve (a refclock on it would stop chronyd)`;
      }
      note = `${PTP_ENA_DEVICE} does not exist yet (enable-hwts would make it): ` +
        "the diff assumes it will";
    }
    const left = (await readRemoteFile(shell, REFCLOCK_UDEV_RULE_PATH, signal, true)).content;
    return {
      device: PTP_ENA_DEVICE,
      clockName: facts.phc?.clockName ?? null,
      rule: null,
      trigger: false,
      expectLink: null,
      note,
      staleRule: left === null ? null : { path: REFCLOCK_UDEV_RULE_PATH, before: left },
    };
  }
  const iface = await primaryInterface(facts, shell, signal);
  const snapshot = await readPhcSnapshot(shell, iface, signal);
  const chosen = findChosenClock(choice, snapshot, iface, target.address ?? target.label);
  if (!chosen.found) return chosen.reason;
  const ruleBefore = (await readRemoteFile(shell, REFCLOCK_UDEV_RULE_PATH, signal, true)).content;
  const rule = refclockUdevRule(chosen.clock.clockName);
  const link = await shell.run(`readlink ${chosen.device}`, { signal });
  const linked = link.exitCode === 0 && link.stdout.trim().replace(/^.*\//, "") ===
      chosen.clock.device;
  return {
    device: chosen.device,
    clockName: chosen.clock.clockName,
    rule: ruleBefore === rule
      ? null
      : { path: REFCLOCK_UDEV_RULE_PATH, before: ruleBefore, after: rule },
    trigger: ruleBefore !== rule || !linked,
    expectLink: chosen.clock.device,
    note: linked ? null : `${chosen.device} does not exist yet (the udev rule would make it)`,
    staleRule: null,
  };
}

/**
 * Removes ptp-runner's `/dev/ptp_refclock` udev rule that an earlier run with
 * another clock choice left, once chrony reads `/dev/ptp_ena` instead, and
 * reloads udev so that the link goes too (udev drops a device's links that no
 * rule gives it any more when the device is triggered). The rule's content
 * goes to `previous` first: a rollback puts it back with the chrony
 * configuration that read it. In check mode only records both changes.
 * @throws StepError `command` (diagnosis layer `udev`) when `rm` or the udev
 *   reload fails; `connection`/`cancelled` from the shell
 */
async function removeStaleRule(
  ctx: TargetStepContext,
  shell: RemoteShell,
  changes: HostChanges,
  stale: { path: string; before: string },
  previous: PreviousFile[],
  signal: AbortSignal,
): Promise<void> {
  if (!changes.checkMode) previous.push({ path: stale.path, content: stale.before });
  const removed = await changes.removeFile(stale.path, stale.before, signal);
  if (removed.result && removed.result.exitCode !== 0) {
    throw failure(ctx.target, "command", "udev", `cannot remove ${stale.path}`, removed.result);
  }
  const trigger = await changes.action(
    "reload udev rules and trigger PTP devices",
    () => shell.run(UDEV_TRIGGER_PTP, { signal }),
  );
  if (trigger && trigger.exitCode !== 0) {
    throw failure(
      ctx.target,
      "command",
      "udev",
      `udev did not reload its rules after removing ${stale.path}`,
      trigger,
    );
  }
}

/**
 * Runs configure-chrony on the current target.
 * @throws StepError `command` (diagnosis layer `udev`, `chrony` or `service`,
 *   quoting the evidence) after restoring the previous configuration; the
 *   abort reason when aborted (also after restoring); `config` without a
 *   target/session; `connection`.
 */
async function runConfigureChrony(
  ctx: TargetStepContext,
  input: ConfigureChronyInput,
  signal: AbortSignal,
): Promise<ConfigureChronyOutput> {
  const target = ctx.target;
  const facts = target.facts;
  const checkMode = ctx.settings.dryRun;
  const layout = hostLayout(facts);
  const unit = layout.chrony_unit;
  const confPath = layout.chrony_conf;
  const empty = {
    changed: false,
    check_mode: checkMode,
    file: null,
    method: null,
    device: null,
    clock_name: null,
    rolled_back: false,
  };
  const shell = await shellFor(ctx);
  const devicePlan = await planDevice(ctx, shell, input, signal);
  if (typeof devicePlan === "string") {
    ctx.log.info(`not configuring chrony: ${devicePlan}`);
    return { ...empty, skipped_reason: devicePlan };
  }
  const { device, clockName } = devicePlan;
  if (devicePlan.note && checkMode) {
    ctx.log.info(devicePlan.note);
    target.warnings.push(`check mode: ${devicePlan.note}`);
  }

  const conf = await readRemoteFile(shell, confPath, signal, true);
  if (conf.content === null) {
    throw failure(target, "command", "chrony", `cannot read ${confPath}`, conf.result);
  }
  if (device === PTP_ENA_DEVICE && !hasAmazonTimeSync(conf.content)) {
    target.warnings.push(`${confPath} names no Amazon Time Sync server (169.254.169.123)`);
  }
  const dropInPath = dropInPathFor(conf.content, layout.chrony_confdir);
  const dropIn = dropInPath
    ? (await readRemoteFile(shell, dropInPath, signal, true)).content
    : null;
  const plan = planChronyChange({
    confPath,
    conf: conf.content,
    preferredConfDir: layout.chrony_confdir,
    dropIn,
    device,
    unit,
  });
  const base = { file: plan.file, method: plan.method, device, clock_name: clockName };
  const record = (changes: Partial<ChronyConfigFacts>): ChronyConfigFacts =>
    facts.chrony = {
      file: plan.file,
      method: plan.method,
      changed: false,
      rolledBack: false,
      device,
      clockName,
      unit,
      ...changes,
    };

  if (plan.conflict) {
    target.warnings.push(plan.reason);
    const status = await readChronydStatus(shell, unit, signal);
    record({ invocationId: status.invocationId, nRestarts: status.nRestarts });
    ctx.log.info(plan.reason);
    return { ...empty, ...base, skipped_reason: plan.reason };
  }
  const writes = [...(devicePlan.rule ? [devicePlan.rule] : []), ...plan.writes];
  const stale = devicePlan.staleRule;
  if (writes.length === 0 && !devicePlan.trigger && !stale) {
    const status = await readChronydStatus(shell, unit, signal);
    record({ invocationId: status.invocationId, nRestarts: status.nRestarts });
    ctx.log.info(`unchanged: ${plan.reason}`);
    return { ...empty, ...base };
  }

  const changes = hostChanges(ctx, shell);
  if (checkMode) {
    // Same records, same order as a real run; nothing applied.
    const rule = devicePlan.rule;
    if (rule) await changes.writeFile(rule.path, rule.before, rule.after, signal);
    if (devicePlan.trigger) {
      await changes.action("reload udev rules and trigger PTP devices", () => Promise.resolve());
    }
    for (const w of plan.writes) await changes.writeFile(w.path, w.before, w.after, signal);
    if (plan.writes.length > 0) {
      await changes.action(`validate with chronyd -p, restart ${unit}`, () => Promise.resolve());
    }
    if (stale) await removeStaleRule(ctx, shell, changes, stale, [], signal);
    record({ changed: true });
    return { ...empty, ...base, changed: true };
  }

  const previous: PreviousFile[] = [];
  let restarted = false;
  try {
    if (devicePlan.rule) {
      previous.push({ path: devicePlan.rule.path, content: devicePlan.rule.before });
      const w = await changes.writeFile(
        devicePlan.rule.path,
        devicePlan.rule.before,
        devicePlan.rule.after,
        signal,
      );
      if (w.result && w.result.exitCode !== 0) {
        throw failure(target, "command", "udev", `cannot write ${devicePlan.rule.path}`, w.result);
      }
    }
    if (devicePlan.trigger) {
      const trigger = await changes.action(
        "reload udev rules and trigger PTP devices",
        () => shell.run(UDEV_TRIGGER_PTP, { signal }),
      );
      const link = await shell.run(`readlink ${device}`, { signal });
      const to = link.exitCode === 0 ? link.stdout.trim().replace(/^.*\//, "") : "";
      if (trigger?.exitCode !== 0 || to !== devicePlan.expectLink) {
        throw failure(
          target,
          "command",
          "udev",
          `${device} does not point to ${devicePlan.expectLink} after the udev rule`,
          {
            command: `${trigger?.command ?? UDEV_TRIGGER_PTP}; ${link.command}`,
            output: [trigger ? evidenceOf(trigger).output : "", evidenceOf(link).output]
              .filter(Boolean).join("\n"),
          },
        );
      }
    }
    for (const w of plan.writes) {
      if (w.before === null) {
        const dir = w.path.slice(0, w.path.lastIndexOf("/"));
        await shell.run(`mkdir -p ${shQuote(dir)}`, { sudo: true, signal });
      }
      previous.push({ path: w.path, content: w.before });
      const written = await changes.writeFile(w.path, w.before, w.after, signal);
      if (written.result && written.result.exitCode !== 0) {
        throw failure(target, "command", "chrony", `cannot write ${w.path}`, written.result);
      }
    }
    if (plan.writes.length === 0) {
      if (stale) await removeStaleRule(ctx, shell, changes, stale, previous, signal);
      const status = await readChronydStatus(shell, unit, signal);
      record({ changed: true, invocationId: status.invocationId, nRestarts: status.nRestarts });
      return { ...empty, ...base, changed: true };
    }
    const parse = await shell.run(`chronyd -p -f ${shQuote(confPath)}`, { sudo: true, signal });
    if (parse.exitCode !== 0) {
      throw failure(
        target,
        "command",
        "chrony",
        "chronyd -p rejected the new configuration",
        parse,
      );
    }
    restarted = true;
    const restart = await changes.action(
      `restart ${unit}`,
      () => restartChronyd(shell, unit, signal),
    );
    const first = await readChronydStatus(shell, unit, signal);
    await ctx.sleep(input.settle_seconds, signal);
    const second = await readChronydStatus(shell, unit, signal);
    const up = stayedUp(first, second);
    if (restart?.exitCode !== 0 || !up.ok) {
      const journal = await chronydJournalTail(shell, unit, signal);
      throw failure(
        target,
        "command",
        "service",
        `${unit} ${
          up.ok ? `restart failed (exit status ${restart?.exitCode ?? "none"})` : up.reason
        } with the PHC refclock`,
        {
          command: `${
            restart?.command ?? "restart"
          }; ${second.evidence.command}; ${journal.command}`,
          output: [
            restart ? evidenceOf(restart).output : "",
            second.evidence.output,
            journal.output,
          ].filter((x) => x !== "").join("\n"),
        },
      );
    }
    // Only once chrony runs on /dev/ptp_ena: until then the old configuration may read the link.
    if (stale) await removeStaleRule(ctx, shell, changes, stale, previous, signal);
    record({
      changed: true,
      invocationId: second.invocationId,
      nRestarts: second.nRestarts,
      previous,
    });
    ctx.log.info(`added the PHC refclock (${device}) to ${plan.file} (${plan.method}); ${unit} up`);
    return { ...empty, ...base, changed: true };
  } catch (error) {
    if (previous.length > 0 || restarted) {
      const why = signal.aborted
        ? "configure-chrony was aborted"
        : `configure-chrony failed (${error instanceof Error ? error.message : String(error)})`;
      const outcome = await rollBackChrony(ctx, shell, {
        previous,
        unit,
        restart: restarted,
        settleSeconds: input.settle_seconds,
        why,
      });
      record({ changed: false, rolledBack: outcome.filesRestored });
      if (signal.aborted || !(outcome.filesRestored && outcome.chronyActive)) {
        // The report shows the step's message: it says what the rollback achieved.
        throw new StepError(
          signal.aborted
            ? (signal.reason instanceof DOMException && signal.reason.name === "TimeoutError"
              ? "timeout"
              : "cancelled")
            : error instanceof StepError
            ? error.kind
            : "command",
          signal.aborted
            ? `${error instanceof Error ? error.message : String(error)}; ${outcome.summary}`
            : outcome.summary,
          { cause: error, evidence: error instanceof StepError ? error.evidence : undefined },
        );
      }
    }
    throw error;
  }
}

export default defineStep({
  type: "configure-chrony",
  description:
    "Make chrony use the chosen PHC (stable device path), validated, checked, rolled back on failure.",
  scope: "target",
  input: ConfigureChronyInput,
  output: ConfigureChronyOutput,
  reads: [
    "facts.phc.state",
    "facts.phc.clockName",
    "facts.host",
    "facts.ena.interface",
    "settings.dryRun",
  ],
  writes: [
    "facts.chrony",
    "facts.changes",
    "target.diagnostics",
    "target.warnings",
  ],
  // On abort the step restores the previous chrony configuration (rollback bound: 60 s).
  abortGraceSeconds: ROLLBACK_GRACE_SECONDS,
  async run(ctx, input, signal) {
    return await runConfigureChrony(ctx, input, signal);
  },
});
