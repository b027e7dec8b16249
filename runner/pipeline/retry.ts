/**
 * Builds a step's {@link RetryPolicy} from its `retry:` key merged over
 * `defaults.retry` and the built-in defaults.
 * @module
 */
import type { ErrorKind } from "../errors.ts";
import { parseDuration } from "../durations.ts";
import type { RetryPolicy } from "./model.ts";
import type { RetryDocument } from "./schema.ts";

/**
 * Built-in retry defaults: one attempt (no retry); when attempts are raised,
 * exponential backoff from 2 s up to 60 s with 20 % jitter, on any error kind
 * (but `cancelled`).
 */
export const DEFAULT_RETRY: Readonly<RetryPolicy> = {
  attempts: 1,
  backoff: "exponential",
  delaySeconds: 2,
  maxDelaySeconds: 60,
  jitter: 0.2,
  on: "any",
};

/** Partial policy from one `retry:` value (`3` is `{ attempts: 3 }`). */
function partial(retry: RetryDocument | undefined): Partial<RetryPolicy> {
  if (retry === undefined) return {};
  if (typeof retry === "number") return { attempts: retry };
  const out: Partial<RetryPolicy> = {};
  if (retry.attempts !== undefined) out.attempts = retry.attempts;
  if (retry.backoff !== undefined) out.backoff = retry.backoff;
  if (retry.delay !== undefined) out.delaySeconds = parseDuration(retry.delay);
  if (retry.max_delay !== undefined) out.maxDelaySeconds = parseDuration(retry.max_delay);
  if (retry.jitter !== undefined) out.jitter = retry.jitter;
  if (retry.on !== undefined) {
    // `on: [any]` means the same as `on: any`.
    out.on = retry.on === "any" || retry.on.includes("any")
      ? "any"
      : retry.on.filter((kind): kind is ErrorKind => kind !== "any");
  }
  return out;
}

/**
 * Merges key by key: step `retry:` over `defaults.retry` over
 * {@link DEFAULT_RETRY}. Values must already be validated by the schema.
 * @param defaults `defaults.retry` of the pipeline
 * @param step the step's `retry:`
 * @returns a complete policy (durations in seconds)
 */
export function resolveRetryPolicy(
  defaults: RetryDocument | undefined,
  step: RetryDocument | undefined,
): RetryPolicy {
  return { ...DEFAULT_RETRY, ...partial(defaults), ...partial(step) };
}
