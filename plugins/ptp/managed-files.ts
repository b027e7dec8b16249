/**
 * System files ptp-runner owns on a target to turn the ENA PHC on: the
 * modprobe option and the udev rule for `/dev/ptp_ena`. Each starts with a
 * header saying ptp-runner wrote it.
 *
 * Domain source: PTP.md sections 3-4; amazon-ec2-utils
 * `/usr/lib/udev/rules.d/51-ec2-ena-ptp-device.rules` (the same rule).
 * @module
 */

/** Persistent module option file. */
export const MODPROBE_CONF_PATH = "/etc/modprobe.d/ptp-runner-ena.conf";
/** The option that turns the ENA PHC on (default 0). */
export const MODPROBE_OPTION = "options ena phc_enable=1";
/** udev rule file added when `/dev/ptp_ena` is missing while an `ena-ptp-*` clock exists. */
export const UDEV_RULE_PATH = "/etc/udev/rules.d/51-ptp-runner-ena-ptp.rules";
/** The rule amazon-ec2-utils ships (>= 2.2.1). */
export const UDEV_RULE = 'SUBSYSTEM=="ptp", ATTR{clock_name}=="ena-ptp-*", SYMLINK += "ptp_ena"';

/** Content of {@link MODPROBE_CONF_PATH}. */
export function modprobeConfContent(): string {
  return [
    "# Written by ptp-runner: turn on the ENA PTP hardware clock (PHC).",
    "# Remove this file and reload the ena driver (or reboot) to undo.",
    MODPROBE_OPTION,
    "",
  ].join("\n");
}

/** True when modprobe.d text sets `phc_enable=1` for `ena` on an active line. */
export function setsPhcEnable(text: string | null): boolean {
  if (!text) return false;
  return text.split(/\r?\n/).some((line) =>
    /^\s*options\s+ena\s+(.*\s)?phc_enable=1(\s|$)/.test(line)
  );
}

/** Content of {@link UDEV_RULE_PATH}. */
export function udevRuleContent(): string {
  return [
    "# Written by ptp-runner: stable /dev/ptp_ena for the ENA PTP hardware clock,",
    "# the same rule amazon-ec2-utils ships as 51-ec2-ena-ptp-device.rules.",
    UDEV_RULE,
    "",
  ].join("\n");
}

/**
 * Parses `hw_packet_timestamping_state` (ENA >= 2.15): `RX configuration: N`
 * lines, or a bare `1`/`0`/`enabled`/`disabled`.
 * @returns true when RX hardware timestamping is on, false when off, null when unreadable
 */
export function hwRxTimestampingOn(content: string | null): boolean | null {
  if (content === null) return null;
  const rx = /RX configuration\s*:\s*(\d+)/i.exec(content);
  if (rx) return rx[1] !== "0";
  const word = content.trim().toLowerCase();
  if (word === "1" || word === "enabled" || word === "on") return true;
  if (word === "0" || word === "disabled" || word === "off") return false;
  return null;
}
