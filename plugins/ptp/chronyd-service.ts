/**
 * The chrony service on a target: its state, whether it restarted, and its
 * journal, under the distribution's unit name (`chronyd` on Amazon Linux and
 * RHEL-family, `chrony` on Debian/Ubuntu, from the host layout).
 *
 * "Did not restart" is judged by what real systemd offers: every start of a
 * unit gets a new `InvocationID` (and `ActiveEnterTimestamp`), while
 * `NRestarts` counts only automatic restarts (`Restart=`), never `systemctl
 * restart` and not at all on units without `Restart=` (Debian's, Fedora's).
 *
 * Domain source: PTP.md sections 5-6; NOTES.md "Real chrony 4.3 and systemd
 * 252"; systemd.exec(5) (`$INVOCATION_ID`), systemd.unit(5).
 * @module
 */
import {
  type ActiveState,
  activeStateOf,
  parseSystemctlShow,
  showNumber,
} from "../parsers/systemctl.ts";
import type { CommandResult, RemoteShell } from "../ssh/types.ts";
import { shQuote } from "../ssh/quote.ts";
import type { Evidence } from "./diagnose.ts";

/** The properties read, in the order `systemctl show -p` is given them. */
export const STATUS_PROPERTIES = [
  "ActiveState",
  "SubState",
  "InvocationID",
  "ActiveEnterTimestamp",
  "NRestarts",
];

/** chrony's service state. */
export interface ChronydStatus {
  /** `ActiveState` (`active`, `failed`, ...); `unknown` when not printed. */
  active: ActiveState;
  /** `SubState` (e.g. `running`, `dead`, `failed`), null when not printed. */
  subState: string | null;
  /** `InvocationID` (32 hex digits) of the current run; null when empty (never started). */
  invocationId: string | null;
  /** `ActiveEnterTimestamp` as printed; null when empty. */
  activeEnter: string | null;
  /** `NRestarts` (automatic restarts only), null when not printed. Reported, not judged. */
  nRestarts: number | null;
  /** The command and its output, as evidence. */
  evidence: Evidence;
}

/** Parses `systemctl show -p ActiveState,SubState,InvocationID,ActiveEnterTimestamp,NRestarts`. */
export function parseChronydStatus(result: CommandResult): ChronydStatus {
  const props = parseSystemctlShow(result.stdout);
  const state = props.ActiveState ?? "";
  return {
    active: activeStateOf(state),
    subState: props.SubState || null,
    invocationId: props.InvocationID || null,
    activeEnter: props.ActiveEnterTimestamp || null,
    nRestarts: showNumber(props, "NRestarts"),
    evidence: {
      command: result.command,
      output: `${result.stdout.trim()}\n${result.stderr.trim()}`.trim(),
    },
  };
}

/**
 * Reads the unit's state (`systemctl show -p ActiveState,SubState,InvocationID,
 * ActiveEnterTimestamp,NRestarts <unit>`). Read-only.
 * @throws StepError `connection`/`cancelled` from the shell
 */
export async function readChronydStatus(
  shell: RemoteShell,
  unit: string,
  signal: AbortSignal | undefined,
): Promise<ChronydStatus> {
  const result = await shell.run(
    `systemctl show -p ${STATUS_PROPERTIES.join(",")} ${shQuote(unit)}`,
    { signal },
  );
  return parseChronydStatus(result);
}

/** Verdict of {@link stayedUp}. */
export interface StayedUp {
  ok: boolean;
  /** Why not, one line (empty when ok). */
  reason: string;
}

/**
 * True when the service came up after a restart and stayed up: active/running
 * right after the restart and after the settle time, with the same
 * `InvocationID` both times (a crash and automatic restart in between gives a
 * new one). `NRestarts` is not used: real systemd does not count manual
 * restarts, nor any restart of a unit without `Restart=`.
 * @param afterRestart status read right after `systemctl restart`
 * @param afterSettle status read after the settle time
 */
export function stayedUp(afterRestart: ChronydStatus, afterSettle: ChronydStatus): StayedUp {
  const running = (s: ChronydStatus) => s.active === "active" && s.subState !== "failed";
  if (!running(afterRestart)) {
    return {
      ok: false,
      reason: `is ${afterRestart.active}/${afterRestart.subState ?? "?"} right after the restart`,
    };
  }
  if (!running(afterSettle)) {
    return {
      ok: false,
      reason: `is ${afterSettle.active}/${afterSettle.subState ?? "?"} after the settle time`,
    };
  }
  if (afterRestart.invocationId === null || afterSettle.invocationId === null) {
    return { ok: false, reason: "shows no InvocationID (cannot tell whether it restarted)" };
  }
  if (afterRestart.invocationId !== afterSettle.invocationId) {
    return {
      ok: false,
      reason: `restarted during the settle time (InvocationID ${afterRestart.invocationId} ` +
        `became ${afterSettle.invocationId})`,
    };
  }
  return { ok: true, reason: "" };
}

/**
 * Restarts the unit (`sudo -n systemctl restart <unit>`).
 * @returns the result; the caller checks the state afterwards
 * @throws StepError `connection`/`cancelled` from the shell
 */
export function restartChronyd(
  shell: RemoteShell,
  unit: string,
  signal: AbortSignal | undefined,
): Promise<CommandResult> {
  return shell.run(`systemctl restart ${shQuote(unit)}`, { sudo: true, signal });
}

/**
 * The last `lines` lines of the unit's journal
 * (`sudo -n journalctl -u <unit> -n N --no-pager`), as evidence. The real
 * unit name matters: journalctl does not resolve aliases (`chronyd` on Debian).
 * @throws StepError `connection`/`cancelled` from the shell
 */
export async function chronydJournalTail(
  shell: RemoteShell,
  unit: string,
  signal: AbortSignal | undefined,
  lines = 20,
): Promise<Evidence> {
  const result = await shell.run(`journalctl -u ${shQuote(unit)} -n ${lines} --no-pager`, {
    sudo: true,
    signal,
  });
  return { command: result.command, output: `${result.stdout}${result.stderr}`.trim() };
}
