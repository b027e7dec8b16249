/**
 * Parser for chronyd's log lines (journal or stderr): the version that
 * started and the fatal errors that stopped it.
 *
 * Domain source: PTP.md section 5 — chronyd exits with `Fatal error : Could
 * not open PHC` when the refclock device is missing, and with `Fatal error :
 * Invalid refclock option at line N in file F` on a syntax error.
 * @module
 */
import { lines } from "./units.ts";

/** A fatal error chronyd printed. */
export interface ChronydFatalError {
  /** The message after `Fatal error :`, e.g. `Could not open PHC`. */
  message: string;
  /** Config line number, when the message names one. */
  line?: number;
  /** Config file, when the message names one. */
  file?: string;
}

/** What chronyd's log says. */
export interface ChronydLog {
  /** Version from `chronyd version X starting`, when present (last one wins). */
  version: string | null;
  /** Every `Fatal error :` line, in order. */
  fatalErrors: ChronydFatalError[];
}

/**
 * Parses chronyd log text (journalctl lines with their `host chronyd[pid]:`
 * prefix, or bare stderr). Never throws.
 */
export function parseChronydLog(text: string): ChronydLog {
  let version: string | null = null;
  const fatalErrors: ChronydFatalError[] = [];
  for (const raw of lines(text)) {
    const started = /chronyd version (\S+) starting/.exec(raw);
    if (started) version = started[1];
    const fatal = /Fatal error\s*:\s*(.*)$/.exec(raw);
    if (!fatal) continue;
    const message = fatal[1].trim();
    const where = /at line (\d+) in file (\S+)/.exec(message);
    fatalErrors.push(
      where ? { message, line: Number(where[1]), file: where[2] } : { message },
    );
  }
  return { version, fatalErrors };
}
