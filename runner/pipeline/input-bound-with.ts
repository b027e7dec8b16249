/**
 * Checks, before a run starts, every `with:` value that depends only on the
 * pipeline's inputs: such values are fully known once the inputs are resolved
 * (`--set`, `--config`, defaults), so a bad one (e.g. `instance_types` with a
 * count of 0) is a validation error (exit 2) instead of a failed step after
 * the run began.
 * @module
 */
import { ValidationError, type ValidationIssue } from "../errors.ts";
import { evaluateTemplate } from "../expression.ts";
import { describeInputs, inputsRead } from "./known-with.ts";
import type { Pipeline, ResolvedInputs, StepSpec } from "./model.ts";
import { zodIssues } from "./zod-issues.ts";

/** Problems of one step's input-bound `with:` values. */
function stepProblems(
  pipeline: Pipeline,
  index: number,
  step: StepSpec,
  inputs: ResolvedInputs,
  unusable: ReadonlySet<string>,
): ValidationIssue[] {
  // Only keys whose value depends on inputs alone; literals were checked by the loader.
  const bound: Record<string, unknown> = {};
  const readBy: Record<string, Set<string>> = {};
  for (const [key, value] of Object.entries(step.with)) {
    const names = inputsRead(value);
    if (names === null || names.size === 0) continue;
    // A value read from an input that already has a problem is not checked again.
    if ([...names].some((name) => unusable.has(name))) continue;
    readBy[key] = names;
    bound[key] = evaluateTemplate(value, {
      inputs: inputs.values,
      steps: {},
      run: { id: "validate" },
    });
  }
  if (Object.keys(bound).length === 0) return [];
  // Validate the whole mapping so defaults and cross-field rules apply, but
  // report only problems under input-bound keys.
  const literal: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(step.with)) {
    if (!(key in bound) && !(typeof value === "string" && value.includes("${{"))) {
      literal[key] = value;
    }
  }
  const { issues } = zodIssues(step.plugin.input, { ...literal, ...bound });
  return issues
    .filter((issue) => typeof issue.path[0] === "string" && issue.path[0] in bound)
    .map((issue) => {
      const key = issue.path[0] as string;
      const from = describeInputs(readBy[key], inputs);
      const position = step.withPositions?.[key];
      return {
        source: pipeline.file,
        line: position?.line ?? step.line,
        col: position?.col,
        key: `steps[${index}].with.${issue.path.join(".")}`,
        message: `${issue.message} — the value comes from ${from}`,
      };
    });
}

/**
 * One issue per problem of an input: the same bad value read by several steps
 * is reported once, at the first step, naming the others.
 */
function onceEach(issues: readonly ValidationIssue[]): ValidationIssue[] {
  const byMessage = new Map<string, ValidationIssue & { also: string[] }>();
  for (const issue of issues) {
    const seen = byMessage.get(issue.message);
    if (seen) seen.also.push(issue.key ?? "");
    else byMessage.set(issue.message, { ...issue, also: [] });
  }
  return [...byMessage.values()].map(({ also, ...issue }) =>
    also.length === 0 ? issue : { ...issue, key: `${issue.key} (also ${also.join(", ")})` }
  );
}

/**
 * Validates the `with:` values that depend only on inputs, for every step.
 * @param unusable inputs that already have a problem: values read from them are not checked
 * @throws ValidationError listing every problem (file, the key's line:col, key path, the
 *   input it came from and where that input was given)
 */
export function checkInputBoundWith(
  pipeline: Pipeline,
  inputs: ResolvedInputs,
  unusable: ReadonlySet<string> = new Set(),
): void {
  const issues = pipeline.steps.flatMap((step, i) =>
    stepProblems(pipeline, i, step, inputs, unusable)
  );
  if (issues.length > 0) throw new ValidationError(onceEach(issues));
}
