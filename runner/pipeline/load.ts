/**
 * Loads and validates a pipeline file into the {@link Pipeline} model.
 * Every problem is collected and reported at once, each located
 * `file:line:col` with its key path; nothing runs on an invalid pipeline.
 * @module
 */
import { absolutePath } from "./file-path.ts";
import { ValidationError } from "../errors.ts";
import { parseDuration } from "../durations.ts";
import { checkInputValue } from "../input-values.ts";
import { PluginLoadError, type StepRegistry } from "../registry.ts";
import type { InputSpec, Pipeline, StepSpec } from "./model.ts";
import { expressionProblems, type ReferenceScope, type StepRef } from "./references.ts";
import { resolveRetryPolicy } from "./retry.ts";
import { readRollout } from "./rollout.ts";
import {
  DEFAULT_CONCURRENCY,
  inputSpecSchema,
  NAME_PATTERN,
  type PipelineDocument,
  pipelineSchema,
} from "./schema.ts";
import type { PathSegment } from "./source-map.ts";
import { alwaysTrueCondition } from "./condition-always-true.ts";
import { withProblems } from "./with-check.ts";
import { IssueCollector, parseYamlText, readSourceFile, type YamlSource } from "./yaml-source.ts";
import { zodIssues } from "./zod-issues.ts";
import { isMapping } from "../mapping.ts";

/** Options of {@link loadPipeline}. */
export interface LoadPipelineOptions {
  /** File name shown in messages; defaults to `path` as given. */
  displayPath?: string;
}

/**
 * Reads, parses and validates a pipeline.
 *
 * Checks: YAML syntax (duplicate keys, tabs, indentation), empty or missing
 * file, the format's keys and types (unknown keys are errors), durations,
 * retry policies, input declarations and their defaults/enums, team plugin
 * modules under `plugins:` (paths relative to the pipeline file), step types
 * (with a "did you mean"), unique step ids (default id = `uses`), `with:`
 * against the plugin's input schema, and every expression's syntax and
 * references (inputs, earlier steps and their outputs, `target`, `run`).
 *
 * Team plugins are registered on a copy of `registry`; the caller's registry
 * is not changed.
 *
 * @param path pipeline file path (relative to the current directory or absolute)
 * @param registry step types available (built-ins)
 * @param options message options
 * @returns the validated pipeline (durations in seconds, retry policies merged)
 * @throws ValidationError listing every problem (`file:line:col: key: message`)
 */
export async function loadPipeline(
  path: string,
  registry: StepRegistry,
  options: LoadPipelineOptions = {},
): Promise<Pipeline> {
  const file = await absolutePath(Deno.cwd(), path);
  const source = options.displayPath ?? path;
  const text = await readSourceFile(file, source, "pipeline file");
  const emptyMessage = "pipeline file is empty; expected a mapping with at least name: and steps:";
  if (text.trim() === "") {
    throw new ValidationError([{ source, line: 1, col: 1, message: emptyMessage }]);
  }
  const yaml = parseYamlText(text, source);
  if (yaml.value === null || yaml.value === undefined) {
    throw new ValidationError([{ source, line: 1, col: 1, message: emptyMessage }]);
  }
  const issues = new IssueCollector(yaml);
  if (!isMapping(yaml.value)) {
    issues.add(
      [],
      `expected a mapping at the top level (name:, steps:, ...), got ${
        Array.isArray(yaml.value) ? "a list" : JSON.stringify(yaml.value)
      }`,
    );
    issues.throwIfAny();
  }
  const raw = yaml.value as Record<string, unknown>;

  const shape = zodIssues(pipelineSchema, raw);
  for (const issue of shape.issues) issues.add(issue.path, issue.message, issue);

  const scoped = registry.clone();
  const plugins = await loadTeamPlugins(raw.plugins, file, scoped, issues);
  const inputs = checkInputs(raw.inputs, issues);
  // Names of every declared input (even a malformed one exists for references);
  // undefined when `inputs:` is not a mapping, so references to it are not checked.
  const inputNames = raw.inputs === undefined
    ? new Set<string>()
    : isMapping(raw.inputs)
    ? new Set(Object.keys(raw.inputs))
    : undefined;
  // Team step types are listed only with the pipeline's plugins loaded.
  const listHint = Array.isArray(raw.plugins) && raw.plugins.length > 0
    ? `ptp-runner steps --pipeline ${source}`
    : "ptp-runner steps";
  checkSteps(raw.steps, scoped, inputNames, yaml, issues, listHint);
  const rollout = readRollout(raw.rollout, yaml, inputNames, issues);
  issues.throwIfAny();

  const data = shape.data as PipelineDocument;
  return {
    file,
    name: data.name,
    description: data.description,
    inputs,
    concurrency: data.concurrency ?? DEFAULT_CONCURRENCY,
    ...(rollout ? { rollout } : {}),
    steps: data.steps.map((step, index): StepSpec => {
      const timeout = step.timeout ?? data.defaults?.timeout;
      return {
        id: step.id ?? step.uses,
        uses: step.uses,
        name: step.name,
        with: step.with ?? {},
        if: typeof step.if === "boolean" ? String(step.if) : step.if,
        always: step.always ?? false,
        continueOnError: step.continue_on_error ?? false,
        timeoutSeconds: timeout === undefined ? undefined : parseDuration(timeout),
        retry: resolveRetryPolicy(data.defaults?.retry, step.retry),
        plugin: scoped.get(step.uses)!,
        line: yaml.map.locate(["steps", index]).line,
        withPositions: Object.fromEntries(
          Object.keys(step.with ?? {}).map((key) => [
            key,
            yaml.map.locate(["steps", index, "with", key], { atKey: true }),
          ]),
        ),
      };
    }),
    plugins,
  };
}

