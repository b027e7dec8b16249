/**
 * `detect-arch`: reads the host's machine architecture (`uname -m`) and
 * compares it with the architecture the instance type was launched for.
 * @module
 */
import { defineStep, z } from "../plugins/api.ts";

/** Input of `detect-arch` (none). */
export const DetectArchInput = z.object({}).strict();

/** Output of `detect-arch`. */
export const DetectArchOutput = z.object({
  changed: z.literal(false),
  machine: z.enum(["x86_64", "aarch64", "unknown"]),
  expected: z.string().nullable(),
  mismatch: z.boolean(),
});

export default defineStep({
  type: "detect-arch",
  description: "Read the host architecture (uname -m) and check it matches the instance type.",
  scope: "target",
  input: DetectArchInput,
  output: DetectArchOutput,
  reads: ["target.expectedArchitecture"],
  writes: ["facts.arch", "target.warnings"],
  async run(ctx, _input, signal) {
    const { runDetectArch } = await import("./impl/detect-arch.ts");
    return await runDetectArch(ctx, signal);
  },
});
