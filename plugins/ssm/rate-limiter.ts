/**
 * One request-rate limiter per region for the SSM calls of the run: every
 * target's shell in a region shares it, so the run as a whole stays under a
 * fixed number of SSM requests per second in that region whatever the fleet
 * size (requests queue instead of being throttled). A `ThrottlingException`
 * pauses the whole region for the backoff delay.
 *
 * Time is simulated time: a gap of `1 / rate` seconds is waited as
 * `gap × settings.timeScale` real seconds, like every other wait of the run.
 * @module
 */
import type { StepContext } from "../../runner/types.ts";

/** Default bound of SSM requests per second per region (all targets together). */
export const DEFAULT_SSM_REQUESTS_PER_SECOND = 10;

/** Clock and sleeper of a limiter (tests inject fakes). */
export interface LimiterTiming {
  /** Current time, seconds (any origin). */
  now(): number;
  /** Waits `seconds`; rejects with the signal's reason on abort. */
  sleep(seconds: number, signal?: AbortSignal): Promise<void>;
}

/**
 * Spaces requests at least `1 / requestsPerSecond` seconds apart, in the
 * order they asked, and pauses everyone after a throttle.
 */
export class RegionRateLimiter {
  readonly region: string;
  readonly requestsPerSecond: number;
  #timing: LimiterTiming;
  /** Earliest time the next request may go, seconds. */
  #nextSlot = -Infinity;
  #granted = 0;
  #throttles = 0;

  /**
   * @param requestsPerSecond bound (> 0) of requests per (simulated) second.
   * @throws RangeError when `requestsPerSecond` is not a positive number.
   */
  constructor(region: string, requestsPerSecond: number, timing: LimiterTiming) {
    if (!(requestsPerSecond > 0)) {
      throw new RangeError(`requests per second must be > 0, got ${requestsPerSecond}`);
    }
    this.region = region;
    this.requestsPerSecond = requestsPerSecond;
    this.#timing = timing;
  }

  /** Requests let through so far. */
  get granted(): number {
    return this.#granted;
  }

  /** Throttles reported with {@link throttled} so far. */
  get throttles(): number {
    return this.#throttles;
  }

  /**
   * Waits for this request's slot. Slots are handed out in call order, so a
   * burst of N callers is spread over N gaps.
   * @throws the signal's reason when `signal` aborts while waiting.
   */
  async acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const now = this.#timing.now();
    const slot = Math.max(now, this.#nextSlot);
    this.#nextSlot = slot + 1 / this.requestsPerSecond;
    const wait = slot - now;
    if (wait > 0) await this.#timing.sleep(wait, signal);
    this.#granted++;
  }

  /** After a `ThrottlingException`: nobody in the region sends before `pauseSeconds` from now. */
  throttled(pauseSeconds: number): void {
    this.#throttles++;
    this.#nextSlot = Math.max(this.#nextSlot, this.#timing.now() + pauseSeconds);
  }
}

/** Service-registry key of the limiter of `region`. */
export function limiterServiceKey(region: string): string {
  return `ssm:rate-limiter:region:${region}`;
}

/**
 * The run's limiter of `region` (created on first use with `requestsPerSecond`,
 * shared after). Simulated seconds: waits are scaled by `settings.timeScale`.
 */
export function regionLimiter(
  ctx: Pick<StepContext, "services" | "settings">,
  region: string,
  requestsPerSecond = DEFAULT_SSM_REQUESTS_PER_SECOND,
): Promise<RegionRateLimiter> {
  const scale = ctx.settings.timeScale;
  return ctx.services.get(
    limiterServiceKey(region),
    () =>
      new RegionRateLimiter(region, requestsPerSecond, {
        // Simulated seconds: real elapsed time divided by the scale (0 in unit tests: no waits).
        now: () => scale > 0 ? performance.now() / 1000 / scale : 0,
        sleep: (seconds, signal) =>
          scale > 0
            ? new Promise<void>((resolve, reject) => {
              const timer = setTimeout(done, seconds * scale * 1000);
              function done() {
                signal?.removeEventListener("abort", abort);
                resolve();
              }
              function abort() {
                clearTimeout(timer);
                reject(signal?.reason);
              }
              signal?.addEventListener("abort", abort, { once: true });
            })
            : Promise.resolve(),
      }),
  );
}
