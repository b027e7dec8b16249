/**
 * Runs each step's `checkBeforeRun` (see `StepPluginBase` in runner/types.ts)
 * before a run starts: problems of `with:` values that depend on the run's
 * settings (e.g. a count over `--max-instances`, a big launch without `--yes`
 * and without a terminal) refuse the run with exit 2 instead of failing a
 * step after the run began.
 * @module
 */
import { ValidationError, type ValidationIssue } from "../errors.ts";
import { evaluateTemplate } from "../expression.ts";
import type { RunSettings } from "../types.ts";
import type { Pipeline, ResolvedInputs, StepSpec } from "./model.ts";
import { FLAG_OF_SOURCE, inputsRead } from "./input-bound-with.ts";

/**
 * The `with:` values of `step` known before the run: literals as written and
 * values that read only `inputs.*`, evaluated; `readBy` names the inputs each
 * evaluated key reads. Keys reading anything else are left out.
 */
export function knownWith(
  step: StepSpec,
  inputs: ResolvedInputs,
): { values: Record<string, unknown>; readBy: Record<string, string[]> } {
  const values: Record<string, unknown> = {};
  const readBy: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(step.with)) {
    const names = inputsRead(value);
    if (names === null) continue;
    if (names.size === 0) {
      values[key] = value;
      continue;
    }
    readBy[key] = [...names];
    values[key] = evaluateTemplate(value, {
      inputs: inputs.values,
      steps: {},
      run: { id: "validate" },
    });
  }
  return { values, readBy };
}

/**
 * Checks every step that has a `checkBeforeRun` (and no `if:`) against the run's settings.
 * @throws ValidationError listing every problem (pipeline file, step line,
 *   `steps[i].with.<key>`, the input the value came from)
 */
export function checkWithAgainstSettings(
  pipeline: Pipeline,
  inputs: ResolvedInputs,
  settings: RunSettings,
): void {
  const issues: ValidationIssue[] = [];
  pipeline.steps.forEach((step, index) => {
    const check = step.plugin.checkBeforeRun;
    // A step with `if:` may not run at all: the run decides.
    if (!check || step.if !== undefined) return;
    const { values, readBy } = knownWith(step, inputs);
    for (const problem of check(values, settings)) {
      const from = (readBy[problem.key] ?? []).map((name) =>
        `input "${name}" (from ${FLAG_OF_SOURCE[inputs.sources[name] ?? "default"]})`
      ).join(", ");
      issues.push({
        source: pipeline.file,
        line: step.line,
        key: `steps[${index}].with.${problem.key}`,
        message: from === ""
          ? problem.message
          : `${problem.message} — the value comes from ${from}`,
      });
    }
  });
  if (issues.length > 0) throw new ValidationError(issues);
}
