/**
 * Zod schema for duration inputs of the PTP steps (`settle_timeout: 30s`,
 * `timeout: 2m`, or a plain number of seconds).
 * @module
 */
import { z } from "zod";
import { DURATION_FORMS, parseDuration } from "../../runner/durations.ts";

/**
 * A duration input: a number of seconds or a string such as `500ms`, `30s`,
 * `2m`, `1h30m`, converted to seconds.
 * @param defaultSeconds value when the key is absent, seconds
 */
export function durationSeconds(defaultSeconds: number) {
  return z.union([z.number().nonnegative(), z.string()])
    .default(defaultSeconds)
    .transform((value, ctx): number => {
      try {
        return parseDuration(value);
      } catch {
        ctx.issues.push({
          code: "custom",
          input: value,
          message: `invalid duration ${JSON.stringify(value)}: expected ${DURATION_FORMS}`,
        });
        return z.NEVER;
      }
    })
    .describe(`seconds, or ${DURATION_FORMS}`);
}
