/**
 * `ena-check`: reads the ENA driver facts of each target without changing
 * anything (PTP.md section 2) and decides whether a PHC-capable driver must
 * be built: only when the `phc_enable` module parameter is missing.
 * @module
 */
import { defineStep, z } from "../plugins/api.ts";

/** Input of `ena-check` (none). */
export const EnaCheckInput = z.object({}).strict();

/** Output of `ena-check`. */
export const EnaCheckOutput = z.object({
  changed: z.literal(false),
  needs_build: z.boolean(),
  reason: z.string(),
  version: z.string().nullable(),
  version_at_least_2_10: z.boolean().nullable(),
  has_phc_parameter: z.boolean(),
  phc_enable: z.union([z.literal(0), z.literal(1)]).nullable(),
  ptp_clock_config: z.enum(["y", "m", "n", "unknown"]),
  interface: z.string().nullable(),
  pci_slot: z.string().nullable(),
  kernel: z.string().nullable(),
});

export default defineStep({
  type: "ena-check",
  description: "Read the ENA driver facts (version, phc_enable parameter, interface, PCI slot).",
  scope: "target",
  input: EnaCheckInput,
  output: EnaCheckOutput,
  writes: ["facts.ena", "target.warnings", "target.diagnostics"],
  async run(ctx, _input, signal) {
    const { runEnaCheck } = await import("./impl/ena-check.ts");
    return await runEnaCheck(ctx, signal);
  },
});
