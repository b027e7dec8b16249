/**
 * Resolves the values of a pipeline's inputs from `--set name=value` flags,
 * a `--config FILE` (YAML or JSON mapping of input names to values), extra
 * defaults (e.g. from the simulator) and the pipeline's own defaults.
 * @module
 */
import { resolve } from "node:path";
import { ValidationError, type ValidationIssue } from "./errors.ts";
import { checkInputValue, describeInputType, parseInputText } from "./input-values.ts";
import type { InputSource, Pipeline, ResolvedInputs } from "./pipeline/model.ts";
import { IssueCollector, parseYamlText, readSourceFileSync } from "./pipeline/yaml-source.ts";
import { nearestName } from "./registry.ts";
import { isMapping } from "./mapping.ts";

/** Where input values come from besides the pipeline's defaults. */
export interface InputOverrides {
  /** `--set name=value` flags, in the order given (a later one wins). */
  set?: readonly string[];
  /** `--config FILE`: YAML or JSON mapping of input name to value. */
  configFile?: string;
  /** Defaults that beat the pipeline's own (source `simulator`), e.g. a simulated subnet id. */
  extraDefaults?: Record<string, unknown>;
}

/** "declared inputs: a, b" for messages. */
function declaredList(pipeline: Pipeline): string {
  const names = Object.keys(pipeline.inputs);
  return names.length ? `declared inputs: ${names.join(", ")}` : "this pipeline declares no inputs";
}

/** Input values with every problem found while resolving them. */
export interface CollectedInputs {
  /** The values that could be resolved (a refused value keeps its default, if any). */
  inputs: ResolvedInputs;
  /** Every problem, in the order found (config file, `--set`, missing required inputs). */
  issues: ValidationIssue[];
  /**
   * Inputs whose value is unknown because of a problem (refused, missing,
   * or given in a config file that could not be read): checks of values
   * computed from them are skipped so one mistake is reported once.
   */
  unusable: Set<string>;
}

/**
 * Resolves every input value, like {@link resolveInputs}, but returns the
 * problems instead of throwing, so that the caller can report them together
 * with the problems of values computed from the inputs (`with:`, `rollout:`).
 * @param pipeline the validated pipeline
 * @param overrides flags, config file and extra defaults
 */
export function collectInputs(pipeline: Pipeline, overrides: InputOverrides = {}): CollectedInputs {
  const values: Record<string, unknown> = {};
  const sources: Record<string, InputSource> = {};
  const origins: Record<string, string> = {};
  const issues: ValidationIssue[] = [];

  for (const [name, spec] of Object.entries(pipeline.inputs)) {
    if (spec.default !== undefined) {
      values[name] = structuredClone(spec.default);
      sources[name] = "default";
    }
  }
  for (const [name, value] of Object.entries(overrides.extraDefaults ?? {})) {
    const spec = pipeline.inputs[name];
    if (!spec || value === undefined) continue;
    const problem = checkInputValue(spec, value);
    if (problem) {
      issues.push({ source: "simulator", key: name, message: `default for "${name}": ${problem}` });
      continue;
    }
    values[name] = value;
    sources[name] = "simulator";
  }
  let configUnreadable = false;
  if (overrides.configFile !== undefined) {
    const configIssues = applyConfigFile(pipeline, overrides.configFile, values, sources, origins);
    // A config that cannot be parsed would also make every required input look missing.
    configUnreadable = configIssues.some((issue) =>
      / syntax error/.test(issue.message) ||
      issue.line === undefined
    );
    issues.push(...configIssues);
  }
  for (const assignment of overrides.set ?? []) {
    const issue = applySet(pipeline, assignment, values, sources, origins);
    if (issue) issues.push(issue);
  }
  // An input given with a bad value already has its issue: not "required" on top of it.
  const unusable = new Set(
    issues.map((issue) => issue.key ?? "").filter((name) => name in pipeline.inputs),
  );
  for (const [name, spec] of Object.entries(pipeline.inputs)) {
    if (configUnreadable && sources[name] !== "flag") unusable.add(name);
    if (spec.required && values[name] === undefined && !unusable.has(name)) {
      unusable.add(name);
      issues.push({
        source: pipeline.file,
        key: `inputs.${name}`,
        message: `input "${name}" (${describeInputType(spec)}) is required: give it with ` +
          `--set ${name}=... or in the --config file` +
          (spec.description ? ` (${spec.description})` : ""),
      });
    }
  }
  return {
    inputs: {
      values,
      sources,
      origins,
      secrets: Object.entries(pipeline.inputs).filter(([, s]) => s.secret).map(([name]) => name),
    },
    issues,
    unusable,
  };
}

