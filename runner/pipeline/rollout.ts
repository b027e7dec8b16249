/**
 * The pipeline's `rollout:` key (see runner/rollout.ts for its meaning):
 * read and checked by the loader (a literal value at once; an expression
 * may read only `inputs.*`), and resolved once the inputs are known, before
 * the run starts, so a bad value (`batch: 0`, `batch: 150%`,
 * `max_fail: -1`) is a validation error (exit 2) naming the file, line, key,
 * the input it came from and what is right.
 * @module
 */
import { ValidationError, type ValidationIssue } from "../errors.ts";
import { evaluateTemplate, parseTemplate, referencesOf } from "../expression.ts";
import { isMapping } from "../mapping.ts";
import { BatchValueSchema, MaxFailValueSchema, type RolloutPlan } from "../rollout.ts";
import { describeInputOrigin } from "./input-origin.ts";
import type { Pipeline, ResolvedInputs } from "./model.ts";
import type { IssueCollector, YamlSource } from "./yaml-source.ts";

/** Keys of `rollout:` and the schema of each value. */
const KEYS = { batch: BatchValueSchema, max_fail: MaxFailValueSchema } as const;

/** One `rollout:` value as written (a literal or an `${{ inputs.x }}` expression) and its line. */
export interface RolloutValue {
  value: string | number;
  line: number;
  /** 1-based column of the key. */
  col?: number;
}

/** `rollout:` as written in the pipeline file. */
export type RolloutSpec = Partial<Record<keyof typeof KEYS, RolloutValue>>;

/** Input names an expression value reads, or a problem when it reads anything else. */
function inputsRead(text: string): { names: string[] } | { problem: string } {
  let refs;
  try {
    refs = referencesOf(parseTemplate(text));
  } catch (error) {
    return { problem: (error as Error).message };
  }
  const names: string[] = [];
  for (const ref of refs) {
    if (ref.root !== "inputs" || typeof ref.segments[0] !== "string") {
      return {
        problem:
          `rollout values may read only inputs (e.g. \${{ inputs.batch }}), not "${ref.root}"`,
      };
    }
    names.push(ref.segments[0]);
  }
  return { names };
}

/**
 * Reads `rollout:` for the loader: literal values are validated now,
 * expressions are checked to read only declared inputs. Shape errors (a
 * list, unknown keys) are the pipeline schema's.
 */
export function readRollout(
  raw: unknown,
  yaml: YamlSource,
  inputNames: ReadonlySet<string> | undefined,
  issues: IssueCollector,
): RolloutSpec | undefined {
  if (!isMapping(raw)) return undefined;
  const spec: RolloutSpec = {};
  for (const key of Object.keys(KEYS) as (keyof typeof KEYS)[]) {
    const value = raw[key];
    if (typeof value !== "string" && typeof value !== "number") continue;
    const path = ["rollout", key];
    spec[key] = { value, ...yaml.map.locate(path, { atKey: true }) };
    if (typeof value === "string" && value.includes("${{")) {
      const read = inputsRead(value);
      if ("problem" in read) issues.add(path, read.problem);
      else {
        for (const name of read.names) {
          if (inputNames && !inputNames.has(name)) {
            issues.add(path, `unknown input "${name}"; declare it under inputs:`);
          }
        }
      }
      continue;
    }
    const parsed = KEYS[key].safeParse(value);
    if (!parsed.success) issues.add(path, parsed.error.issues[0].message);
  }
  return spec;
}

/**
 * A check of values known before the run; throws a {@link ValidationError}.
 * `unusable` names inputs whose value has a problem of its own: values read
 * from them are not checked again.
 */
export type PreRunCheck = (
  pipeline: Pipeline,
  inputs: ResolvedInputs,
  unusable: ReadonlySet<string>,
) => void;

/**
 * Runs the given pre-run checks (each throws a {@link ValidationError}: e.g.
 * `checkInputBoundWith`, `checkStepsBeforeRun`) and {@link resolveRollout},
 * and reports their problems at once, after the problems found while
 * resolving the inputs.
 * @param earlier problems of the inputs themselves (see `collectInputs`) and
 *   the inputs they make unusable: values read from those are not checked
 * @throws ValidationError listing every problem
 */
export function checkBeforeRun(
  pipeline: Pipeline,
  inputs: ResolvedInputs,
  checks: readonly PreRunCheck[],
  earlier: { issues: readonly ValidationIssue[]; unusable: ReadonlySet<string> } = {
    issues: [],
    unusable: new Set(),
  },
): void {
  const issues: ValidationIssue[] = [...earlier.issues];
  for (const check of [...checks, resolveRollout]) {
    try {
      check(pipeline, inputs, earlier.unusable);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      issues.push(...error.issues);
    }
  }
  if (issues.length > 0) throw new ValidationError(issues);
}

/**
 * The rollout plan of a run: `rollout:` values with their expressions
 * evaluated against the resolved inputs, validated.
 * @returns the plan (empty when the pipeline has no `rollout:`)
 * @throws ValidationError naming the pipeline file, the line, `rollout.<key>`,
 *   what is right and the input the value came from
 */
export function resolveRollout(
  pipeline: Pipeline,
  inputs: ResolvedInputs,
  unusable: ReadonlySet<string> = new Set(),
): RolloutPlan {
  const plan: RolloutPlan = {};
  const problems: ValidationIssue[] = [];
  for (const key of Object.keys(KEYS) as (keyof typeof KEYS)[]) {
    const spec = pipeline.rollout?.[key];
    if (!spec) continue;
    const bound = typeof spec.value === "string" && spec.value.includes("${{");
    const read = bound ? inputsRead(String(spec.value)) : undefined;
    const names = read && "names" in read ? read.names : [];
    // A value read from an input that already has a problem is not checked again.
    if (names.some((name) => unusable.has(name))) continue;
    const value = bound
      ? evaluateTemplate(spec.value, { inputs: inputs.values, steps: {}, run: { id: "validate" } })
      : spec.value;
    // An input left empty ("") means "not set": all at once, never stop.
    if (value === "" || value === undefined || value === null) continue;
    const parsed = KEYS[key].safeParse(value);
    if (!parsed.success) {
      const from = names.map((name) => describeInputOrigin(inputs, name)).join(", ");
      problems.push({
        source: pipeline.file,
        line: spec.line,
        col: spec.col,
        key: `rollout.${key}`,
        message: parsed.error.issues[0].message + (from ? ` — the value comes from ${from}` : ""),
      });
      continue;
    }
    if (key === "batch") plan.batch = parsed.data as RolloutPlan["batch"];
    else plan.maxFailPercent = parsed.data as number;
  }
  if (problems.length > 0) throw new ValidationError(problems);
  return plan;
}
