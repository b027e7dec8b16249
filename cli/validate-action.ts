/**
 * Implementation of `ptp-runner validate` (loaded lazily).
 * @module
 */
import { loadPipeline } from "../runner/pipeline/load.ts";
import { builtinRegistry } from "./builtin-registry.ts";

/**
 * Validates a pipeline file and, when `set` or `config` is given, its input values.
 * @param file pipeline path as typed (used in messages)
 * @param options `--set` assignments and `--config` file
 * @returns the one-line "ok" summary
 * @throws ValidationError listing every problem
 */
export async function validatePipelineFile(
  file: string,
  options: { set?: string[]; config?: string } = {},
): Promise<string> {
  const pipeline = await loadPipeline(file, builtinRegistry());
  const checkInputs = (options.set?.length ?? 0) > 0 || options.config !== undefined;
  if (checkInputs) {
    // Only with --set/--config: loaded on demand to keep the plain check's start-up lean.
    const { collectInputs } = await import("../runner/inputs.ts");
    const { checkInputBoundWith } = await import("../runner/pipeline/input-bound-with.ts");
    const collected = collectInputs(pipeline, { set: options.set, configFile: options.config });
    const { checkStepsBeforeRun } = await import("../runner/pipeline/steps-before-run.ts");
    const { checkBeforeRun } = await import("../runner/pipeline/rollout.ts");
    // Every problem at once: the inputs' own, then those of values computed from them.
    checkBeforeRun(pipeline, collected.inputs, [
      checkInputBoundWith,
      (p, i, unusable) => checkStepsBeforeRun(p, i, undefined, unusable),
    ], collected);
  }
  const inputs = Object.keys(pipeline.inputs).length;
  const plugins = pipeline.plugins.length;
  return `ok: ${file}: pipeline "${pipeline.name}" is valid (${pipeline.steps.length} step${
    pipeline.steps.length === 1 ? "" : "s"
  }, ${inputs} input${inputs === 1 ? "" : "s"}` +
    (plugins ? `, ${plugins} team plugin${plugins === 1 ? "" : "s"}` : "") +
    (checkInputs ? "; input values ok" : "") + ")";
}
