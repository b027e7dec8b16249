/**
 * Discovery of the ENA PTP hardware clock (PHC) on a target: the
 * `phc_enable` module parameter, the clocks under `/sys/class/ptp/` picked BY
 * NAME (`ena-ptp-<slot>`, never "the first /dev/ptp*"), the `ethtool -T`
 * index and the `/dev/ptp_ena` udev symlink.
 *
 * Domain source: PTP.md sections 2-4 and 6; amazon-ec2-utils
 * `51-ec2-ena-ptp-device.rules`.
 * @module
 */
import { parseEthtoolTimestamping } from "../parsers/ethtool.ts";
import { findEnaClock, parsePtpClockNames, type PtpClockName } from "../parsers/ptp-devices.ts";
import type { CommandResult, RemoteShell } from "../ssh/types.ts";
import { shQuote } from "../ssh/quote.ts";

/** Path of the ENA module parameter (`1` = on; missing = driver built without PHC). */
export const PHC_ENABLE_PATH = "/sys/module/ena/parameters/phc_enable";
/** Stable device name made by the udev rule. */
export const PTP_ENA_DEVICE = "/dev/ptp_ena";
/** How many `/sys/class/ptp/ptpN` entries the probe looks at (ptp0..ptp7). */
export const MAX_PROBED_CLOCKS = 8;

/**
 * One shell line that prints `/sys/class/ptp/ptpN/clock_name:<name>` for
 * N = 0..count-1 (empty name when the clock does not exist), the shape
 * `parsePtpClockNames` reads. Uses only `echo`, `cat` and `$(...)`, no glob.
 */
export function clockNamesProbeCommand(count = MAX_PROBED_CLOCKS): string {
  const parts: string[] = [];
  for (let n = 0; n < count; n++) {
    const path = `/sys/class/ptp/ptp${n}/clock_name`;
    parts.push(`echo "${path}:$(cat ${path} 2>/dev/null)"`);
  }
  return parts.join("; ");
}

/**
 * Clocks that exist in the output of {@link clockNamesProbeCommand} (empty
 * names dropped), ordered by index.
 */
export function parseClockNamesProbe(stdout: string): PtpClockName[] {
  return parsePtpClockNames(stdout).filter((c) => c.clockName !== "").sort((a, b) =>
    a.index - b.index
  );
}

/**
 * Parses the content of `phc_enable`: `1` -> 1, `0` -> 0 (also `Y`/`N`),
 * anything else or null (file missing) -> null.
 */
export function parsePhcEnable(content: string | null): 0 | 1 | null {
  const value = content?.trim();
  if (value === "1" || value === "Y") return 1;
  if (value === "0" || value === "N") return 0;
  return null;
}

/** What a target's PHC looks like right now, with the raw results as evidence. */
export interface PhcSnapshot {
  /** `phc_enable` parameter: 1, 0, or null when the file is missing. */
  phcEnable: 0 | 1 | null;
  /** `cat /sys/module/ena/parameters/phc_enable`. */
  phcEnableResult: CommandResult;
  /** Every PTP clock found, ordered by index. */
  clocks: PtpClockName[];
  /** The clock-name probe. */
  clocksResult: CommandResult;
  /** The clock whose name starts `ena-ptp-`, or null. */
  enaClock: PtpClockName | null;
  /** `PTP Hardware Clock:` index of `ethtool -T <iface>`; null for `none` or no interface. */
  ethtoolIndex: number | null;
  /** `ethtool -T <iface>`, null when the interface is unknown. */
  ethtoolResult: CommandResult | null;
  /** Base name `/dev/ptp_ena` points to (`ptp0`), or null when missing. */
  symlinkTarget: string | null;
  /** `readlink /dev/ptp_ena`. */
  symlinkResult: CommandResult;
}

/**
 * Reads the PHC state of a target in four commands (parameter, clock names,
 * `ethtool -T <iface>`, `readlink /dev/ptp_ena`). Changes nothing.
 * @param iface primary interface (e.g. `ens5`); null skips `ethtool -T`
 * @throws StepError `connection`/`cancelled` from the shell
 */
export async function readPhcSnapshot(
  shell: RemoteShell,
  iface: string | null,
  signal: AbortSignal,
): Promise<PhcSnapshot> {
  const phcEnableResult = await shell.run(`cat ${PHC_ENABLE_PATH}`, { signal });
  const clocksResult = await shell.run(clockNamesProbeCommand(), { signal });
  const ethtoolResult = iface === null
    ? null
    : await shell.run(`ethtool -T ${shQuote(iface)}`, { signal });
  const symlinkResult = await shell.run(`readlink ${PTP_ENA_DEVICE}`, { signal });
  const clocks = parseClockNamesProbe(clocksResult.stdout);
  const link = symlinkResult.exitCode === 0 ? symlinkResult.stdout.trim() : "";
  return {
    phcEnable: parsePhcEnable(phcEnableResult.exitCode === 0 ? phcEnableResult.stdout : null),
    phcEnableResult,
    clocks,
    clocksResult,
    enaClock: findEnaClock(clocks),
    ethtoolIndex: ethtoolResult && ethtoolResult.exitCode === 0
      ? parseEthtoolTimestamping(ethtoolResult.stdout).phcIndex
      : null,
    ethtoolResult,
    symlinkTarget: link === "" ? null : link.slice(link.lastIndexOf("/") + 1),
    symlinkResult,
  };
}
