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
import { distributionFacts } from "./distribution.ts";
import { preinstalled } from "./packages.ts";
import type { FsNode, HostState } from "./state.ts";

/** uid of the login user (`ec2-user`, `ubuntu`, ...: the first user cloud-init creates). */
export const EC2_USER_UID = 1000;

/** The udev rule amazon-ec2-utils ships (PTP.md section 4). */
export const ENA_PTP_UDEV_RULE =
  'SUBSYSTEM=="ptp", ATTR{clock_name}=="ena-ptp-*", SYMLINK += "ptp_ena"';

/** Path of the bundled driver for a profile (its kernel release and distribution). */
export function bundledEnaPath(profile: InstanceProfile): string {
  return `/lib/modules/${profile.kernel}/${
    distributionFacts(profile.distribution).enaModuleRelPath
  }`;
}

/** The distribution's default chrony config text, per the profile's `chrony_confdir`. */
export function defaultChronyConf(profile: InstanceProfile): string {
  return distributionFacts(profile.distribution).chronyConfText(profile.chrony_confdir);
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
  /** The user SSH lets in (the image's default user); default: the distribution's. */
  loginUser?: string;
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
      "/etc/udev",
      "/etc/udev/rules.d",
      "/home",
      "/lib",
      "/lib/modules",
      `/lib/modules/${p.kernel}`,
      `/lib/modules/${p.kernel}/kernel`,
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
  const facts = distributionFacts(p.distribution);
  const loginUser = o.loginUser ?? facts.loginUser;
  dir(`/home/${loginUser}`, EC2_USER_UID, 0o700);
  const enaPath = bundledEnaPath(p);
  const parents = (path: string) => {
    const out: string[] = [];
    for (let d = path.slice(0, path.lastIndexOf("/")); d; d = d.slice(0, d.lastIndexOf("/"))) {
      out.unshift(d);
    }
    return out;
  };
  const chronyFiles = [facts.chronyConf, ...Object.keys(facts.chronyExtraFiles)];
  for (const f of chronyFiles) for (const d of parents(f)) if (!files[d]) dir(d);
  if (!files[facts.chronyConfDir]) dir(facts.chronyConfDir);
  if (facts.family === "apt") dir("/etc/chrony/sources.d");
  if (p.ena_module) { for (const d of parents(enaPath)) if (!files[d]) dir(d); }
  files["/lib/modules/" + p.kernel + "/build"] = {
    kind: "link",
    target: facts.headersDir(p.kernel),
    mode: 0o777,
    uid: 0,
    mtime: 0,
  };
  file("/etc/os-release", p.os_release ?? facts.osRelease);
  file("/etc/hostname", `ip-${privateIp.replaceAll(".", "-")}.ec2.internal\n`);
  file(facts.chronyConf, defaultChronyConf(p));
  for (const [path, text] of Object.entries(facts.chronyExtraFiles)) file(path, text);
  file(
    facts.family === "apt" ? "/etc/chrony/chrony.keys" : "/etc/chrony.keys",
    "#1 MD5 HEX:ABCDEF\n",
    0,
    0o640,
  );
  file(`/boot/config-${p.kernel}`, kernelConfig(p));
  if (p.ena_module) {
    file(
      enaPath,
      encodeEnaModule({
        version: p.ena.version,
        phcParameter: p.ena.phc_parameter,
        outOfTree: false,
        srcversion: "7B3ACA8992B03F016F1770B",
      }),
    );
  }
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
    loginUser,
    wallEpochMs: o.wallEpochMs,
    files,
    bootedAt: null,
    bootAt: null,
    bootCount: 0,
    nicUpAt: null,
    ena: { loaded: false, module: null, phcEnable: null, clockIndex: null, loadedAt: null },
    enaModulePath: enaPath,
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
