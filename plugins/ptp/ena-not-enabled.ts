/**
 * Telling "the ENA PHC was never turned on" apart from "this hardware has no
 * PHC" when the chosen clock (`primary-nic`, `clock_name:<glob>`) is the ENA
 * clock but the ENA steps (`ena-check`, `enable-hwts`) did not run: the
 * shipped pipelines run them only with `clock=ena`, so `phc_enable` stays at
 * its default 0 and no `ena-ptp-*` clock appears. That says nothing about the
 * instance type: verify must not call it unsupported.
 *
 * Domain source: PTP.md sections 2-4 (`phc_enable` defaults to 0; the ENA
 * clock is `ena-ptp-<PCI slot, 2 hex digits>`), section 8 (an ENA primary
 * NIC: `DRIVER=ena` in `/sys/class/net/IFACE/device/uevent`).
 * @module
 */
import type { ClockChoice } from "./clock-choice.ts";
import { clockNameMatches, describeClockChoice } from "./clock-choice.ts";
import type { RemoteShell } from "../ssh/types.ts";
import { shQuote } from "../ssh/quote.ts";

/** What verify knows when the chosen clock was not found. */
export interface EnaNotEnabledInput {
  /** The clock choice (`ena` never qualifies: the ENA steps run for it). */
  choice: ClockChoice;
  /** Primary interface, e.g. `ens5`. */
  iface: string | null;
  /** Driver of the primary interface (`DRIVER=` of its uevent); null when unknown. */
  nicDriver: string | null;
  /** PCI slot of the primary interface, e.g. `0000:00:05.0`; null when unknown. */
  pciSlot: string | null;
  /** `phc_enable` as read now: 1, 0, or null when the parameter file is missing. */
  phcEnable: 0 | 1 | null;
  /** True when `enable-hwts` ran on this target (it writes `facts.phc`). */
  enableHwtsRan: boolean;
}

/**
 * The `clock_name` the ENA driver gives its clock on PCI slot `pciSlot`
 * (`0000:00:05.0` -> `ena-ptp-05`).
 * @returns null when the slot is not `domain:bus:device.function`
 */
export function enaClockNameOf(pciSlot: string): string | null {
  const m = /^[0-9a-f]+:[0-9a-f]+:([0-9a-f]{2})\.[0-7]$/i.exec(pciSlot);
  return m ? `ena-ptp-${m[1].toLowerCase()}` : null;
}

/**
 * Why the chosen clock is missing when the cause is that the ENA PHC was not
 * enabled (the primary NIC is ENA, `phc_enable` is not 1, `enable-hwts` did
 * not run, and the choice names the ENA clock: `primary-nic`, or a glob that
 * matches the ENA clock's name); undefined otherwise (the usual verdict applies).
 */
export function enaNotEnabledReason(input: EnaNotEnabledInput): string | undefined {
  const { choice, iface, nicDriver, pciSlot, phcEnable, enableHwtsRan } = input;
  if (choice.kind === "ena" || enableHwtsRan || phcEnable === 1 || nicDriver !== "ena") {
    return undefined;
  }
  if (choice.kind === "clock_name") {
    const name = pciSlot ? enaClockNameOf(pciSlot) : null;
    if (name === null || !clockNameMatches(choice.glob, name)) return undefined;
  }
  const state = phcEnable === 0 ? "phc_enable is 0" : "the ena driver has no phc_enable parameter";
  return `clock=${describeClockChoice(choice)}: the ENA PHC of ${iface ?? "the primary NIC"} ` +
    `was not enabled (${state}): the ENA steps (ena-check, enable-hwts) did not run for this ` +
    "clock choice; use clock=ena to enable and use it";
}

/** Driver and PCI slot of a network interface, from its uevent. */
export interface NicDevice {
  /** `DRIVER=` (`ena`, `igb`, `vif`...); null when missing. */
  driver: string | null;
  /** `PCI_SLOT_NAME=` (`0000:00:05.0`); null when missing. */
  pciSlot: string | null;
}

/**
 * Reads `/sys/class/net/<iface>/device/uevent` (a veth has no `device`: both
 * fields null).
 * @throws StepError `connection`/`cancelled` from the shell
 */
export async function readNicDevice(
  shell: RemoteShell,
  iface: string,
  signal: AbortSignal,
): Promise<NicDevice> {
  const result = await shell.run(`cat /sys/class/net/${shQuote(iface)}/device/uevent`, { signal });
  const text = result.exitCode === 0 ? result.stdout : "";
  return {
    driver: /^DRIVER=(\S+)$/m.exec(text)?.[1] ?? null,
    pciSlot: /^PCI_SLOT_NAME=(\S+)$/m.exec(text)?.[1] ?? null,
  };
}
