/**
 * Human units for the report: nanosecond durations as `ns`/`µs`/`ms`/`s`, and
 * wall time as `1h 2m 3s`.
 * @module
 */

/** Three significant digits, without a trailing `.0`. */
function threeDigits(value: number): string {
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  const text = value.toFixed(digits);
  return digits === 0 ? text : text.replace(/\.?0+$/, "");
}

/**
 * Formats a duration given in nanoseconds with the largest unit below it:
 * `850 ns`, `12.3 µs`, `1.5 ms`, `2.01 s`. Negative values keep their sign;
 * `signed` adds `+` to positive values (offsets).
 */
export function formatNanoseconds(ns: number, options: { signed?: boolean } = {}): string {
  const abs = Math.abs(ns);
  let text: string;
  if (abs < 1e3) text = `${threeDigits(ns)} ns`;
  else if (abs < 1e6) text = `${threeDigits(ns / 1e3)} µs`;
  else if (abs < 1e9) text = `${threeDigits(ns / 1e6)} ms`;
  else text = `${threeDigits(ns / 1e9)} s`;
  return options.signed && ns > 0 ? `+${text}` : text;
}

/** Formats a duration given in seconds (chrony values) like {@link formatNanoseconds}. */
export function formatSeconds(seconds: number, options: { signed?: boolean } = {}): string {
  return formatNanoseconds(seconds * 1e9, options);
}

/** Formats a wall time given in seconds as `45s`, `3m 05s`, `1h 02m 03s`. */
export function formatWallTime(seconds: number): string {
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  if (h > 0) return `${h}h ${pad(m)}m ${pad(s)}s`;
  if (m > 0) return `${m}m ${pad(s)}s`;
  return `${s}s`;
}
