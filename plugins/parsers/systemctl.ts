/**
 * Parsers for `systemctl show -p A,B <unit>` (`Key=Value` lines) and
 * `systemctl is-active <unit>` (one state word).
 *
 * Domain source: PTP.md section 6 — chronyd must be `active`/`running` with no
 * restarts (`NRestarts`) since the configuration changed.
 * @module
 */
import { lines, toNumber } from "./units.ts";

/**
 * Parses `systemctl show` output into a map of property -> value (the value
 * is everything after the first `=`, trimmed). Lines without `=` are ignored.
 * Never throws.
 */
export function parseSystemctlShow(text: string): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const raw of lines(text)) {
    const m = /^\s*([A-Za-z][A-Za-z0-9_]*)=(.*)$/.exec(raw);
    if (m) properties[m[1]] = m[2].trim();
  }
  return properties;
}

/**
 * Reads an integer property such as `NRestarts` or `MainPID` from parsed
 * `systemctl show` output.
 * @returns the number, or null when missing or not a number.
 */
export function showNumber(properties: Record<string, string>, key: string): number | null {
  return toNumber(properties[key]);
}

/** States `systemctl is-active` prints. */
export type ActiveState =
  | "active"
  | "inactive"
  | "failed"
  | "activating"
  | "deactivating"
  | "reloading"
  | "refreshing"
  | "maintenance"
  | "unknown";

const ACTIVE_STATES = new Set<string>([
  "active",
  "inactive",
  "failed",
  "activating",
  "deactivating",
  "reloading",
  "refreshing",
  "maintenance",
]);

/**
 * Parses `systemctl is-active <unit>`: the first non-empty line's word.
 * Anything else (empty output, an error message) gives `unknown`.
 */
export function parseSystemctlIsActive(text: string): ActiveState {
  return activeStateOf(lines(text).map((l) => l.trim()).find((l) => l !== "") ?? "");
}

/** A unit's `ActiveState` word (`is-active` output or the `ActiveState=` property); `unknown` otherwise. */
export function activeStateOf(word: string): ActiveState {
  return ACTIVE_STATES.has(word) ? word as ActiveState : "unknown";
}
