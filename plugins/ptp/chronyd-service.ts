/**
 * The chronyd service on a target: its state, its restarts and its journal.
 *
 * Domain source: PTP.md sections 5-6 — chronyd must be `active`/`running`
 * after the change, with no restarts (`NRestarts`) since; its fatal errors
 * (`Fatal error : Could not open PHC`) are in the journal.
 * @module
 */
import {
  type ActiveState,
  parseSystemctlIsActive,
  parseSystemctlShow,
  showNumber,
} from "../parsers/systemctl.ts";
import type { CommandResult, RemoteShell } from "../ssh/types.ts";
import type { Evidence } from "./diagnose.ts";

/** chronyd's unit name on Amazon Linux 2023. */
export const CHRONYD_UNIT = "chronyd";

/** chronyd's service state. */
export interface ChronydStatus {
  /** `systemctl is-active chronyd`. */
  active: ActiveState;
  /** `SubState` (e.g. `running`, `dead`, `failed`), null when not printed. */
  subState: string | null;
  /** `NRestarts` (automatic restarts by systemd), null when not printed. */
  nRestarts: number | null;
  /** Both commands and their output, as evidence. */
  evidence: Evidence;
}

/**
 * Reads chronyd's state (`systemctl is-active chronyd`, `systemctl show -p
 * SubState,NRestarts chronyd`).
 * @throws StepError `connection`/`cancelled` from the shell
 */
export async function readChronydStatus(
  shell: RemoteShell,
  signal: AbortSignal | undefined,
): Promise<ChronydStatus> {
  const isActive = await shell.run(`systemctl is-active ${CHRONYD_UNIT}`, { signal });
  const show = await shell.run(`systemctl show -p SubState,NRestarts ${CHRONYD_UNIT}`, { signal });
  const props = parseSystemctlShow(show.stdout);
  return {
    active: parseSystemctlIsActive(isActive.stdout),
    subState: props.SubState ?? null,
    nRestarts: showNumber(props, "NRestarts"),
    evidence: {
      command: `${isActive.command}; ${show.command}`,
      output: `${isActive.stdout.trim()}\n${show.stdout.trim()}`.trim(),
    },
  };
}

/**
 * Restarts chronyd (`sudo -n systemctl restart chronyd`).
 * @returns the result; the caller checks the state afterwards
 * @throws StepError `connection`/`cancelled` from the shell
 */
export function restartChronyd(
  shell: RemoteShell,
  signal: AbortSignal | undefined,
): Promise<CommandResult> {
  return shell.run(`systemctl restart ${CHRONYD_UNIT}`, { sudo: true, signal });
}

/**
 * The last `lines` lines of chronyd's journal
 * (`sudo -n journalctl -u chronyd -n N --no-pager`), as evidence.
 * @throws StepError `connection`/`cancelled` from the shell
 */
export async function chronydJournalTail(
  shell: RemoteShell,
  signal: AbortSignal | undefined,
  lines = 20,
): Promise<Evidence> {
  const result = await shell.run(`journalctl -u ${CHRONYD_UNIT} -n ${lines} --no-pager`, {
    sudo: true,
    signal,
  });
  return { command: result.command, output: `${result.stdout}${result.stderr}`.trim() };
}
