/**
 * Checks, before a run starts, every `with:` value that depends only on the
 * pipeline's inputs: such values are fully known once the inputs are resolved
 * (`--set`, `--config`, defaults), so a bad one (e.g. `instance_types` with a
 * count of 0) is a validation error (exit 2) instead of a failed step after
 * the run began.
 * @module
 */
import { ValidationError, type ValidationIssue } from "../errors.ts";
import { evaluateTemplate, parseTemplate, referencesOf } from "../expression.ts";
import type { Pipeline, ResolvedInputs, StepSpec } from "./model.ts";
import { zodIssues } from "./zod-issues.ts";

/** Where an input's value came from, as messages name it (`--set`, `--config`, ...). */
export const FLAG_OF_SOURCE: Record<string, string> = {
  flag: "--set",
  config: "--config",
  default: "the default",
  simulator: "the simulator",
};

/**
 * Inputs read by `value` (recursively): an empty set for a literal, null when
 * it reads anything but `inputs.*` (e.g. a step's outputs, known only during the run).
 */
export function inputsRead(value: unknown): Set<string> | null {
  const names = new Set<string>();
  const visit = (v: unknown): boolean => {
    if (typeof v === "string") {
      if (!v.includes("${{")) return true;
      let refs;
      try {
        refs = referencesOf(parseTemplate(v));
      } catch {
        return false; // syntax errors are the loader's to report
      }
      for (const ref of refs) {
        if (ref.root !== "inputs" || typeof ref.segments[0] !== "string") return false;
        names.add(ref.segments[0]);
      }
      return true;
    }
    if (Array.isArray(v)) return v.every(visit);
    if (v !== null && typeof v === "object") return Object.values(v).every(visit);
    return true;
  };
  return visit(value) ? names : null;
}

/** Problems of one step's input-bound `with:` values. */
function stepProblems(
  pipeline: Pipeline,
  index: number,
  step: StepSpec,
  inputs: ResolvedInputs,
): ValidationIssue[] {
  // Only keys whose value depends on inputs alone; literals were checked by the loader.
  const bound: Record<string, unknown> = {};
  const readBy: Record<string, Set<string>> = {};
  for (const [key, value] of Object.entries(step.with)) {
    const names = inputsRead(value);
    if (names === null || names.size === 0) continue;
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
      const from = [...readBy[key]].map((name) =>
        `input "${name}" (from ${FLAG_OF_SOURCE[inputs.sources[name] ?? "default"]})`
      ).join(", ");
      return {
        source: pipeline.file,
        line: step.line,
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
 * @throws ValidationError listing every problem (file, step line, key, the input it came from)
 */
export function checkInputBoundWith(pipeline: Pipeline, inputs: ResolvedInputs): void {
  const issues = pipeline.steps.flatMap((step, i) => stepProblems(pipeline, i, step, inputs));
  if (issues.length > 0) throw new ValidationError(onceEach(issues));
}
