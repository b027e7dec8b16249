/**
 * Run ids: `YYYYMMDD-HHMMSS-xxxx` in UTC plus a random suffix, e.g.
 * `20261129-101500-ab12`. Sortable by start time; used as the journal
 * directory name and as the `ptp-runner:run-id` tag on AWS resources.
 * @module
 */

/** Pattern every run id matches. */
export const RUN_ID_PATTERN = /^\d{8}-\d{6}-[0-9a-z]{4}$/;

/**
 * Makes a new run id from `now` (UTC) and 4 random lower-case hex/alnum characters.
 * @param now Start time of the run (default: the current time).
 * @param random Source of randomness in [0, 1) (default `Math.random`; injectable for tests).
 */
export function newRunId(now: Date = new Date(), random: () => number = Math.random): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  const date = `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}`;
  const time = `${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
  const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
  let suffix = "";
  for (let i = 0; i < 4; i++) suffix += alphabet[Math.floor(random() * alphabet.length)];
  return `${date}-${time}-${suffix}`;
}

/** True when `value` has the shape of a run id (guards `cleanup --run <id>` against paths). */
export function isRunId(value: string): boolean {
  return RUN_ID_PATTERN.test(value);
}
