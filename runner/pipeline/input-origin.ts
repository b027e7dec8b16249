/**
 * Says, in messages about a value computed from inputs, which input it came
 * from and where that input's value was given.
 * @module
 */
import type { ResolvedInputs } from "./model.ts";

const SOURCE_TEXT: Record<string, string> = {
  flag: "--set",
  config: "--config",
  default: "the default",
  simulator: "the simulator",
};

/**
 * `input "apply" (from --set apply=x)`, `input "clock" (from run.yaml:3)`,
 * `input "observe" (from the default)`.
 * @param inputs resolved inputs (their `origins`, else their `sources`)
 * @param name input name
 */
export function describeInputOrigin(inputs: ResolvedInputs, name: string): string {
  const origin = inputs.origins?.[name] ?? SOURCE_TEXT[inputs.sources[name] ?? "default"];
  return `input "${name}" (from ${origin})`;
}
