/**
 * Zod schema for every duration input of a step (`settle_timeout: 30s`,
 * `timeout: 2m`, or a plain number of seconds).
 * @module
 */
import { z } from "zod";
import { DURATION_FORMS, parseDuration } from "./durations.ts";

/**
 * A duration input: a number of seconds or a string such as `500ms`, `30s`,
 * `2m`, `1h30m`, converted to seconds.
 * @param defaultSeconds value when the key is absent, seconds
 * @param options.positive reject 0 (for upper bounds of waits)
 */
export function durationSeconds(defaultSeconds: number, options: { positive?: boolean } = {}) {
  return z.union([z.number().nonnegative(), z.string()])
    .default(defaultSeconds)
    .transform((value, ctx): number => {
      try {
        const seconds = parseDuration(value);
        if (options.positive && seconds <= 0) {
          ctx.issues.push({ code: "custom", input: value, message: "must be more than 0 seconds" });
          return z.NEVER;
        }
        return seconds;
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