/**
 * The step types a pipeline can use: `registry` (copied) plus the team
 * plugins its `plugins:` lists, without checking the rest of the file (so a
 * pipeline with an unknown step type, the reason to list step types, still
 * loads). For `ptp-runner steps --pipeline FILE`.
 * @param path pipeline file path (relative to the current directory or absolute)
 * @param registry built-in step types (not changed)
 * @throws ValidationError when the file cannot be read or parsed, or a plugin
 *   module does not load (`file:line:col: plugins[i]: message`)
 */
export async function loadPipelineStepTypes(
  path: string,
  registry: StepRegistry,
): Promise<StepRegistry> {
  const file = await absolutePath(Deno.cwd(), path);
  const yaml = parseYamlText(await readSourceFile(file, path, "pipeline file"), path);
  const issues = new IssueCollector(yaml);
  const scoped = registry.clone();
  const raw = isMapping(yaml.value) ? yaml.value : {};
  await loadTeamPlugins(raw.plugins, file, scoped, issues);
  issues.throwIfAny();
  return scoped;
}

/**
 * Imports the modules under `plugins:` (paths relative to the directory of
 * `pipelineFile`); returns their `file:` URLs.
 */
async function loadTeamPlugins(
  list: unknown,
  pipelineFile: string,
  registry: StepRegistry,
  issues: IssueCollector,
): Promise<string[]> {
  if (!Array.isArray(list) || list.length === 0) return [];
  // Loaded here, not at start-up (see file-path.ts): only pipelines with team plugins need them.
  const { dirname, resolve } = await import("node:path");
  const { pathToFileURL } = await import("node:url");
  const baseDir = dirname(pipelineFile);
  const urls: string[] = [];
  for (const [index, entry] of list.entries()) {
    if (typeof entry !== "string" || entry === "") continue;
    const abs = resolve(baseDir, entry);
    try {
      await registry.loadPluginModule(abs);
      urls.push(pathToFileURL(abs).href);
    } catch (error) {
      if (!(error instanceof PluginLoadError)) throw error;
      issues.add(["plugins", index], error.message);
    }
  }
  return urls;
}

/** Checks input declarations beyond their shape; returns the well-formed ones. */
function checkInputs(raw: unknown, issues: IssueCollector): Record<string, InputSpec> {
  if (!isMapping(raw)) return {};
  const specs: Record<string, InputSpec> = {};
  for (const [name, value] of Object.entries(raw)) {
    const parsed = inputSpecSchema.safeParse(value);
    if (!parsed.success || !NAME_PATTERN.test(name)) continue;
    const spec: InputSpec = {
      type: parsed.data.type,
      items: parsed.data.items,
      default: parsed.data.default,
      required: parsed.data.required ?? false,
      secret: parsed.data.secret ?? false,
      description: parsed.data.description,
      enum: parsed.data.enum,
    };
    if (spec.items && spec.type !== "array") {
      issues.add(
        ["inputs", name, "items"],
        `"items" is only allowed with type: array (this input is ${spec.type})`,
      );
    }
    const elementSpec = spec.type === "array"
      ? { type: spec.items ?? "string" as const }
      : { type: spec.type };
    spec.enum?.forEach((allowed, index) => {
      const problem = spec.type === "array" && !spec.items
        ? undefined
        : checkInputValue(elementSpec, allowed);
      if (problem) issues.add(["inputs", name, "enum", index], `enum value: ${problem}`);
    });
    if (spec.default !== undefined) {
      const problem = checkInputValue(spec, spec.default);
      if (problem) issues.add(["inputs", name, "default"], `default does not fit: ${problem}`);
    }
    specs[name] = spec;
  }
  return specs;
}

