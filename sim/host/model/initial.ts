/**
 * The state of a freshly launched AL2023 instance, before its first boot:
 * the files an AMI ships (`/etc/os-release`, AL2023's default `/etc/chrony.conf`,
 * the udev rule of amazon-ec2-utils, `/boot/config-<kernel>`, the bundled
 * `ena.ko`) and installed packages.
 *
 * Domain source: PTP.md sections 2, 4, 5 (udev rule text, Amazon Time Sync
 * server line, `confdir`), AL2023's `/etc/chrony.conf` and `/etc/os-release`.
 * @module
 */
import type { InstanceProfile } from "../../profile.ts";
import { encodeEnaModule } from "./ena-module.ts";
import { preinstalled } from "./packages.ts";
import type { FsNode, HostState } from "./state.ts";

/** uid of `ec2-user`. */
export const EC2_USER_UID = 1000;

/** The udev rule amazon-ec2-utils ships (PTP.md section 4). */
export const ENA_PTP_UDEV_RULE =
  'SUBSYSTEM=="ptp", ATTR{clock_name}=="ena-ptp-*", SYMLINK += "ptp_ena"';

/** Path of the bundled driver for a kernel release. */
export function bundledEnaPath(kernel: string): string {
  return `/lib/modules/${kernel}/kernel/drivers/amazon/net/ena/ena.ko`;
}

/** AL2023's default `/etc/chrony.conf`; without the `confdir` line when `confdir` is false. */
export function defaultChronyConf(confdir: boolean): string {
  return [
    "# Use public servers from the pool.ntp.org project.",
    "# Please consider joining the pool (https://www.pool.ntp.org/join.html).",
    "# pool 2.amazon.pool.ntp.org iburst",
    "",
    "# Use NTP servers from DHCP.",
    "sourcedir /run/chrony-dhcp",
    "",
    "# !!! [BEGIN] AMAZON TIME SYNC SERVICE !!!",
    "# Amazon Time Sync Service",
    "server 169.254.169.123 prefer iburst minpoll 4 maxpoll 4",
    "# !!! [END] AMAZON TIME SYNC SERVICE !!!",
    "",
    "# Record the rate at which the system clock gains/losses time.",
    "driftfile /var/lib/chrony/drift",
    "",
    "# Allow the system clock to be stepped in the first three updates",
    "# if its offset is larger than 1 second.",
    "makestep 1.0 3",
    "",
    "# Enable kernel synchronization of the real-time clock (RTC).",
    "rtcsync",
    "",
    "# Specify file containing keys for NTP authentication.",
    "keyfile /etc/chrony.keys",
    "",
    "# Save NTS keys and cookies.",
    "ntsdumpdir /var/lib/chrony",
    "",
    "# Get TAI-UTC offset and leap seconds from the system tz database.",
    "leapsectz right/UTC",
    "",
    "# Specify directory for log files.",
    "logdir /var/log/chrony",
    "",
    "# save data between restarts for fast re-load",
    "dumpdir /var/run/chrony",
    ...(confdir
      ? ["", "# Include configuration files found in /etc/chrony.d", "confdir /etc/chrony.d"]
      : []),
    "",
  ].join("\n");
}

function osRelease(): string {
  return [
    'NAME="Amazon Linux"',
    'VERSION="2023"',
    'ID="amzn"',
    'ID_LIKE="fedora"',
    'VERSION_ID="2023"',
    'PLATFORM_ID="platform:al2023"',
    'PRETTY_NAME="Amazon Linux 2023.9.20251110"',
    'ANSI_COLOR="0;33"',
    'CPE_NAME="cpe:2.3:o:amazon:amazon_linux:2023"',
    'HOME_URL="https://aws.amazon.com/linux/amazon-linux-2023/"',
    'DOCUMENTATION_URL="https://docs.aws.amazon.com/linux/"',
    'SUPPORT_URL="https://aws.amazon.com/premiumsupport/"',
    'BUG_REPORT_URL="https://github.com/amazonlinux/amazon-linux-2023"',
    'VENDOR_NAME="AWS"',
    'VENDOR_URL="https://aws.amazon.com/"',
    'SUPPORT_END="2029-06-30"',
    "",
  ].join("\n");
}

function kernelConfig(profile: InstanceProfile): string {
  const ptp = profile.ptp_clock_config === "n"
    ? "# CONFIG_PTP_1588_CLOCK is not set"
    : `CONFIG_PTP_1588_CLOCK=${profile.ptp_clock_config}`;
  return [
    "#",
    `# Automatically generated file; DO NOT EDIT.`,
    `# Linux/${
      profile.architecture === "arm64" ? "arm64" : "x86"
    } ${profile.kernel} Kernel Configuration`,
    "#",
    "CONFIG_NET=y",
    "CONFIG_PPS=y",
    ptp,
    "CONFIG_PTP_1588_CLOCK_OPTIONAL=y",
    profile.ptp_clock_config === "n" ? "" : "CONFIG_PTP_1588_CLOCK_KVM=m",
    "CONFIG_ENA_ETHERNET=m",
    "",
  ].join("\n");
}

