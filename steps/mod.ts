/**
 * The built-in step plugins, imported statically so `deno compile` embeds
 * them. Step definition files are light (schemas + metadata); each imports
 * its heavy implementation lazily inside `run`.
 * @module
 */
import type { StepPlugin } from "../runner/types.ts";

/** Every built-in step plugin, in the order `ptp-runner steps` lists them. */
export const builtinSteps: StepPlugin[] = [
  // Add each built-in step here (one line per step).
];
