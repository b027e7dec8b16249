/**
 * Retry decisions and backoff delays for a step's {@link RetryPolicy}.
 * @module
 */
import type { ErrorKind } from "./errors.ts";
import type { RetryPolicy } from "./pipeline/model.ts";

/**
 * Whether an attempt that failed with `kind` is retried under `policy`
 * (ignoring the attempt count). `cancelled` is never retried; `on: "any"`
 * retries every other kind.
 */
export function isRetryable(policy: RetryPolicy, kind: ErrorKind): boolean {
  if (kind === "cancelled") return false;
  return policy.on === "any" || policy.on.includes(kind);
}

/**
 * Delay in seconds (unscaled) before the attempt after `failedAttempt`
 * (1-based). Constant: `delaySeconds`; exponential: `delaySeconds × 2^(failedAttempt-1)`.
 * Jitter adds `delay × jitter × random()`; the result is capped at
 * `maxDelaySeconds` when that is a finite number >= 0.
 * @param random Source of randomness in [0, 1) (injectable for tests).
 */
export function retryDelaySeconds(
  policy: RetryPolicy,
  failedAttempt: number,
  random: () => number = Math.random,
): number {
  const base = policy.backoff === "exponential"
    ? policy.delaySeconds * 2 ** Math.max(0, failedAttempt - 1)
    : policy.delaySeconds;
  const jittered = base + base * Math.max(0, Math.min(1, policy.jitter)) * random();
  const max = policy.maxDelaySeconds;
  return Number.isFinite(max) && max >= 0 ? Math.min(jittered, max) : jittered;
}

/**
 * Waits `seconds × timeScale` (real seconds); rejects with `signal.reason`
 * when `signal` aborts (immediately if it already has).
 */
export function scaledSleep(
  seconds: number,
  timeScale: number,
  signal?: AbortSignal,
): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  const ms = Math.max(0, seconds * timeScale * 1000);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
