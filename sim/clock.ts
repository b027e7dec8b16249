/**
 * Simulated time for the simulator: one clock shared by the fake AWS endpoint
 * (`sim/aws/`) and the simulated hosts (`sim/host/`), so every simulated
 * duration (boot time, dnf install, chrony polls) scales with one `speed`.
 * @module
 */

/** Default speed: simulated seconds per real second. */
export const DEFAULT_SIM_SPEED = 50;

/** A pending simulated-time timer. */
export interface SimTimer {
  /** Cancels the timer; the callback will not run. Idempotent. */
  cancel(): void;
}

/** Options of {@link SimClock}. */
export interface SimClockOptions {
  /** Simulated seconds per real second (> 0). Default {@link DEFAULT_SIM_SPEED} (50). */
  speed?: number;
  /** Real-time source in milliseconds (monotonic); default `performance.now()`. For tests. */
  realNowMs?: () => number;
}

/**
 * The simulator's clock. Simulated time starts at 0 when the clock is made and
 * runs `speed` times faster than real time.
 *
 * - `now()`: simulated seconds since start (fractional).
 * - `sleep(s, signal?)`: resolves after `s` simulated seconds; rejects with the
 *   signal's reason when aborted, or with an `AbortError` `DOMException` when the
 *   clock is disposed.
 * - `setTimer(s, fn)` / `at(t, fn)`: run `fn` after `s` simulated seconds / at
 *   simulated time `t`.
 * - `dispose()`: cancels every timer and pending sleep (call on simulator stop).
 *
 * @throws RangeError from the constructor when `speed` is not a finite number > 0.
 */
export class SimClock {
  /** Simulated seconds per real second. */
  readonly speed: number;
  readonly #realNowMs: () => number;
  readonly #startMs: number;
  readonly #timers = new Map<number, () => void>();
  #nextTimerKey = 1;
  #disposed = false;

  constructor(options: SimClockOptions = {}) {
    const speed = options.speed ?? DEFAULT_SIM_SPEED;
    if (!Number.isFinite(speed) || speed <= 0) {
      throw new RangeError(`simulator speed must be a number > 0, got ${speed}`);
    }
    this.speed = speed;
    this.#realNowMs = options.realNowMs ?? (() => performance.now());
    this.#startMs = this.#realNowMs();
  }

  /** Simulated seconds since the clock started (fractional, >= 0). */
  now(): number {
    return ((this.#realNowMs() - this.#startMs) / 1000) * this.speed;
  }

  /** Real milliseconds that `simSeconds` simulated seconds take (>= 0). */
  toRealMs(simSeconds: number): number {
    return Math.max(0, (simSeconds * 1000) / this.speed);
  }

  /** Simulated seconds that `realMs` real milliseconds represent. */
  toSimSeconds(realMs: number): number {
    return (realMs / 1000) * this.speed;
  }

  /** True after {@link dispose}. */
  get disposed(): boolean {
    return this.#disposed;
  }

  /**
   * Runs `callback` after `simSeconds` simulated seconds (0 or negative: on the
   * next macrotask). Does nothing (returns an inert timer) once disposed.
   */
  setTimer(simSeconds: number, callback: () => void): SimTimer {
    if (this.#disposed) return { cancel() {} };
    const key = this.#nextTimerKey++;
    const handle = setTimeout(() => {
      this.#timers.delete(key);
      callback();
    }, this.toRealMs(simSeconds));
    this.#timers.set(key, () => clearTimeout(handle));
    return {
      cancel: () => {
        const clear = this.#timers.get(key);
        if (clear) {
          this.#timers.delete(key);
          clear();
        }
      },
    };
  }

  /** Runs `callback` when simulated time reaches `simTime` (seconds since start). */
  at(simTime: number, callback: () => void): SimTimer {
    return this.setTimer(simTime - this.now(), callback);
  }

  /**
   * Waits `simSeconds` simulated seconds.
   * @throws the signal's `reason` when `signal` aborts first (also when already aborted);
   *   a `DOMException` named `AbortError` when the clock is disposed while waiting.
   */
  sleep(simSeconds: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#disposed) return Promise.reject(stoppedError());
    return new Promise<void>((resolve, reject) => {
      const key = this.#nextTimerKey++;
      const onAbort = () => {
        this.#timers.delete(key);
        clearTimeout(handle);
        reject(signal?.reason);
      };
      const handle = setTimeout(() => {
        this.#timers.delete(key);
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, this.toRealMs(simSeconds));
      this.#timers.set(key, () => {
        clearTimeout(handle);
        signal?.removeEventListener("abort", onAbort);
        reject(stoppedError());
      });
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Cancels every pending timer and rejects every pending sleep. Idempotent. */
  dispose(): void {
    this.#disposed = true;
    const clears = [...this.#timers.values()];
    this.#timers.clear();
    for (const clear of clears) clear();
  }
}

function stoppedError(): DOMException {
  return new DOMException("the simulator clock was stopped", "AbortError");
}
