/**
 * Which step (and target) the code running now works for, carried through
 * async calls with `AsyncLocalStorage`, so a service shared across steps (an
 * AWS client created by `launch` and reused by `connect` and `cleanup`)
 * names the step that made each call, not the step that created it.
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";

/** The step a piece of work belongs to. */
export interface StepScopeIds {
  /** Step id, e.g. `cleanup`. */
  stepId: string;
  /** Target id, for target-scope steps. */
  targetId?: string;
}

const storage = new AsyncLocalStorage<StepScopeIds>();

/** Runs `fn` as work of the step `ids`; every async continuation of `fn` sees it. */
export function withStepScope<T>(ids: StepScopeIds, fn: () => T): T {
  return storage.run(ids, fn);
}

/** The step the current work belongs to; undefined outside any step (e.g. `sweep`). */
export function currentStepScope(): StepScopeIds | undefined {
  return storage.getStore();
}