/** Options of {@link initialHostState}. */
export interface InitialHostOptions {
  instanceId: string;
  instanceType: string;
  /** Loopback address the instance listens on; its last two octets make the private IP. */
  address: string;
  profile: InstanceProfile;
  /** Wall-clock milliseconds at simulated second 0. */
  wallEpochMs: number;
}

/** Builds the powered-off state of a fresh instance (boot it with `Machine.boot`). */
export function initialHostState(o: InitialHostOptions): HostState {
  const p = o.profile;
  const octets = o.address.split(".").map(Number);
  const privateIp = `172.31.${octets[2] ?? 0}.${octets[3] ?? 10}`;
  let hash = 0;
  for (const ch of o.instanceId) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  const mac = [
    "0a",
    ...[0, 8, 16, 24, 4].map((s) => ((hash >>> s) & 0xff).toString(16).padStart(2, "0")),
  ]
    .join(":");
  const files: Record<string, FsNode> = {};
  const dir = (path: string, uid = 0, mode = 0o755) => {
    files[path] = { kind: "dir", mode, uid, mtime: 0 };
  };
  const file = (path: string, content: string, uid = 0, mode = 0o644) => {
    files[path] = { kind: "file", content, mode, uid, mtime: 0 };
  };
  for (
    const d of [
      "/",
      "/boot",
      "/dev",
      "/etc",
      "/etc/modprobe.d",
      "/etc/chrony.d",
      "/etc/udev",
      "/etc/udev/rules.d",
      "/home",
      "/lib",
      "/lib/modules",
      `/lib/modules/${p.kernel}`,
      `/lib/modules/${p.kernel}/kernel`,
      `/lib/modules/${p.kernel}/kernel/drivers`,
      `/lib/modules/${p.kernel}/kernel/drivers/amazon`,
      `/lib/modules/${p.kernel}/kernel/drivers/amazon/net`,
      `/lib/modules/${p.kernel}/kernel/drivers/amazon/net/ena`,
      "/proc",
      "/root",
      "/run",
      "/run/chrony-dhcp",
      "/sys",
      "/usr",
      "/usr/lib",
      "/usr/lib/udev",
      "/usr/lib/udev/rules.d",
      "/usr/src",
      "/usr/src/kernels",
      "/var",
      "/var/lib",
      "/var/lib/chrony",
      "/var/log",
    ]
  ) dir(d);
  dir("/tmp", 0, 0o1777);
  dir("/var/tmp", 0, 0o1777);
  dir("/home/ec2-user", EC2_USER_UID, 0o700);
  files["/lib/modules/" + p.kernel + "/build"] = {
    kind: "link",
    target: `/usr/src/kernels/${p.kernel}`,
    mode: 0o777,
    uid: 0,
    mtime: 0,
  };
  file("/etc/os-release", osRelease());
  file("/etc/hostname", `ip-${privateIp.replaceAll(".", "-")}.ec2.internal\n`);
  file("/etc/chrony.conf", defaultChronyConf(p.chrony_confdir ?? true));
  file("/etc/chrony.keys", "#1 MD5 HEX:ABCDEF\n", 0, 0o640);
  file(`/boot/config-${p.kernel}`, kernelConfig(p));
  file(
    bundledEnaPath(p.kernel),
    encodeEnaModule({
      version: p.ena.version,
      phcParameter: p.ena.phc_parameter,
      outOfTree: false,
      srcversion: "7B3ACA8992B03F016F1770B",
    }),
  );
  if (p.udev_rule) {
    file(
      "/usr/lib/udev/rules.d/51-ec2-ena-ptp-device.rules",
      `# Stable name for the ENA PTP hardware clock\n${ENA_PTP_UDEV_RULE}\n`,
    );
  }
  return {
    instanceId: o.instanceId,
    instanceType: o.instanceType,
    hostname: `ip-${privateIp.replaceAll(".", "-")}.ec2.internal`,
    privateIp,
    mac,
    profile: p,
    wallEpochMs: o.wallEpochMs,
    files,
    bootedAt: null,
    bootAt: null,
    bootCount: 0,
    nicUpAt: null,
    ena: { loaded: false, module: null, phcEnable: null, clockIndex: null, loadedAt: null },
    enaModulePath: bundledEnaPath(p.kernel),
    ptpLoaded: p.ptp_clock_config === "y",
    kvmClockIndex: null,
    udevLinks: {},
    hwRxTimestamping: false,
    packages: preinstalled(p),
    units: {},
    chrony: null,
    journal: [],
    nextPid: 1000,
  };
}
