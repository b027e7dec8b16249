/**
 * Runs each step's own `checkBeforeRun` (runner/types.ts) once the inputs
 * are resolved, before anything is created: checks that need several steps'
 * values at once (e.g. `connect` with transport ssm against hosts that
 * `existing-hosts` gives by address). Every problem names the file, the
 * step's line and `steps[i].with.<key>`.
 * @module
 */
import { ValidationError, type ValidationIssue } from "../errors.ts";
import { knownWith } from "./known-with.ts";
import type { Pipeline, ResolvedInputs } from "./model.ts";

/**
 * Calls `checkBeforeRun` of every step whose plugin has one, with the values
 * of all steps known before the run.
 * @throws ValidationError listing every problem found
 */
export function checkStepsBeforeRun(pipeline: Pipeline, inputs: ResolvedInputs): void {
  const known = pipeline.steps.map((step, i) => knownWith(step, i, inputs));
  const issues: ValidationIssue[] = [];
  pipeline.steps.forEach((step, i) => {
    for (const problem of step.plugin.checkBeforeRun?.(known[i], known) ?? []) {
      issues.push({
        source: pipeline.file,
        line: step.line,
        key: `steps[${i}].with.${problem.key}`,
        message: problem.message,
      });
    }
  });
  if (issues.length > 0) throw new ValidationError(issues);
}
