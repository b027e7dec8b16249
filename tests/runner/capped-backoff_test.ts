/**
 * CappedBackoff (runner/capped-backoff.ts): the delays of the sshd wait, the
 * SSM agent wait and GetCommandInvocation polling.
 */
import assert from "node:assert/strict";
import { CappedBackoff } from "../../runner/capped-backoff.ts";

function take(backoff: CappedBackoff, n: number): number[] {
  return Array.from({ length: n }, () => backoff.next());
}

Deno.test("capped backoff: doubles from the first delay and stays at the cap", () => {
  assert.deepEqual(take(new CappedBackoff(0.5, 5), 7), [0.5, 1, 2, 4, 5, 5, 5]);
  assert.deepEqual(take(new CappedBackoff(2, 15), 5), [2, 4, 8, 15, 15]);
});

Deno.test("capped backoff: another factor grows by it", () => {
  assert.deepEqual(take(new CappedBackoff(1, 20, 3), 5), [1, 3, 9, 20, 20]);
});

Deno.test("capped backoff: a first delay above the cap is kept once, then capped", () => {
  assert.deepEqual(take(new CappedBackoff(30, 10), 3), [30, 10, 10]);
});
