/**
 * `verify`: proves chrony uses the ENA PHC, layer by layer (driver, udev,
 * chrony, service; PTP.md section 6), polling chrony up to `timeout`. Gives a
 * verdict (`functional`, `unsupported`, `misconfigured` with the failing
 * layer, never thrown) and the clock quality with its error bound.
 * @module
 */
import { defineStep, z } from "../plugins/api.ts";
import { durationSeconds } from "../plugins/ptp/duration-input.ts";

/** Input of `verify`. */
export const VerifyInput = z.object({
  timeout: durationSeconds(60).describe(
    "How long to poll chrony for #* PHC0 with reach 377.",
  ),
  interval: durationSeconds(2).describe("Time between polls."),
}).strict();

/** Clock quality (ClockQuality in plugins/ptp-facts.ts). */
export const ClockQualityOutput = z.object({
  systemTimeOffsetSeconds: z.number(),
  systemTimeDirection: z.enum(["fast", "slow"]),
  rmsOffsetSeconds: z.number(),
  frequencyPpm: z.number(),
  skewPpm: z.number(),
  rootDelaySeconds: z.number(),
  rootDispersionSeconds: z.number(),
  phcErrorBoundNs: z.number().nullable(),
  clockErrorBoundNs: z.number(),
  referenceName: z.string(),
  stratum: z.number(),
});

/** Output of `verify`. */
export const VerifyOutput = z.object({
  changed: z.literal(false),
  verdict: z.enum(["functional", "unsupported", "misconfigured"]),
  failed_layer: z.string().nullable(),
  device: z.string().nullable(),
  clock_name: z.string().nullable(),
  phc_index: z.number().int().nullable(),
  interface: z.string().nullable(),
  driver_version: z.string().nullable(),
  architecture: z.string().nullable(),
  quality: ClockQualityOutput.nullable(),
});

export default defineStep({
  type: "verify",
  description: "Check driver, udev, chrony and chronyd use the ENA PHC; verdict and clock quality.",
  scope: "target",
  input: VerifyInput,
  output: VerifyOutput,
  reads: ["facts.ena", "facts.arch", "facts.phc", "facts.chrony.nRestarts", "facts.phcSupport"],
  writes: ["facts.verify", "target.verdict", "target.verdictReason", "target.diagnostics"],
  async run(ctx, input, signal) {
    const { runVerify } = await import("../plugins/ptp/run-verify.ts");
    return await runVerify(ctx, input, signal);
  },
});
