/**
 * The step plugin registry: built-in step types (given by the caller, e.g.
 * `builtinSteps` from `steps/mod.ts`) plus team plugins loaded from local
 * modules listed under a pipeline's `plugins:`.
 *
 * The runner does not import `steps/`; `cli/builtin-registry.ts` builds the
 * registry with the built-ins.
 * @module
 */
import { editDistance } from "./edit-distance.ts";
import type { StepPlugin } from "./types.ts";

/** Where a registered step type comes from: `builtin` or the plugin module's `file:` URL. */
export type PluginOrigin = "builtin" | `file:${string}`;

/** A plugin module that cannot be used; the message names the file and what is wrong. */
export class PluginLoadError extends Error {
  /** Absolute path or URL of the module. */
  readonly file: string;
  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PluginLoadError";
    this.file = file;
  }
}

/** Step type names: lower-case words joined by dashes (`ena-check`). */
const STEP_TYPE = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/** True for a zod v4 schema (duck-typed so a plugin's own zod copy also passes). */
function isZodSchema(value: unknown): boolean {
  return typeof value === "object" && value !== null && "_zod" in value &&
    typeof (value as { safeParse?: unknown }).safeParse === "function";
}

/**
 * Lists what makes `candidate` an invalid {@link StepPlugin}: a `type`
 * (lower-case, dash-separated), a non-empty `description`, a `scope` of
 * `pipeline` or `target`, zod schemas `input` and `output`, and a `run`
 * function.
 * @returns human-readable problems; empty when valid
 */
export function pluginProblems(candidate: unknown): string[] {
  if (typeof candidate !== "object" || candidate === null) {
    return ["the export is not an object; export defineStep({...}) from plugins/api.ts"];
  }
  const p = candidate as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof p.type !== "string" || !STEP_TYPE.test(p.type)) {
    problems.push(
      `"type" must be a lower-case, dash-separated name such as "my-check" (got ${
        JSON.stringify(p.type) ?? "nothing"
      })`,
    );
  }
  if (typeof p.description !== "string" || p.description.trim() === "") {
    problems.push(`"description" must be a non-empty one-line string`);
  }
  if (p.scope !== "pipeline" && p.scope !== "target") {
    problems.push(
      `"scope" must be "pipeline" or "target" (got ${JSON.stringify(p.scope) ?? "nothing"})`,
    );
  }
  if (!isZodSchema(p.input)) problems.push(`"input" must be a zod schema (z.object({...}))`);
  if (!isZodSchema(p.output)) problems.push(`"output" must be a zod schema (z.object({...}))`);
  if (typeof p.run !== "function") problems.push(`"run" must be a function (ctx, input, signal)`);
  return problems;
}

/**
 * Returns the candidate closest to `name` by edit distance (ties: first in
 * order), or undefined when none is close (distance > max(2, length/3)).
 * A candidate containing `name` (or contained in it) also counts as close.
 */
export function nearestName(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    let distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (candidate.includes(name) || name.includes(candidate)) distance = Math.min(distance, 2);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/** The step types a pipeline can use. */
export class StepRegistry {
  #plugins = new Map<string, { plugin: StepPlugin; origin: PluginOrigin }>();

  /**
   * @param builtins built-in plugins (e.g. `builtinSteps`), checked with {@link pluginProblems}
   * @throws Error when a built-in is invalid or two share a type (a programming error)
   */
  constructor(builtins: readonly StepPlugin[] = []) {
    for (const plugin of builtins) this.register(plugin, "builtin");
  }

  /**
   * Adds a plugin. Registering the same module's plugin again is a no-op.
   * @throws PluginLoadError (team plugin) or Error (built-in) when the plugin is
   *   invalid, or its type is already taken (a team plugin may not shadow a built-in)
   */
  register(plugin: StepPlugin, origin: PluginOrigin): void {
    const where = origin === "builtin" ? "built-in step" : origin;
    const problems = pluginProblems(plugin);
    if (problems.length > 0) {
      const message = `invalid step plugin in ${where}: ${problems.join("; ")}`;
      throw origin === "builtin" ? new Error(message) : new PluginLoadError(origin, message);
    }
    const existing = this.#plugins.get(plugin.type);
    if (existing) {
      if (existing.origin === origin && origin !== "builtin") return;
      const taken = existing.origin === "builtin"
        ? "a built-in step type"
        : `already defined by ${existing.origin}`;
      const message = `step type "${plugin.type}" from ${where} is ${taken}; ` +
        `rename the plugin's type`;
      throw origin === "builtin" ? new Error(message) : new PluginLoadError(origin, message);
    }
    this.#plugins.set(plugin.type, { plugin, origin });
  }

  /** The plugin of `type`, or undefined. */
  get(type: string): StepPlugin | undefined {
    return this.#plugins.get(type)?.plugin;
  }

  /** Whether `type` is registered. */
  has(type: string): boolean {
    return this.#plugins.has(type);
  }

  /** `builtin`, the team plugin's `file:` URL, or undefined when unknown. */
  originOf(type: string): PluginOrigin | undefined {
    return this.#plugins.get(type)?.origin;
  }

  /** Every plugin, built-ins first in their given order, then team plugins as loaded. */
  list(): StepPlugin[] {
    return [...this.#plugins.values()].map((entry) => entry.plugin);
  }

  /** Every registered type name. */
  types(): string[] {
    return [...this.#plugins.keys()];
  }

  /** The registered type closest to `type` (for "did you mean ...?"), or undefined. */
  nearest(type: string): string | undefined {
    return nearestName(type, this.#plugins.keys());
  }

  /** A copy to which a pipeline's team plugins can be added without changing this one. */
  clone(): StepRegistry {
    const copy = new StepRegistry();
    for (const [type, entry] of this.#plugins) copy.#plugins.set(type, { ...entry });
    return copy;
  }

  /**
   * Imports a team plugin module by absolute `file:` URL, checks its default
   * export (or named export `plugin`) is a valid {@link StepPlugin}, and
   * registers it.
   * @param absPath absolute file path (or `file:` URL) of the module
   * @returns the registered plugin
   * @throws PluginLoadError naming the file when it is not absolute, cannot be
   *   imported, exports no plugin, the plugin is invalid, or its type is taken
   */
  async loadPluginModule(absPath: string): Promise<StepPlugin> {
    // node:path and node:url only here: loading them costs start-up (see pipeline/file-path.ts).
    const { isAbsolute } = await import("node:path");
    const { pathToFileURL } = await import("node:url");
    let url: string;
    if (absPath.startsWith("file:")) url = absPath;
    else if (isAbsolute(absPath)) url = pathToFileURL(absPath).href;
    else {
      throw new PluginLoadError(
        absPath,
        `plugin path must be absolute (got "${absPath}"); resolve it against the pipeline file`,
      );
    }
    let module: Record<string, unknown>;
    try {
      module = await import(url);
    } catch (error) {
      const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
      throw new PluginLoadError(url, `cannot import plugin module ${url}: ${reason}`, {
        cause: error,
      });
    }
    const candidate = module.default ?? module.plugin;
    if (candidate === undefined) {
      throw new PluginLoadError(
        url,
        `plugin module ${url} has no default export (or export named "plugin"); ` +
          `add: export default defineStep({...})`,
      );
    }
    const problems = pluginProblems(candidate);
    if (problems.length > 0) {
      throw new PluginLoadError(url, `plugin module ${url} is invalid: ${problems.join("; ")}`);
    }
    const plugin = candidate as StepPlugin;
    this.register(plugin, url as PluginOrigin);
    return plugin;
  }
}
