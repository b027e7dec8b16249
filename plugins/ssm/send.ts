/**
 * Sends one SSM request through the region's {@link RegionRateLimiter},
 * absorbing `ThrottlingException` (and the other throttling codes) with
 * exponential backoff: each throttle pauses the whole region, then the
 * request is retried, up to a bound.
 * Source: AWS General Reference "Retry behavior" (exponential backoff with
 * jitter for throttling errors); SSM API Reference "Common Errors" (ThrottlingException).
 * @module
 */
import type { SSMClient } from "@aws-sdk/client-ssm";
import { StepError } from "../../runner/errors.ts";
import type { StepContext } from "../../runner/types.ts";
import { awsErrorMessage, isAbort, isThrottling } from "../aws/shared/aws-errors.ts";
import type { RegionRateLimiter } from "./rate-limiter.ts";

/** Retries after a throttle before giving up (delays 1, 2, 4 ... 30 s: about 4 minutes in all). */
export const THROTTLE_RETRIES = 10;
/** Longest backoff delay after a throttle, seconds. */
export const MAX_THROTTLE_DELAY_SECONDS = 30;

/** Backoff delay after the `attempt`-th throttle (0-based), seconds: 2^attempt capped, with up to 25 % jitter. */
export function throttleDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(2 ** attempt, MAX_THROTTLE_DELAY_SECONDS);
  return base * (1 + 0.25 * random());
}

/** What {@link sendSsm} needs: a client, the region's limiter and a log. */
export interface SsmSender {
  client: SSMClient;
  limiter: RegionRateLimiter;
  log: Pick<StepContext["log"], "debug" | "warn">;
}

/**
 * Sends one request (`call` sends it on the client it is given) once a limiter
 * slot is free; on a throttle, pauses the region for {@link throttleDelay}
 * and sends again (the next slot comes after the pause).
 * @param operation API name for messages, e.g. `SendCommand`.
 * @returns what `call` returns.
 * @throws StepError `throttled` after {@link THROTTLE_RETRIES} throttles in a row;
 *   the signal's reason on abort; any other AWS error as is.
 */
export async function sendSsm<Output>(
  sender: SsmSender,
  operation: string,
  call: (client: SSMClient, abortSignal?: AbortSignal) => Promise<Output>,
  signal?: AbortSignal,
): Promise<Output> {
  for (let attempt = 0;; attempt++) {
    await sender.limiter.acquire(signal);
    try {
      return await call(sender.client, signal);
    } catch (error) {
      if (isAbort(error, signal)) throw signal?.reason ?? error;
      if (!isThrottling(error)) throw error;
      if (attempt >= THROTTLE_RETRIES) {
        throw new StepError(
          "throttled",
          `SSM ${operation} in ${sender.limiter.region} still throttled after ` +
            `${THROTTLE_RETRIES} retries: ${awsErrorMessage(error)}`,
          { cause: error },
        );
      }
      const delay = throttleDelay(attempt);
      sender.limiter.throttled(delay);
      sender.log.debug(
        `SSM ${operation} throttled in ${sender.limiter.region}; pausing the region ` +
          `${delay.toFixed(1)}s (retry ${attempt + 1} of ${THROTTLE_RETRIES})`,
      );
    }
  }
}
