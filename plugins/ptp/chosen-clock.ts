/**
 * Finding the clock a {@link ClockChoice} names on a target, and the stable
 * device path chrony reads it through: `/dev/ptp_ena` for the ENA clock (the
 * amazon-ec2-utils rule), `/dev/ptp_refclock` for any other choice, made by a
 * udev rule on the clock's exact `clock_name` that ptp-runner owns. Never a
 * bare `/dev/ptpN`: its number can change at boot.
 *
 * Domain source: PTP.md sections 4 and 8; udev(7) (`ATTR{clock_name}`,
 * `SYMLINK+=`).
 * @module
 */
import type { PtpClockName } from "../parsers/ptp-devices.ts";
import type { ClockChoice } from "./clock-choice.ts";
import { clockNameMatches, describeClockChoice } from "./clock-choice.ts";
import type { PhcSnapshot } from "./phc-clock.ts";
import { PTP_ENA_DEVICE } from "./phc-clock.ts";

/** udev symlink name for a clock chosen by `primary-nic` or `clock_name:<glob>`. */
export const REFCLOCK_LINK_NAME = "ptp_refclock";
/** Stable device path for a clock chosen by `primary-nic` or `clock_name:<glob>`. */
export const REFCLOCK_DEVICE = `/dev/${REFCLOCK_LINK_NAME}`;
/** The udev rule file ptp-runner owns for {@link REFCLOCK_DEVICE}. */
export const REFCLOCK_UDEV_RULE_PATH = "/etc/udev/rules.d/52-ptp-runner-refclock.rules";

/** The clock a choice found, or why none was found. */
export type ChosenClock =
  | {
    found: true;
    /** The clock (`ptpN`, its `clock_name`). */
    clock: PtpClockName;
    /** Stable path chrony reads (`/dev/ptp_ena` or `/dev/ptp_refclock`). */
    device: string;
  }
  | {
    found: false;
    /**
     * `unsupported`: the host has no such clock (no ENA clock, the primary NIC
     * has no PHC); `misconfigured`: the `clock_name` glob fits no clock, or
     * several.
     */
    verdict: "unsupported" | "misconfigured";
    /** One line naming the input and what the host has. */
    reason: string;
  };

/** `ptp0=ena-ptp-05, ptp1=KVM virtual PTP`, or `no PTP clocks`. */
export function describeClocks(clocks: readonly PtpClockName[]): string {
  return clocks.length === 0
    ? "no PTP clocks"
    : clocks.map((c) => `${c.device}=${c.clockName}`).join(", ");
}

/**
 * The clock `choice` names in `snapshot`.
 * @param iface primary interface (for messages; `ethtool -T` of it is in the snapshot)
 * @param host the target's label or address (for messages)
 */
export function findChosenClock(
  choice: ClockChoice,
  snapshot: PhcSnapshot,
  iface: string | null,
  host: string,
): ChosenClock {
  const have = describeClocks(snapshot.clocks);
  const input = `clock=${describeClockChoice(choice)}`;
  if (choice.kind === "ena") {
    return snapshot.enaClock ? { found: true, clock: snapshot.enaClock, device: PTP_ENA_DEVICE } : {
      found: false,
      verdict: "unsupported",
      reason: `${input}: no ena-ptp-* clock on ${host} (${have})`,
    };
  }
  if (choice.kind === "primary-nic") {
    const index = snapshot.ethtoolIndex;
    const clock = index === null ? undefined : snapshot.clocks.find((c) => c.index === index);
    if (clock) return { found: true, clock, device: REFCLOCK_DEVICE };
    return {
      found: false,
      verdict: "unsupported",
      reason: iface === null
        ? `${input}: ${host} has no IPv4 default route and not a single network interface ` +
          "besides lo, so no primary interface"
        : index === null
        ? `${input}: the primary interface ${iface} of ${host} has no PTP hardware clock ` +
          "(ethtool -T: PTP Hardware Clock: none)"
        : `${input}: ethtool -T ${iface} names ptp${index}, which ${host} does not list (${have})`,
    };
  }
  const matches = snapshot.clocks.filter((c) => clockNameMatches(choice.glob, c.clockName));
  if (matches.length === 1) return { found: true, clock: matches[0], device: REFCLOCK_DEVICE };
  return {
    found: false,
    verdict: "misconfigured",
    reason: matches.length === 0
      ? `${input}: no PTP clock of ${host} has a clock_name matching "${choice.glob}" (${have})`
      : `${input}: ${matches.length} clocks of ${host} match "${choice.glob}" ` +
        `(${describeClocks(matches)}); narrow the glob to one`,
  };
}

/** Content of {@link REFCLOCK_UDEV_RULE_PATH} for the clock named `clockName` (exact). */
export function refclockUdevRule(clockName: string): string {
  // udev's == is a glob: escape its special characters so only this name matches.
  const exact = clockName.replace(/[*?[\]|\\]/g, "\\$&");
  return [
    "# Written by ptp-runner: a stable /dev/ptp_refclock for the PTP hardware clock chrony",
    "# reads, matched by its clock_name (the /dev/ptpN number can change at boot).",
    "# Remove this file (and the PHC refclock ptp-runner added to chrony) to undo.",
    `SUBSYSTEM=="ptp", ATTR{clock_name}=="${exact}", SYMLINK += "${REFCLOCK_LINK_NAME}"`,
    "",
  ].join("\n");
}

/** The shell line that makes udev apply rules to the PTP clocks now. */
export const UDEV_TRIGGER_PTP =
  "sudo -n udevadm control --reload-rules && sudo -n udevadm trigger --subsystem-match=ptp" +
  " && sudo -n udevadm settle";
