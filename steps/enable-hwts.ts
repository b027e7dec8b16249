/**
 * `enable-hwts`: turns the ENA PTP hardware clock (PHC) on. Persists
 * `options ena phc_enable=1` in modprobe.d, applies it by a driver reload
 * detached from the SSH session (or a reboot), reconnects, finds the clock by
 * name (`ena-ptp-*`), checks `ethtool -T`, and makes `/dev/ptp_ena` exist via
 * the udev rule. Hardware without a PHC gives the verdict `unsupported`, not
 * an error (PTP.md sections 3-4).
 * @module
 */
import { defineStep, z } from "../plugins/api.ts";
import { durationSeconds } from "../plugins/ptp/duration-input.ts";

/** Input of `enable-hwts`. */
export const EnableHwtsInput = z.object({
  apply: z.enum(["reload", "reboot"]).default("reload").describe(
    "Apply phc_enable=1 by a detached driver reload (drops SSH) or a reboot.",
  ),
  hw_rx_timestamping: z.boolean().default(false).describe(
    "Also switch on per-packet hardware RX timestamping (hwstamp_ctl; disrupts networking briefly).",
  ),
  settle_timeout: durationSeconds(60).describe(
    "How long to wait for the ENA clock after the reload or reboot.",
  ),
  poll_interval: durationSeconds(2).describe("Time between reads while waiting."),
  reconnect_delay: durationSeconds(3).describe(
    "Wait after launching the detached reload/reboot before reconnecting.",
  ),
}).strict();

/** Output of `enable-hwts`. */
export const EnableHwtsOutput = z.object({
  changed: z.boolean(),
  state: z.enum(["enabled", "unsupported"]),
  device: z.string().nullable(),
  clock_name: z.string().nullable(),
  index: z.number().int().nullable(),
});

export default defineStep({
  type: "enable-hwts",
  description: "Turn the ENA PHC on (phc_enable=1, detached reload or reboot, /dev/ptp_ena).",
  scope: "target",
  input: EnableHwtsInput,
  output: EnableHwtsOutput,
  reads: ["facts.ena.interface", "facts.ena.pciSlot", "facts.ena.ptpClockConfig"],
  writes: ["facts.phc", "target.verdict", "target.diagnostics", "target.warnings"],
  async run(ctx, input, signal) {
    const { runEnableHwts } = await import("../plugins/ptp/run-enable-hwts.ts");
    return await runEnableHwts(ctx, input, signal);
  },
});
