/**
 * The delays of a wait or polling loop that backs off: the first delay, then
 * each one `factor` times the one before, never above the cap. Shared by the
 * sshd wait (plugins/ssh/wait-for-sshd.ts), the SSM agent wait
 * (plugins/ssm/agent.ts) and GetCommandInvocation polling
 * (plugins/ssm/invocation.ts). Units are the caller's (seconds there).
 * @module
 */

/** One loop's delays: `first`, `first × factor`, ... capped at `max`. */
export class CappedBackoff {
  #next: number;
  readonly max: number;
  readonly factor: number;

  /**
   * @param first the first delay (returned as is, even above `max`).
   * @param max the cap of every later delay.
   * @param factor growth from one delay to the next (default 2: doubling).
   */
  constructor(first: number, max: number, factor = 2) {
    this.#next = first;
    this.max = max;
    this.factor = factor;
  }

  /** The delay to wait now; the next call returns it times `factor`, capped at `max`. */
  next(): number {
    const delay = this.#next;
    this.#next = Math.min(delay * this.factor, this.max);
    return delay;
  }
}
