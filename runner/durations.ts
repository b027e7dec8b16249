/**
 * Durations as pipelines write them (`timeout: 10m`, `delay: 500ms`,
 * `1h30m`, or a plain number of seconds), converted to seconds.
 * @module
 */

/** The accepted forms, quoted in every error message. */
export const DURATION_FORMS =
  "a number of seconds or a duration like 500ms, 5s, 10m, 2h, 1h30m (units: ms, s, m, h)";

/**
 * Regular expression of the accepted string forms (also used in the JSON
 * Schema); {@link parseDuration} additionally rejects a repeated unit.
 */
export const DURATION_PATTERN = "^(\\d+(\\.\\d+)?|(\\d+(\\.\\d+)?(ms|h|m|s))+)$";

/** Seconds per unit. */
const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/** One `<number><unit>` part; units are matched longest first so `ms` is not `m` + `s`. */
const PART = /(\d+(?:\.\d+)?)(ms|h|m|s)/y;

/** Thrown by {@link parseDuration} for a value that is not a duration. */
export class DurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DurationError";
  }
}

/**
 * Parses a duration into seconds.
 *
 * Accepts a non-negative finite number (seconds), a numeric string (`"30"`,
 * seconds) or a sequence of `<number><unit>` parts with units `ms`, `s`, `m`,
 * `h`, each unit at most once (`"1h30m"` = 5400, `"500ms"` = 0.5).
 *
 * @param value the raw value from YAML or a flag
 * @returns the duration in seconds (may be fractional, never negative)
 * @throws DurationError naming the value and {@link DURATION_FORMS}
 */
export function parseDuration(value: unknown): number {
  if (typeof value === "number") {
    if (Number.isFinite(value) && value >= 0) return value;
    throw new DurationError(`invalid duration ${value}: expected ${DURATION_FORMS}`);
  }
  if (typeof value !== "string") {
    throw new DurationError(
      `invalid duration ${JSON.stringify(value) ?? String(value)}: expected ${DURATION_FORMS}`,
    );
  }
  const text = value;
  if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text);
  let seconds = 0;
  const seen = new Set<string>();
  PART.lastIndex = 0;
  let index = 0;
  while (index < text.length) {
    PART.lastIndex = index;
    const match = PART.exec(text);
    if (!match || seen.has(match[2])) {
      throw new DurationError(`invalid duration "${value}": expected ${DURATION_FORMS}`);
    }
    seen.add(match[2]);
    seconds += Number(match[1]) * UNIT_SECONDS[match[2]];
    index = PART.lastIndex;
  }
  if (index === 0) {
    throw new DurationError(`invalid duration "${value}": expected ${DURATION_FORMS}`);
  }
  return seconds;
}

/**
 * Formats seconds for messages and listings: `500ms`, `45s`, `10m`, `1h30m`.
 * @param seconds a non-negative number of seconds
 */
export function formatDuration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.round((seconds % 60) * 1000) / 1000;
  const parts = [h ? `${h}h` : "", m ? `${m}m` : "", s ? `${s}s` : ""].filter(Boolean);
  return parts.join("") || "0s";
}
