/**
 * Runs each step's own `checkBeforeRun` (runner/types.ts) once the inputs
 * are resolved, before anything is created: checks that need several steps'
 * values at once (e.g. `connect` with transport ssm against hosts that
 * `existing-hosts` gives by address) or the run's settings (e.g. `launch`: a
 * count over `--max-instances`). Every problem names the file, the step's
 * line and `steps[i].with.<key>`. A step with `if:` is not checked: it may
 * not run at all.
 * @module
 */
import { ValidationError, type ValidationIssue } from "../errors.ts";
import { knownWith } from "./known-with.ts";
import type { Pipeline, ResolvedInputs } from "./model.ts";
import type { RunSettings } from "../types.ts";

/**
 * Calls `checkBeforeRun` of every step (without `if:`) whose plugin has one,
 * with the values of all steps known before the run.
 * @param settings the run's settings; absent under `validate`
 * @param unusable inputs with a problem of their own (values read from them are not checked)
 * @throws ValidationError listing every problem found
 */
export function checkStepsBeforeRun(
  pipeline: Pipeline,
  inputs: ResolvedInputs,
  settings?: RunSettings,
  unusable: ReadonlySet<string> = new Set(),
): void {
  const steps = pipeline.steps.map((step, i) => knownWith(step, i, inputs, unusable));
  const issues: ValidationIssue[] = [];
  pipeline.steps.forEach((step, i) => {
    if (step.if !== undefined) return;
    for (const problem of step.plugin.checkBeforeRun?.(steps[i], { steps, settings }) ?? []) {
      const position = step.withPositions?.[problem.key];
      issues.push({
        source: pipeline.file,
        line: position?.line ?? step.line,
        col: position?.col,
        key: `steps[${i}].with.${problem.key}`,
        message: problem.message,
      });
    }
  });
  if (issues.length > 0) throw new ValidationError(issues);
}
