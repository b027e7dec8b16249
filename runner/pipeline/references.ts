/**
 * Checks the expressions of a step (`with:` strings and `if:`) before a run:
 * syntax, and that every path they read exists at that point of the
 * pipeline (declared inputs, earlier steps and their declared outputs,
 * `target.*` only in target-scope steps, `run.id`).
 * @module
 */
import {
  ExpressionSyntaxError,
  parseExpression,
  parseTemplate,
  referencesOf,
} from "../expression.ts";
import type { ExpressionReference } from "../expression.ts";
import { nearestName } from "../registry.ts";
import type { StepPlugin, StepScope } from "../types.ts";

/** A step as the reference checks see it. */
export interface StepRef {
  id: string;
  /** Position in `steps:` (0-based). */
  index: number;
  /** Scope of its plugin; undefined when the step type is unknown. */
  scope?: StepScope;
  plugin?: StepPlugin;
}

/** What the expressions of one step may read. */
export interface ReferenceScope {
  /** Declared input names; undefined when `inputs:` itself is invalid (skip input checks). */
  inputs?: ReadonlySet<string>;
  /** Every step with an id, in file order. */
  steps: readonly StepRef[];
  /** The step whose expressions are checked. */
  current: StepRef;
}

/** A problem inside one expression string; `column` is 1-based inside it. */
export interface ExpressionProblem {
  message: string;
  column: number;
}

/** Fields of a target (runner/types.ts `Target`) that `target.<field>` may read. */
export const TARGET_FIELDS: readonly string[] = [
  "id",
  "label",
  "status",
  "instanceId",
  "instanceType",
  "region",
  "expectedArchitecture",
  "address",
  "port",
  "user",
  "placementGroup",
  "launchedByRun",
  "facts",
  "outputs",
  "verdict",
  "verdictReason",
  "diagnostics",
  "failure",
  "warnings",
];

const ROOTS = ["inputs", "steps", "target", "run"];

/**
 * Output keys a plugin declares, when its output schema is a zod object that
 * drops or rejects other keys; undefined when any key may appear.
 */
export function declaredOutputKeys(plugin: StepPlugin | undefined): string[] | undefined {
  const def = (plugin?.output as { _zod?: { def?: Record<string, unknown> } } | undefined)?._zod
    ?.def;
  if (!def || def.type !== "object") return undefined;
  const catchall = (def.catchall as { _zod?: { def?: { type?: string } } } | undefined)?._zod?.def
    ?.type;
  if (catchall !== undefined && catchall !== "never") return undefined;
  return Object.keys(def.shape as Record<string, unknown>);
}

/**
 * Parses an expression string and checks what it reads.
 * @param text a `with:` string (template) or an `if:` condition (with or without `${{ }}`)
 * @param condition true for `if:` (a bare expression is allowed)
 * @param scope what the step may read
 * @returns problems with their column inside `text`; empty when fine
 */
export function expressionProblems(
  text: string,
  condition: boolean,
  scope: ReferenceScope,
): ExpressionProblem[] {
  let references: ExpressionReference[];
  try {
    const ast = condition && !text.includes("${{") ? parseExpression(text) : parseTemplate(text);
    references = referencesOf(ast);
  } catch (error) {
    if (error instanceof ExpressionSyntaxError) {
      return [{ message: `invalid expression: ${error.message}`, column: error.column }];
    }
    throw error;
  }
  const problems: ExpressionProblem[] = [];
  for (const reference of references) {
    const message = referenceProblem(reference, scope);
    if (message) problems.push({ message, column: reference.column });
  }
  return problems;
}

function referenceProblem(ref: ExpressionReference, scope: ReferenceScope): string | undefined {
  const [first, second, third] = ref.segments;
  switch (ref.root) {
    case "inputs": {
      if (first === undefined || !scope.inputs || scope.inputs.has(String(first))) return;
      const suggestion = nearestName(String(first), scope.inputs);
      const declared = [...scope.inputs].join(", ") || "none";
      return `${ref.path} reads undefined input "${first}"` +
        (suggestion ? ` (did you mean inputs.${suggestion}?)` : "") +
        `; declared inputs: ${declared}`;
    }
    case "steps":
      return first === undefined
        ? undefined
        : stepProblem(ref, String(first), second, third, scope);
    case "target":
      if (scope.current.scope === "pipeline") {
        return `${ref.path}: "target" is only available in target-scope steps, and step ` +
          `"${scope.current.id}" runs once per pipeline`;
      }
      if (first !== undefined && !TARGET_FIELDS.includes(String(first))) {
        const suggestion = nearestName(String(first), TARGET_FIELDS);
        return `${ref.path}: targets have no field "${first}"` +
          (suggestion ? ` (did you mean target.${suggestion}?)` : "") +
          `; fields: ${TARGET_FIELDS.join(", ")}`;
      }
      return;
    case "run":
      return first === undefined || first === "id"
        ? undefined
        : `${ref.path}: only run.id is available`;
    default: {
      const suggestion = nearestName(ref.root, ROOTS);
      return `unknown name "${ref.root}"` + (suggestion ? ` (did you mean ${suggestion}?)` : "") +
        `; expressions can read ${ROOTS.join(", ")} and call functions`;
    }
  }
}

function stepProblem(
  ref: ExpressionReference,
  id: string,
  second: string | number | undefined,
  third: string | number | undefined,
  scope: ReferenceScope,
): string | undefined {
  const { current } = scope;
  const step = scope.steps.find((s) => s.id === id);
  if (!step) {
    const earlier = scope.steps.filter((s) => s.index < current.index).map((s) => s.id);
    const suggestion = nearestName(id, scope.steps.map((s) => s.id));
    return `${ref.path} reads undefined step "${id}"` +
      (suggestion ? ` (did you mean steps.${suggestion}?)` : "") +
      `; steps before this one: ${earlier.join(", ") || "none"}`;
  }
  if (step.index >= current.index) {
    return step.index === current.index
      ? `${ref.path}: a step cannot read its own outputs`
      : `${ref.path} reads step "${id}", which runs later (steps[${step.index}]); ` +
        `a step can only read outputs of steps before it`;
  }
  if (second === undefined) return;
  if (second !== "outputs") return `${ref.path}: only steps.${id}.outputs.<key> is available`;
  if (step.scope === "target" && current.scope === "pipeline") {
    return `${ref.path}: step "${id}" runs per target, so its outputs are only visible to ` +
      `target-scope steps, and step "${current.id}" runs once per pipeline`;
  }
  const keys = declaredOutputKeys(step.plugin);
  if (third !== undefined && keys && !keys.includes(String(third))) {
    const suggestion = nearestName(String(third), keys);
    return `${ref.path}: step "${id}" (${step.plugin!.type}) has no output "${third}"` +
      (suggestion ? ` (did you mean "${suggestion}"?)` : "") +
      `; outputs: ${keys.join(", ") || "none"}`;
  }
  return;
}
