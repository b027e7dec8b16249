/**
 * Resolves the values of a pipeline's inputs from `--set name=value` flags,
 * a `--config FILE` (YAML or JSON mapping of input names to values), extra
 * defaults (e.g. from the simulator) and the pipeline's own defaults.
 * @module
 */
import { AddressNames } from "./address-names.ts";
import { resolve } from "node:path";
import { ValidationError, type ValidationIssue } from "./errors.ts";
import { MIN_SECRET_LENGTH } from "./events.ts";
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
  issues.push(...shortSecretIssues(pipeline, values, sources, overrides.configFile));
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
 * Refuses a `secret` input whose value (an array: one of its items) is 1 or
 * 2 characters long: masking so short a text wherever it appears would mask
 * ordinary words and numbers of the output too (`ok=1`, `is`), and not masking
 * it would print it. Empty values are fine: there is nothing to print.
 */
function shortSecretIssues(
  pipeline: Pipeline,
  values: Record<string, unknown>,
  sources: Record<string, InputSource>,
  configFile: string | undefined,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const [name, spec] of Object.entries(pipeline.inputs)) {
    if (!spec.secret || values[name] === undefined) continue;
    const parts = Array.isArray(values[name]) ? values[name] as unknown[] : [values[name]];
    const short = parts.some((part) => {
      if (part === null || typeof part === "object") return false;
      const length = String(part).length;
      return length > 0 && length < MIN_SECRET_LENGTH;
    });
    if (!short) continue;
    const source = sources[name] === "flag"
      ? { source: "--set", key: name }
      : sources[name] === "config" && configFile !== undefined
      ? { source: configFile, key: name }
      : { source: pipeline.file, key: `inputs.${name}` };
    issues.push({
      ...source,
      message: `input "${name}" is secret and its value is shorter than ${MIN_SECRET_LENGTH} ` +
        `characters: so short a text cannot be masked in the output without masking ordinary ` +
        `words and numbers too; give a secret of at least ${MIN_SECRET_LENGTH} characters ` +
        `(or an empty one)`,
    });
  }
  return issues;
}

/**
 * Resolves every input value. Precedence: `--set` > `--config` >
 * `extraDefaults` (source `simulator`) > the pipeline's `default`.
 *
 * `--set` texts are converted to the declared type (see `parseInputText`:
 * numbers, `true`/`false`, comma-separated or JSON arrays, JSON objects);
 * config values must already have the type, except that a string given for
 * an `array` input is read as its `--set` text is (`instance_types: c7i.large`
 * = `--set instance_types=c7i.large`). `enum` inputs are checked.
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
  // Shown in messages: a secret never, an IP address by its placeholder (as every output).
  origins[name] = `--set ${name}=${
    spec.secret ? "…" : new AddressNames({ numbered: false }).redactText(text)
  }`;
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
    if (spec.type === "array" && typeof value === "string") {
      // The text of an array input reads as `--set` reads it: one code path.
      const parsed = parseInputText(spec, value);
      if ("error" in parsed) {
        issues.add(
          [name],
          `${parsed.error}; write comma-separated items or a YAML list, e.g. ${name}: [a, b]`,
        );
        continue;
      }
      values[name] = parsed.value;
      sources[name] = "config";
      continue;
    }
    const problem = checkInputValue(spec, value);
    if (problem) {
      // An empty entry of a list is pointed at itself, not at the list.
      const empty = Array.isArray(value) ? value.indexOf("") : -1;
      issues.add(
        [name],
        `${problem} (input type: ${describeInputType(spec)})`,
        empty >= 0 ? { position: file.map.locate([name, empty]) } : {},
      );
      continue;
    }
    values[name] = value;
    sources[name] = "config";
    origins[name] = `${configFile}:${file.map.locate([name]).line}`;
  }
  return issues.issues;
}
