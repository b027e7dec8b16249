/**
 * The current target of a target-scope PTP step.
 * @module
 */
import { StepError } from "../../runner/errors.ts";
import type { StepContext, Target } from "../../runner/types.ts";

/**
 * Returns `ctx.target`.
 * @throws StepError kind `config` when the step runs without a target (pipeline scope).
 */
export function currentTarget(ctx: StepContext): Target {
  if (!ctx.target) {
    throw new StepError("config", `step "${ctx.step.id}" (${ctx.step.type}) needs a target`);
  }
  return ctx.target;
}
