/**
 * `configure-chrony`: adds `refclock PHC /dev/ptp_ena poll 0 delay 0.000010
 * prefer` to chrony, only once the ENA clock is verified; as a managed
 * drop-in when chrony.conf includes /etc/chrony.d, else one marked line.
 * Backs up, validates with `chronyd -p`, restarts chronyd, and rolls back on
 * any failure or abort (PTP.md section 5).
 * @module
 */
import { defineStep, durationSeconds, z } from "../plugins/api.ts";
import type { Target, TargetStepContext } from "../runner/types.ts";
import type { ChronyConfigFacts } from "../plugins/ptp/facts.ts";
import { shellFor } from "../plugins/ssh/shell-registry.ts";
import type { RemoteShell } from "../plugins/ssh/types.ts";
import {
  CHRONY_CONF,
  CHRONY_CONF_BACKUP,
  CHRONY_DROP_IN_DIR,
  type ChronyPlan,
  DROP_IN_PATH,
  hasAmazonTimeSync,
  includesDirectory,
  planChronyChange,
} from "../plugins/ptp/chrony-config.ts";
import {
  chronydJournalTail,
  readChronydStatus,
  restartChronyd,
} from "../plugins/ptp/chronyd-service.ts";
import { diagnose, evidenceOf, failure } from "../plugins/ptp/diagnose.ts";
import { PTP_ENA_DEVICE } from "../plugins/ptp/phc-clock.ts";
import { readRemoteFile, removeRemoteFile, writeRemoteFile } from "../plugins/ptp/remote-files.ts";

/** `ConfigureChronyInput` as the step receives it (from the schema). */
export type ConfigureChronyInput = z.output<typeof ConfigureChronyInput>;

/** `ConfigureChronyOutput` as the step returns it (from the schema). */
export type ConfigureChronyOutput = z.input<typeof ConfigureChronyOutput>;

/** Input of `configure-chrony`. */
export const ConfigureChronyInput = z.object({
  /** Seconds to wait after restarting chronyd before checking it is still active. */
  settle_seconds: durationSeconds(2).describe(
    "Wait after restarting chronyd before checking it stayed active.",
  ),
}).strict();

/** Output of `configure-chrony`. */
export const ConfigureChronyOutput = z.object({
  /** True when the configuration was changed (and chronyd restarted). */
  changed: z.boolean(),
  /** File holding the refclock line; null when skipped. */
  file: z.string().nullable(),
  /** `drop-in` or `line`; null when skipped. */
  method: z.enum(["drop-in", "line"]).nullable(),
  /** True when a failure restored the previous configuration (the step then throws). */
  rolled_back: z.boolean(),
  /** Backup of chrony.conf, when one was made (drop-in: previous content kept in memory). */
  backup: z.string().nullable(),
  /** Why nothing was written. */
  skipped_reason: z.string().optional(),
});

/** Upper bound of the rollback after an abort or failure, seconds (real time). */
const ROLLBACK_TIMEOUT_MS = 60_000;

/** Undoes the configuration change. */
type Restore = (signal: AbortSignal) => Promise<void>;

/** Writes the change the plan asks for; returns how to undo it and the backup path. */
async function applyPlan(
  target: Target,
  shell: RemoteShell,
  plan: ChronyPlan,
  dropIn: string | null,
  signal: AbortSignal,
  setRestore: (restore: Restore) => void,
): Promise<string | null> {
  if (plan.action === "write-drop-in") {
    setRestore(async (s) => {
      const r = dropIn === null
        ? await removeRemoteFile(shell, DROP_IN_PATH, s)
        : await writeRemoteFile(shell, DROP_IN_PATH, dropIn, s);
      if (r.exitCode !== 0) {
        throw failure(target, "command", "chrony", "restoring the drop-in failed", r);
      }
    });
    await shell.run(`mkdir -p ${CHRONY_DROP_IN_DIR}`, { sudo: true, signal });
    const written = await writeRemoteFile(shell, DROP_IN_PATH, plan.content, signal);
    if (written.exitCode !== 0) {
      throw failure(target, "command", "chrony", `cannot write ${DROP_IN_PATH}`, written);
    }
    return null;
  }
  if (plan.action !== "append-line" && plan.action !== "replace-marked-line") return null;
  const copy = await shell.run(`cp ${CHRONY_CONF} ${CHRONY_CONF_BACKUP}`, { sudo: true, signal });
  if (copy.exitCode !== 0) {
    throw failure(target, "command", "chrony", `cannot back up ${CHRONY_CONF}`, copy);
  }
  setRestore(async (s) => {
    const r = await shell.run(`cp ${CHRONY_CONF_BACKUP} ${CHRONY_CONF}`, { sudo: true, signal: s });
    if (r.exitCode !== 0) {
      throw failure(target, "command", "chrony", "restoring chrony.conf failed", r);
    }
  });
  const written = plan.action === "append-line"
    ? await writeRemoteFile(shell, CHRONY_CONF, plan.text, signal, true)
    : await writeRemoteFile(shell, CHRONY_CONF, plan.content, signal);
  if (written.exitCode !== 0) {
    throw failure(target, "command", "chrony", `cannot write ${CHRONY_CONF}`, written);
  }
  return CHRONY_CONF_BACKUP;
}

/**
 * Runs configure-chrony on the current target.
 * @throws StepError `command` (diagnosis layer `chrony` or `service`, quoting
 *   chronyd's error) after restoring the previous configuration; the abort
 *   reason when aborted (also after restoring); `config` without a
 *   target/session; `connection`.
 */
