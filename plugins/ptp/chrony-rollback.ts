/**
 * Rolling a chrony change back: write every file ptp-runner changed back to
 * its previous content (kept in memory, never as a backup file on the host),
 * restart chrony when it had been restarted, and check that this restart
 * came up and stayed up too. Used by `configure-chrony` (failure, abort,
 * step timeout) and by `verify` (chronyd found dead with the tool's
 * refclock in place). Runs under its own time bound, so it also works after
 * the step's signal aborted: none of its commands gets the step's signal,
 * only the rollback's own timeout signal.
 *
 * Domain source: PTP.md section 5 ("roll back if chronyd is not active").
 * @module
 */
import type { TargetStepContext } from "../../runner/types.ts";
import type { RemoteShell } from "../ssh/types.ts";
import { hostChanges } from "../host/changes.ts";
import {
  chronydJournalTail,
  readChronydStatus,
  restartChronyd,
  stayedUp,
} from "./chronyd-service.ts";
import { diagnose } from "./diagnose.ts";
import type { PreviousFile } from "./facts.ts";
import { readRemoteFile } from "./remote-files.ts";
import { UDEV_TRIGGER_PTP } from "./chosen-clock.ts";

/** Upper bound of a rollback, milliseconds of real time. */
export const ROLLBACK_TIMEOUT_MS = 60_000;

/**
 * `abortGraceSeconds` of the steps that roll chrony back or must let a
 * detached reload finish (configure-chrony, verify, enable-hwts): the
 * rollback's own bound plus a margin, so an interrupt (Ctrl-C) never
 * abandons a rollback halfway (the runner's default grace is 2 s, and the
 * target's SSH session closes once the step is abandoned).
 */
export const ROLLBACK_GRACE_SECONDS = ROLLBACK_TIMEOUT_MS / 1000 + 15;

/** What a rollback achieved. */
export interface RollbackOutcome {
  /** Every file holds its previous content again. */
  filesRestored: boolean;
  /** chrony is active and stayed up after the rollback's restart (true when no restart was needed). */
  chronyActive: boolean;
  /** One line for the report: "restored" only when both hold. */
  summary: string;
}

/** What {@link rollBackChrony} needs. */
export interface RollbackRequest {
  /** Files as they were before the change. */
  previous: readonly PreviousFile[];
  /** chrony's unit. */
  unit: string;
  /** Restart chrony after restoring (it was restarted with the change, or is down). */
  restart: boolean;
  /** Seconds to wait after the restart before checking it stayed up. */
  settleSeconds: number;
  /** Why: e.g. `chronyd -p rejected the configuration`, `the step was aborted`. */
  why: string;
}

/**
 * Restores the files, restarts chrony when asked and checks it; records a
 * diagnosis (layer `chrony`) that says honestly what was achieved. Never
 * throws for a failure of the rollback itself (it becomes the diagnosis).
 * Rewrites the udev rules of PTP clocks when a udev rule was among the files.
 */
export async function rollBackChrony(
  ctx: TargetStepContext,
  shell: RemoteShell,
  request: RollbackRequest,
): Promise<RollbackOutcome> {
  const signal = AbortSignal.timeout(ROLLBACK_TIMEOUT_MS);
  const target = ctx.target;
  const changes = hostChanges(ctx, shell);
  ctx.log.warn(`${request.why}: restoring the previous chrony configuration`);
  let filesRestored = true;
  let chronyActive = true;
  const problems: string[] = [];
  try {
    for (const file of request.previous) {
      const now = (await readRemoteFile(shell, file.path, signal, true)).content;
      const done = file.content === null
        ? await changes.removeFile(file.path, now, signal)
        : await changes.writeFile(file.path, now, file.content, signal);
      if (done.result && done.result.exitCode !== 0) {
        filesRestored = false;
        problems.push(`cannot restore ${file.path}: ${done.result.stderr.trim()}`);
      }
    }
    if (request.previous.some((f) => f.path.startsWith("/etc/udev/"))) {
      await changes.action(
        "reload udev rules and trigger PTP devices",
        () => shell.run(UDEV_TRIGGER_PTP, { signal }),
      );
    }
    if (request.restart) {
      const restart = await changes.action(
        `restart ${request.unit}`,
        () => restartChronyd(shell, request.unit, signal),
      );
      const first = await readChronydStatus(shell, request.unit, signal);
      await ctx.sleep(request.settleSeconds, signal);
      const second = await readChronydStatus(shell, request.unit, signal);
      const up = stayedUp(first, second);
      const failedRestart = restart !== null && restart.exitCode !== 0;
      if (!up.ok || failedRestart) {
        chronyActive = false;
        const journal = await chronydJournalTail(shell, request.unit, signal);
        diagnose(
          target,
          "service",
          `${request.unit} ${
            up.ok ? `restart failed (exit status ${restart?.exitCode ?? "none"})` : up.reason
          } after the rollback's restart`,
          {
            command: `${second.evidence.command}; ${journal.command}`,
            output: [second.evidence.output, journal.output].filter(Boolean).join("\n"),
          },
        );
      }
    }
  } catch (error) {
    filesRestored = false;
    chronyActive = false;
    problems.push(error instanceof Error ? error.message : String(error));
  }
  const summary = filesRestored && chronyActive
    ? `${request.why}: previous chrony configuration restored` +
      (request.restart ? ` and ${request.unit} active again` : "")
    : !filesRestored
    ? `${request.why}: rollback FAILED, the previous chrony configuration is NOT restored (${
      problems.join("; ")
    })`
    : `${request.why}: files restored, but ${request.unit} is NOT running after the rollback`;
  diagnose(target, "chrony", summary);
  if (!(filesRestored && chronyActive)) ctx.log.error(summary);
  return { filesRestored, chronyActive, summary };
}