/**
 * Checks step types, ids, `with:` and expressions of every step.
 * @param listHint the command that lists the step types (`ptp-runner steps`,
 *   with `--pipeline FILE` when the pipeline has team plugins)
 */
function checkSteps(
  raw: unknown,
  registry: StepRegistry,
  inputNames: ReadonlySet<string> | undefined,
  yaml: YamlSource,
  issues: IssueCollector,
  listHint: string,
): void {
  if (!Array.isArray(raw)) return;
  const refs: StepRef[] = [];
  const firstIndex = new Map<string, number>();
  const entries = raw.map((step, index) => ({ step, index }));
  for (const { step, index } of entries) {
    if (!isMapping(step)) continue;
    const uses = typeof step.uses === "string" && step.uses !== "" ? step.uses : undefined;
    const plugin = uses ? registry.get(uses) : undefined;
    if (uses && !plugin) {
      const suggestion = registry.nearest(uses);
      const known = registry.types();
      issues.add(
        ["steps", index, "uses"],
        `unknown step type "${uses}"` +
          (suggestion ? ` (did you mean "${suggestion}"?)` : "") +
          (known.length ? `; step types: ${known.join(", ")}` : "; no step types are registered") +
          `; run "${listHint}" to list them`,
      );
    }
    const explicitId = typeof step.id === "string" ? step.id : undefined;
    const id = explicitId ?? uses;
    if (id === undefined) continue;
    const earlier = firstIndex.get(id);
    if (earlier !== undefined) {
      const line = yaml.map.locate(["steps", earlier]).line;
      issues.add(
        ["steps", index, explicitId ? "id" : "uses"],
        `duplicate step id "${id}" (already used by steps[${earlier}] at line ${line}); ` +
          (explicitId
            ? "step ids must be unique"
            : `the id defaults to "uses"; add "id:" to tell the steps apart`),
      );
      continue;
    }
    firstIndex.set(id, index);
    refs.push({ id, index, scope: plugin?.scope, plugin });
  }

  for (const { step, index } of entries) {
    if (!isMapping(step)) continue;
    const uses = typeof step.uses === "string" ? step.uses : undefined;
    const plugin = uses ? registry.get(uses) : undefined;
    const current = refs.find((r) => r.index === index) ??
      { id: String(step.id ?? uses ?? `#${index}`), index, scope: plugin?.scope, plugin };
    const scope: ReferenceScope = { inputs: inputNames, steps: refs, current };
    const withValue = step.with ?? {};
    if (plugin && isMapping(withValue)) {
      for (const problem of withProblems(plugin, withValue)) {
        issues.add(["steps", index, "with", ...problem.path], problem.message, problem);
      }
    }
    forEachString(withValue, ["steps", index, "with"], (text, path) => {
      if (!text.includes("${{")) return;
      for (const problem of expressionProblems(text, false, scope)) {
        issues.add(path, problem.message, {
          position: yaml.map.locateInString(path, problem.column),
        });
      }
    });
    if (typeof step.if === "string") {
      const path = ["steps", index, "if"];
      for (const problem of expressionProblems(step.if, true, scope)) {
        issues.add(path, problem.message, {
          position: yaml.map.locateInString(path, problem.column),
        });
      }
      const alwaysTrue = alwaysTrueCondition(step.if);
      if (alwaysTrue) issues.add(path, alwaysTrue);
    }
  }
}

/** Calls `visit` for every string inside `value` with its key path. */
function forEachString(
  value: unknown,
  path: PathSegment[],
  visit: (text: string, path: PathSegment[]) => void,
): void {
  if (typeof value === "string") visit(value, path);
  else if (Array.isArray(value)) {
    value.forEach((item, i) => forEachString(item, [...path, i], visit));
  } else if (isMapping(value)) {
    for (const [key, item] of Object.entries(value)) forEachString(item, [...path, key], visit);
  }
}