async function runConfigureChrony(
  ctx: TargetStepContext,
  input: ConfigureChronyInput,
  signal: AbortSignal,
): Promise<ConfigureChronyOutput> {
  const target = ctx.target;
  const facts = target.facts;
  const skip = (reason: string): ConfigureChronyOutput => {
    ctx.log.info(`not configuring chrony: ${reason}`);
    return {
      changed: false,
      file: null,
      method: null,
      rolled_back: false,
      backup: null,
      skipped_reason: reason,
    };
  };
  if (facts.phc?.state !== "enabled") {
    return skip(`the ENA PHC is not enabled (state: ${facts.phc?.state ?? "unknown"})`);
  }
  const shell = await shellFor(ctx);
  const device = await shell.run(`test -e ${PTP_ENA_DEVICE}`, { signal });
  if (device.exitCode !== 0) {
    target.warnings.push(`${PTP_ENA_DEVICE} does not resolve: chrony left unchanged`);
    return skip(`${PTP_ENA_DEVICE} does not resolve (a refclock on it would stop chronyd)`);
  }

  const conf = await readRemoteFile(shell, CHRONY_CONF, signal, true);
  if (conf.content === null) {
    throw failure(target, "command", "chrony", `cannot read ${CHRONY_CONF}`, conf.result);
  }
  if (!hasAmazonTimeSync(conf.content)) {
    target.warnings.push(`${CHRONY_CONF} names no Amazon Time Sync server (169.254.169.123)`);
  }
  const dropIn = includesDirectory(conf.content)
    ? (await readRemoteFile(shell, DROP_IN_PATH, signal, true)).content
    : null;
  const plan = planChronyChange(conf.content, dropIn);
  const record = (changes: Partial<ChronyConfigFacts>): ChronyConfigFacts =>
    facts.chrony = {
      file: plan.file,
      method: plan.method,
      changed: false,
      rolledBack: false,
      backup: null,
      ...changes,
    };

  if (plan.action === "none" || plan.action === "conflict") {
    if (plan.action === "conflict") target.warnings.push(plan.reason);
    const status = await readChronydStatus(shell, signal);
    record({ nRestarts: status.nRestarts });
    ctx.log.info(plan.reason);
    return {
      changed: false,
      file: plan.file,
      method: plan.method,
      rolled_back: false,
      backup: null,
      ...(plan.action === "conflict" ? { skipped_reason: plan.reason } : {}),
    };
  }

  const before = await readChronydStatus(shell, signal);
  const undo: { restore?: Restore } = {};
  let restarted = false;
  let backup: string | null = null;
  try {
    backup = await applyPlan(target, shell, plan, dropIn, signal, (r) => undo.restore = r);
    const parse = await shell.run("chronyd -p", { sudo: true, signal });
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
    const restart = await restartChronyd(shell, signal);
    await ctx.sleep(input.settle_seconds, signal);
    const after = await readChronydStatus(shell, signal);
    const extra = after.nRestarts !== null && before.nRestarts !== null &&
      after.nRestarts > before.nRestarts + 1;
    if (restart.exitCode !== 0 || after.active !== "active" || extra) {
      const journal = await chronydJournalTail(shell, signal);
      throw failure(
        target,
        "command",
        "service",
        restart.exitCode !== 0 || after.active !== "active"
          ? `chronyd is ${after.active} after the restart with the PHC refclock`
          : `chronyd restarted ${after.nRestarts! - before.nRestarts!} times after the change`,
        {
          command: `${restart.command}; ${after.evidence.command}; ${journal.command}`,
          output: [evidenceOf(restart).output, after.evidence.output, journal.output]
            .filter((x) => x !== "").join("\n"),
        },
      );
    }
    record({ changed: true, backup, nRestarts: after.nRestarts });
    ctx.log.info(`added the PHC refclock to ${plan.file} (${plan.method}); chronyd restarted`);
    return { changed: true, file: plan.file, method: plan.method, rolled_back: false, backup };
  } catch (error) {
    if (undo.restore) {
      await rollBack(ctx, target, shell, undo.restore, restarted, signal.aborted);
      record({ changed: false, rolledBack: true, backup });
    }
    throw error;
  }
}

/**
 * Restores the previous configuration and restarts chronyd when it was
 * restarted, with its own time limit (works after an abort). Failures of
 * the rollback itself become diagnoses; they never hide the original error.
 */
async function rollBack(
  ctx: TargetStepContext,
  target: Target,
  shell: RemoteShell,
  restore: Restore,
  restarted: boolean,
  aborted: boolean,
): Promise<void> {
  const signal = AbortSignal.timeout(ROLLBACK_TIMEOUT_MS);
  ctx.log.warn(
    `${aborted ? "aborted" : "failed"}: restoring the previous chrony configuration`,
  );
  try {
    await restore(signal);
    if (restarted) await restartChronyd(shell, signal);
    diagnose(
      target,
      "chrony",
      `previous chrony configuration restored${aborted ? " after the step was aborted" : ""}` +
        (restarted ? " and chronyd restarted" : ""),
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    diagnose(target, "chrony", `rollback failed: ${message}`);
    ctx.log.error(`rollback of the chrony configuration failed: ${message}`);
  }
}

export default defineStep({
  type: "configure-chrony",
  description: "Make chrony use the ENA PHC (/dev/ptp_ena) with backup, validation and rollback.",
  scope: "target",
  input: ConfigureChronyInput,
  output: ConfigureChronyOutput,
  reads: ["facts.phc.state"],
  writes: ["facts.chrony", "target.diagnostics", "target.warnings"],
  async run(ctx, input, signal) {
    return await runConfigureChrony(ctx, input, signal);
  },
});
