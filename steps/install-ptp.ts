/**
 * `install-ptp`: makes sure chrony and ethtool are installed (`rpm -q` first;
 * unchanged when present); linuxptp only with `diagnostics_tools: true` (for
 * `phc_ctl`/`hwstamp_ctl`). Never enables or starts ptp4l/phc2sys: chrony
 * reads the read-only ENA PHC directly (PTP.md section 3).
 * @module
 */
import { defineStep, z } from "../plugins/api.ts";

/** Input of `install-ptp`. */
export const InstallPtpInput = z.object({
  diagnostics_tools: z.boolean().default(false).describe(
    "Also install linuxptp for the diagnostic tools phc_ctl and hwstamp_ctl.",
  ),
}).strict();

/** Output of `install-ptp`. */
export const InstallPtpOutput = z.object({
  changed: z.boolean(),
  installed: z.array(z.string()),
});

export default defineStep({
  type: "install-ptp",
  description: "Ensure chrony and ethtool (and optionally linuxptp tools) are installed.",
  scope: "target",
  input: InstallPtpInput,
  output: InstallPtpOutput,
  writes: ["target.diagnostics"],
  async run(ctx, input, signal) {
    const { runInstallPtp } = await import("../plugins/ptp/run-install-ptp.ts");
    return await runInstallPtp(ctx, input, signal);
  },
});
