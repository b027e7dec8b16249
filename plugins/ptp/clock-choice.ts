/**
 * Which PTP hardware clock (PHC) chrony should use: the `clock` input of
 * `configure-chrony` and `verify` (and of the shipped pipelines).
 *
 * - `ena` (default): the ENA clock, by name (`ena-ptp-*`), at `/dev/ptp_ena`.
 * - `primary-nic`: the PHC `ethtool -T <primary interface>` names, whatever
 *   the NIC's driver (igb, ice, ...).
 * - `clock_name:<glob>`: the clock whose `/sys/class/ptp/ptpN/clock_name`
 *   matches the glob (`*`, `?`, `[...]`, case-sensitive, as udev matches).
 *
 * Any other value is refused before the run starts (the input-bound `with:`
 * check reports it with the pipeline's file and line).
 *
 * Domain source: PTP.md sections 4 and 8 (pick the clock by name, never a
 * bare `/dev/ptpN`; other NICs expose their own PHC).
 * @module
 */
import { z } from "zod";
import { globToRegExp } from "../../runner/glob.ts";

/** A parsed clock choice. */
export type ClockChoice =
  | { kind: "ena" }
  | { kind: "primary-nic" }
  | { kind: "clock_name"; glob: string };

/** The forms the `clock` input accepts, for messages. */
export const CLOCK_FORMS = '"ena", "primary-nic" or "clock_name:<glob>"';

/**
 * Parses a `clock` value.
 * @returns null when the value is none of the accepted forms
 */
export function parseClockChoice(value: string): ClockChoice | null {
  if (value === "ena") return { kind: "ena" };
  if (value === "primary-nic") return { kind: "primary-nic" };
  const m = /^clock_name:(.+)$/.exec(value);
  if (m && m[1].trim() !== "" && !/["\n\r\\]/.test(m[1])) return { kind: "clock_name", glob: m[1] };
  return null;
}

/**
 * Schema of the `clock` input (a string; default `ena`). The message names
 * the accepted forms; the validation names the input.
 */
export const ClockChoiceSchema = z.string().default("ena").refine(
  (v) => parseClockChoice(v) !== null,
  {
    error: (issue) =>
      `clock: ${JSON.stringify(issue.input)} is not a clock choice; use ${CLOCK_FORMS} ` +
      "(the glob matches /sys/class/ptp/ptpN/clock_name; no quotes or backslashes)",
  },
).describe(
  'PHC chrony uses: "ena" (the ENA clock), "primary-nic" (the PHC ethtool -T names for the ' +
    'primary interface) or "clock_name:<glob>" (a glob on /sys/class/ptp/ptpN/clock_name).',
);

/**
 * The clock choice of a validated input value.
 * @throws Error when `value` was not validated by {@link ClockChoiceSchema} (a bug)
 */
export function clockChoiceOf(value: string): ClockChoice {
  const choice = parseClockChoice(value);
  if (!choice) throw new Error(`unvalidated clock choice ${JSON.stringify(value)}`);
  return choice;
}

/** The choice as the user wrote it (`ena`, `primary-nic`, `clock_name:<glob>`). */
export function describeClockChoice(choice: ClockChoice): string {
  return choice.kind === "clock_name" ? `clock_name:${choice.glob}` : choice.kind;
}

/**
 * True when `name` matches the shell-style `glob` (`*` any run, `?` one
 * character, `[abc]`/`[a-z]`/`[!a]` a class), case-sensitive and anchored, as
 * udev's `ATTR{...}=="glob"` matches.
 */
export function clockNameMatches(glob: string, name: string): boolean {
  return globToRegExp(glob).test(name);
}