/**
 * Resolves every input value. Precedence: `--set` > `--config` >
 * `extraDefaults` (source `simulator`) > the pipeline's `default`.
 *
 * `--set` texts are converted to the declared type (see `parseInputText`:
 * numbers, `true`/`false`, comma-separated or JSON arrays, JSON objects);
 * config values must already have the type. `enum` inputs are checked.
 * Extra defaults for names the pipeline does not declare are ignored.
 *
 * @param pipeline the validated pipeline
 * @param overrides flags, config file and extra defaults
 * @returns values (inputs without any value are absent), their sources and
 *   the names of secret inputs
 * @throws ValidationError listing every problem: malformed `--set`, an
 *   undeclared name (naming the flag and the declared inputs), a wrong type
 *   (naming `--set name` or the config file's line/col and the expected
 *   type), config syntax errors and unknown keys (with line/col), a missing
 *   required input (saying how to give it)
 */
export function resolveInputs(pipeline: Pipeline, overrides: InputOverrides = {}): ResolvedInputs {
  const { inputs, issues } = collectInputs(pipeline, overrides);
  if (issues.length > 0) throw new ValidationError(issues);
  return inputs;
}

/** Applies one `--set name=value`; returns its problem, if any. */
function applySet(
  pipeline: Pipeline,
  assignment: string,
  values: Record<string, unknown>,
  sources: Record<string, InputSource>,
  origins: Record<string, string>,
): ValidationIssue | undefined {
  const equals = assignment.indexOf("=");
  if (equals <= 0) {
    return {
      source: "--set",
      message: `expected name=value, got ${JSON.stringify(assignment)} (${declaredList(pipeline)})`,
    };
  }
  const name = assignment.slice(0, equals).trim();
  const text = assignment.slice(equals + 1);
  const spec = pipeline.inputs[name];
  if (!spec) {
    const suggestion = nearestName(name, Object.keys(pipeline.inputs));
    return {
      source: "--set",
      key: name,
      message: `the pipeline has no input "${name}"` +
        (suggestion ? ` (did you mean "${suggestion}"?)` : "") + `; ${declaredList(pipeline)}`,
    };
  }
  const parsed = parseInputText(spec, text);
  if ("error" in parsed) {
    return {
      source: "--set",
      key: name,
      message: `${parsed.error}; give it as --set ${name}=<${describeInputType(spec)}>` +
        (spec.type === "array" ? " (comma-separated or a JSON array)" : "") +
        (spec.type === "object" ? " (a JSON object)" : ""),
    };
  }
  values[name] = parsed.value;
  sources[name] = "flag";
  origins[name] = `--set ${name}=${spec.secret ? "…" : text}`;
  return undefined;
}

/** Reads and applies `--config FILE`; returns its problems. */
function applyConfigFile(
  pipeline: Pipeline,
  configFile: string,
  values: Record<string, unknown>,
  sources: Record<string, InputSource>,
  origins: Record<string, string>,
): ValidationIssue[] {
  let file;
  try {
    const text = readSourceFileSync(resolve(configFile), configFile, "config file");
    file = parseYamlText(text, configFile);
  } catch (error) {
    if (error instanceof ValidationError) return error.issues;
    throw error;
  }
  const issues = new IssueCollector(file);
  if (file.value === null || file.value === undefined) return [];
  if (!isMapping(file.value)) {
    issues.add(
      [],
      `expected a mapping of input names to values, got ${
        Array.isArray(file.value) ? "a list" : JSON.stringify(file.value)
      } (${declaredList(pipeline)})`,
    );
    return issues.issues;
  }
  for (const [name, value] of Object.entries(file.value)) {
    const spec = pipeline.inputs[name];
    if (!spec) {
      const suggestion = nearestName(name, Object.keys(pipeline.inputs));
      issues.add(
        [name],
        `unknown input "${name}"` + (suggestion ? ` (did you mean "${suggestion}"?)` : "") +
          `; ${declaredList(pipeline)}`,
        { atKey: true },
      );
      continue;
    }
    if (value === null) continue; // `name:` with no value leaves the input unset here
    const problem = checkInputValue(spec, value);
    if (problem) {
      issues.add([name], `${problem} (input type: ${describeInputType(spec)})`);
      continue;
    }
    values[name] = value;
    sources[name] = "config";
    origins[name] = `${configFile}:${file.map.locate([name]).line}`;
  }
  return issues.issues;
}
