/**
 * Ctrl-C, SIGTERM and SIGHUP handling for a run: the first signal cancels the
 * run (running steps abort, `always` steps run), a second one exits at once
 * after saying what may be left behind. SIGHUP (the terminal closed, the SSH
 * session to the operator's machine dropped) is treated like SIGTERM: its
 * default action would kill the process silently and leave every instance
 * running. Source: POSIX signal(7) (SIGHUP "hangup detected on controlling
 * terminal", default action: terminate).
 *
 * One Ctrl-C can arrive twice: `deno task` forwards the SIGINT its child
 * already received from the terminal's process group. A repeat within
 * {@link SIGNAL_REPEAT_WINDOW_MS} of the first signal is therefore taken as
 * the same press, so a single Ctrl-C never skips the cleanup.
 * @module
 */
import { formatLeftBehind } from "./journal.ts";
import type { ResourceRecord } from "./types.ts";

/** Notice printed on the first interrupt. */
export const INTERRUPT_NOTICE =
  "interrupt: cancelling, running always-steps; press Ctrl-C again to exit now";

/**
 * What a signal that comes after the run ended (its work and cleanup done,
 * the report being written) prints: it does not change the result.
 */
export function lateSignalNotice(signal: RunSignal, exitCode: number): string {
  return `${signal} after the run ended: its result stands (exit ${exitCode})`;
}

/** Signals closer than this (milliseconds) to the first one count as the same press. */
export const SIGNAL_REPEAT_WINDOW_MS = 1000;

/** Signals a run listens to. */
export type RunSignal = "SIGINT" | "SIGTERM" | "SIGHUP";

/** Every signal {@link installSignalHandlers} listens to, in order. */
export const RUN_SIGNALS: readonly RunSignal[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** What to do on signals; `listen`/`unlisten` are injectable for tests. */
export interface SignalHandlerOptions {
  /** First SIGINT, SIGTERM or SIGHUP. */
  onInterrupt(signal: RunSignal): void;
  /** Any later one. Expected to exit the process. */
  onForceExit(signal: RunSignal): void;
  /** Registers an OS signal handler (default `Deno.addSignalListener`). */
  listen?: (signal: RunSignal, handler: () => void) => void;
  /** Removes it (default `Deno.removeSignalListener`). */
  unlisten?: (signal: RunSignal, handler: () => void) => void;
  /** Clock in milliseconds (default `performance.now`), for tests. */
  now?: () => number;
}

/**
 * Installs SIGINT, SIGTERM and SIGHUP handlers; returns a function removing them.
 * Signals the platform does not support (SIGTERM, SIGHUP on Windows) are ignored.
 */
export function installSignalHandlers(options: SignalHandlerOptions): () => void {
  const listen = options.listen ?? ((s, h) => Deno.addSignalListener(s, h));
  const unlisten = options.unlisten ?? ((s, h) => Deno.removeSignalListener(s, h));
  const now = options.now ?? (() => performance.now());
  let first: number | undefined;
  const installed: [RunSignal, () => void][] = [];
  for (const signal of RUN_SIGNALS) {
    const handler = () => {
      if (first === undefined) {
        first = now();
        options.onInterrupt(signal);
      } else if (now() - first >= SIGNAL_REPEAT_WINDOW_MS) {
        options.onForceExit(signal);
      }
    };
    try {
      listen(signal, handler);
      installed.push([signal, handler]);
    } catch {
      // Not supported on this platform.
    }
  }
  return () => {
    for (const [signal, handler] of installed.splice(0)) {
      try {
        unlisten(signal, handler);
      } catch {
        // Already gone.
      }
    }
  };
}

/**
 * What a forced exit prints: resources still `created` (or `release-failed`)
 * with their release commands and the cleanup command, or a line saying the
 * journal lists none. For a run against the in-process simulator
 * (`simulated`), its instances end with the process: nothing to release, so
 * neither an AWS command nor the cleanup command is printed.
 */
export function forcedExitNotice(
  resources: readonly ResourceRecord[],
  runId: string,
  options: { simulated?: boolean } = {},
): string {
  const open = resources.filter((r) => r.state === "created" || r.state === "release-failed");
  if (options.simulated) {
    const count = open.length === 0
      ? "no simulated instance was running"
      : `its ${open.length} simulated resource(s) end with this process`;
    return `exiting now: run ${runId} was simulated in-process; ${count}, nothing to release`;
  }
  if (open.length === 0) {
    return `exiting now: the journal of run ${runId} lists no resource left behind`;
  }
  return `exiting now; ${formatLeftBehind(open, runId)}`;
}
