/**
 * Waiting for sshd: repeat a connection attempt while the failure says "not
 * up yet" (refused, timeout, unreachable, no banner), within a bounded total
 * wait. During the probe window (the first minute) "not up yet" is probed
 * again on a short fixed interval, so the session opens within about a second
 * of sshd accepting (issue 14); after it, and for real errors (authentication
 * refused, e.g. before cloud-init installed the key), delays grow
 * exponentially.
 * @module
 */
import { CappedBackoff } from "../../runner/capped-backoff.ts";
import { StepError } from "../../runner/errors.ts";
import type { StepContext } from "../../runner/types.ts";
import { AttemptError } from "./connect-attempt.ts";

/**
 * Backoff of the wait (seconds, before `timeScale`): "not up yet" failures
 * within the first `probeWindowSeconds` of the wait are retried every
 * `probeIntervalSeconds`; other retryable failures, and any after the window,
 * wait `initial * factor^n` up to `max` (n counts those backed-off retries).
 */
export interface Backoff {
  initialDelaySeconds: number;
  maxDelaySeconds: number;
  factor: number;
  /** Fixed delay between "not up yet" probes during the window (default: no window). */
  probeIntervalSeconds?: number;
  /** Length of the probe window from the start of the wait (default 0: no window). */
  probeWindowSeconds?: number;
}

/**
 * Default: probe every 1 s for the first 60 s; else 1 s, 2 s, 4 s ... capped
 * at 20 s.
 */
export const DEFAULT_BACKOFF: Backoff = {
  initialDelaySeconds: 1,
  maxDelaySeconds: 20,
  factor: 2,
  probeIntervalSeconds: 1,
  probeWindowSeconds: 60,
};

/** How long (seconds, nominal) refused connections are retried with `failFastOnRefused`. */
export const REFUSED_GRACE_SECONDS = 10;

/** Seconds (nominal) between two "still waiting" lines of a long wait. */
export const PROGRESS_LOG_INTERVAL_SECONDS = 30;

/** Options of {@link waitForSsh}. */
export interface WaitOptions {
  /** What is being reached, for messages, e.g. `ec2-user@10.0.0.5:22`. */
  description: string;
  /**
   * Upper bound of the wait, seconds: the sum of the backoff delays (nominal,
   * before `timeScale`) and of the attempts' own real durations.
   */
  waitTimeoutSeconds: number;
  backoff?: Backoff;
  /** Authentication failures tolerated before giving up (cloud-init may install the key late). Default 3. */
  maxAuthFailures?: number;
  /**
   * Give up on refused connections after {@link REFUSED_GRACE_SECONDS}
   * instead of the whole wait: for hosts that already run (not freshly
   * launched instances), where a refusal means sshd is down or the port is wrong.
   */
  failFastOnRefused?: boolean;
  signal: AbortSignal;
}

/**
 * Calls `attempt` until it succeeds, backing off between retryable failures
 * through `ctx.sleep` (so `settings.timeScale` shrinks the delays).
 * @returns what `attempt` resolved to.
 * @throws StepError `connection` when the wait runs out (naming the attempts
 *   and the last error); `auth` after too many authentication failures; the
 *   attempt's own kind (e.g. `config` for a refused host key) when it is not
 *   retryable; the signal's reason on abort.
 */
export async function waitForSsh<T>(
  ctx: Pick<StepContext, "sleep" | "log">,
  attempt: () => Promise<T>,
  options: WaitOptions,
): Promise<T> {
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const maxAuthFailures = options.maxAuthFailures ?? 3;
  let spentSeconds = 0;
  const delays = new CappedBackoff(
    backoff.initialDelaySeconds,
    backoff.maxDelaySeconds,
    backoff.factor,
  );
  let attempts = 0;
  let authFailures = 0;
  /** When the last progress line was logged (seconds into the wait). */
  let loggedAt = 0;
  for (;;) {
    options.signal.throwIfAborted();
    attempts++;
    const started = performance.now();
    let failure: AttemptError;
    try {
      return await attempt();
    } catch (error) {
      options.signal.throwIfAborted();
      if (!(error instanceof AttemptError)) throw error;
      failure = error;
    }
    spentSeconds += (performance.now() - started) / 1000;
    if (!failure.retryable) {
      throw new StepError(failure.kind, `SSH to ${options.description}: ${failure.message}`, {
        cause: failure,
      });
    }
    if (failure.kind === "auth" && ++authFailures >= maxAuthFailures) {
      throw new StepError(
        "auth",
        `SSH to ${options.description}: ${failure.message} (${authFailures} times); check that the private key matches the instance's key pair and the user is right`,
        { cause: failure },
      );
    }
    if (
      options.failFastOnRefused && failure.code === "ECONNREFUSED" &&
      spentSeconds >= REFUSED_GRACE_SECONDS
    ) {
      throw new StepError(
        "connection",
        `connection refused on ${options.description} — is sshd running / is the port right? ` +
          `(${attempts} attempts over ${Math.round(spentSeconds)} s)`,
        { cause: failure },
      );
    }
    const remaining = options.waitTimeoutSeconds - spentSeconds;
    if (remaining <= 0) {
      throw new StepError(
        "connection",
        `SSH to ${options.description}: not reachable within ${options.waitTimeoutSeconds} s (${attempts} attempts; last error: ${failure.message})`,
        { cause: failure },
      );
    }
    // Not up yet, early in the wait: probe again shortly, without growing the delay.
    const probing = failure.kind === "connection" &&
      spentSeconds < (backoff.probeWindowSeconds ?? 0);
    const wait = Math.min(
      probing ? backoff.probeIntervalSeconds ?? backoff.initialDelaySeconds : delays.next(),
      remaining,
    );
    if (attempts === 1) {
      ctx.log.info(`waiting for sshd at ${options.description} (${failure.message})`);
      loggedAt = spentSeconds;
    } else if (spentSeconds - loggedAt >= PROGRESS_LOG_INTERVAL_SECONDS) {
      ctx.log.info(
        `still waiting for sshd at ${options.description}: ${Math.round(spentSeconds)} of ` +
          `${options.waitTimeoutSeconds} s, ${attempts} attempts (${failure.message})`,
      );
      loggedAt = spentSeconds;
    } else {
      ctx.log.debug(`sshd at ${options.description} not ready, retrying in ${wait} s`, {
        attempt: attempts,
        error: failure.message,
      });
    }
    await ctx.sleep(wait, options.signal);
    spentSeconds += wait;
  }
}
