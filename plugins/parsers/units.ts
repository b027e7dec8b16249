/**
 * Number helpers shared by the parsers: quantities with a unit suffix as
 * printed by chronyc (`+184ns`, `-18us`, `12m`).
 * @module
 */

const SECONDS_PER_TIME_UNIT: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  "µs": 1e-6,
  ms: 1e-3,
  s: 1,
};

/**
 * Parses a signed duration with a sub-second unit, as chronyc prints offsets
 * and errors (`+3477ns`, `-18us`, `5032ns`, `1.2ms`, `-3s`).
 * @returns seconds (signed), or null when `text` is not such a quantity.
 */
export function parseSecondsWithUnit(text: string): number | null {
  const m = /^\s*([+-]?)\s*(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s)?\s*$/.exec(text);
  if (!m) return null;
  const magnitude = Number(m[2]) * SECONDS_PER_TIME_UNIT[m[3] ?? "s"];
  return m[1] === "-" ? -magnitude : magnitude;
}

const SECONDS_PER_SPAN_UNIT: Record<string, number> = {
  "": 1,
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
  y: 365 * 86400,
};

/**
 * Parses an interval as chronyc prints `LastRx` and `Span` (`3`, `12m`, `2h`,
 * `5d`, `1y`; `-` means never).
 * @returns seconds, or null for `-` or anything unparsable.
 */
export function parseInterval(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhdy]?)\s*$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * SECONDS_PER_SPAN_UNIT[m[2]];
}

/** Splits text into lines, dropping `\r` and trailing whitespace. */
export function lines(text: string): string[] {
  return text.split(/\r?\n/).map((line) => line.replace(/\s+$/, ""));
}

/** `Number(text)` when `text` is a finite decimal number, else null. */
export function toNumber(text: string | undefined): number | null {
  if (text === undefined) return null;
  const trimmed = text.trim();
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(trimmed)) return null;
  return Number(trimmed);
}
