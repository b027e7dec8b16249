/**
 * `configure-chrony`: adds `refclock PHC /dev/ptp_ena poll 0 delay 0.000010
 * prefer` to chrony, only once the ENA clock is verified; as a managed
 * drop-in when chrony.conf includes /etc/chrony.d, else one marked line.
 * Backs up, validates with `chronyd -p`, restarts chronyd, and rolls back on
 * any failure or abort (PTP.md section 5).
 * @module
 */
import { defineStep, z } from "../plugins/api.ts";
import { durationSeconds } from "../plugins/ptp/duration-input.ts";

/** Input of `configure-chrony`. */
export const ConfigureChronyInput = z.object({
  settle_seconds: durationSeconds(2).describe(
    "Wait after restarting chronyd before checking it stayed active.",
  ),
}).strict();

/** Output of `configure-chrony`. */
export const ConfigureChronyOutput = z.object({
  changed: z.boolean(),
  file: z.string().nullable(),
  method: z.enum(["drop-in", "line"]).nullable(),
  rolled_back: z.boolean(),
  backup: z.string().nullable(),
  skipped_reason: z.string().optional(),
});

export default defineStep({
  type: "configure-chrony",
  description: "Make chrony use the ENA PHC (/dev/ptp_ena) with backup, validation and rollback.",
  scope: "target",
  input: ConfigureChronyInput,
  output: ConfigureChronyOutput,
  reads: ["facts.phc.state"],
  writes: ["facts.chrony", "target.diagnostics", "target.warnings"],
  async run(ctx, input, signal) {
    const { runConfigureChrony } = await import("../plugins/ptp/run-configure-chrony.ts");
    return await runConfigureChrony(ctx, input, signal);
  },
});
