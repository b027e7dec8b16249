/**
 * The registry of built-in step types (`steps/mod.ts`). Imported lazily by
 * commands so `--help` does not load every step definition.
 * @module
 */
import { StepRegistry } from "../runner/registry.ts";
import { builtinSteps } from "../steps/mod.ts";

/**
 * A new registry holding every built-in step type. Pass it to
 * `loadPipeline`, which adds the pipeline's team plugins to a copy.
 * @throws Error when a built-in step is invalid or two share a type (a bug)
 */
export function builtinRegistry(): StepRegistry {
  return new StepRegistry(builtinSteps);
}
