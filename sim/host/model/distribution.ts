/**
 * What differs between the Linux distributions a simulated host can run:
 * `/etc/os-release`, package manager, chrony's config path, confdir and unit
 * name, where the ENA module lives, the default kernel and interface name, and
 * whether `/usr/sbin` is on a non-root user's PATH.
 *
 * Domain source: PTP.md section 8; NOTES.md "A real Linux host with a real
 * PHC" (Debian/Ubuntu: `/etc/chrony/chrony.conf`, confdir `/etc/chrony/conf.d`,
 * unit `chrony.service` with `chronyd` only an alias, apt, `/usr/sbin` off the
 * user's PATH); the distributions' own `/etc/os-release` and default
 * `chrony.conf` files. Assumptions are listed in `sim/README.md`.
 * @module
 */
import type { DISTRIBUTIONS, NIC_DRIVERS } from "../../profile.ts";

/** A distribution id of the profile (`distribution`). */
export type DistributionId = typeof DISTRIBUTIONS[number];

/** Package manager family. */
export type PackageFamily = "dnf" | "yum" | "apt";

/** Facts of one distribution. */
export interface DistributionFacts {
  /** `/etc/os-release` text. */
  osRelease: string;
  /**
   * The default user the distribution's AWS AMIs create for the key pair
   * (cloud-init `default_user`): the only user SSH lets in. Source: Amazon
   * EC2 User Guide, "Manage system users on your Amazon EC2 Linux instance",
   * "Default usernames"; Rocky Linux's AWS images: `rocky`.
   */
  loginUser: string;
  family: PackageFamily;
  /** Amazon's amzn-drivers ENA (with `version:` and `phc_enable`) is the bundled driver. */
  amazonEna: boolean;
  /** Main chrony config file. */
  chronyConf: string;
  /** Directory the default config's `confdir` line names. */
  chronyConfDir: string;
  /** The default chrony.conf has the `confdir` line. */
  confdirByDefault: boolean;
  /** Default chrony.conf text, with or without its `confdir` line. */
  chronyConfText(confdir: boolean): string;
  /** Extra files the chrony package ships (path -> content). */
  chronyExtraFiles: Record<string, string>;
  /** Unit name of chronyd (`chronyd` or `chrony`; the other is an alias on apt systems). */
  chronyUnit: "chronyd" | "chrony";
  /** Aliases of the chrony unit (`chronyd` on Debian/Ubuntu). */
  chronyAliases: string[];
  /** `Description=` of the chrony unit. */
  chronyDescription: string;
  /** Directory of vendor unit files. */
  unitDir: string;
  chronyVersion: string;
  /** `/usr/sbin` is on a non-root SSH user's PATH. */
  sbinOnUserPath: boolean;
  /** Default kernel release for an architecture. */
  kernel(arch: "x86_64" | "arm64"): string;
  /** Default primary interface name for a NIC driver. */
  interface(driver: typeof NIC_DRIVERS[number]): string;
  /** Path of the bundled `ena.ko`, relative to `/lib/modules/<kernel>/`. */
  enaModuleRelPath: string;
  /** Directory `/lib/modules/<kernel>/build` points at. */
  headersDir(kernel: string): string;
}

function lines(...l: string[]): string {
  return l.join("\n") + "\n";
}

/** AL2023's default `/etc/chrony.conf`. */
function al2023Chrony(confdir: boolean): string {
  return lines(
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
  );
}

/** Amazon Linux 2's `/etc/chrony.conf` (Amazon Time Sync first). */
function al2Chrony(confdir: boolean): string {
  return lines(
    "# use the local instance NTP service, if available",
    "server 169.254.169.123 prefer iburst minpoll 4 maxpoll 4",
    "",
    "# Use public servers from the pool.ntp.org project.",
    "# Please consider joining the pool (http://www.pool.ntp.org/join.html).",
    "# pool 2.amazon.pool.ntp.org iburst",
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
    "# Specify directory for log files.",
    "logdir /var/log/chrony",
    "",
    "# save data between restarts for fast re-load",
    "dumpdir /var/run/chrony",
    ...(confdir ? ["", "confdir /etc/chrony.d"] : []),
  );
}

/** RHEL/Rocky 9's `/etc/chrony.conf` (package default: a pool, no confdir). */
function el9Chrony(pool: string, confdir: boolean): string {
  return lines(
    "# Use public servers from the pool.ntp.org project.",
    "# Please consider joining the pool (https://www.pool.ntp.org/join.html).",
    `pool ${pool} iburst`,
    "",
    "# Use NTP servers from DHCP.",
    "sourcedir /run/chrony-dhcp",
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
    ...(confdir ? ["", "confdir /etc/chrony.d"] : []),
  );
}

/** Debian/Ubuntu `/etc/chrony/chrony.conf`; `pools` empty when they live in sources.d. */
function debianChrony(pools: string[], confdir: boolean): string {
  return lines(
    "# Welcome to the chrony configuration file. See chrony.conf(5) for more",
    "# information about usable directives.",
    ...(confdir
      ? [
        "",
        "# Include configuration files found in /etc/chrony/conf.d.",
        "confdir /etc/chrony/conf.d",
      ]
      : []),
    ...(pools.length ? ["", ...pools] : []),
    "",
    "# Use time sources from DHCP.",
    "sourcedir /run/chrony-dhcp",
    "",
    "# Use NTP sources found in /etc/chrony/sources.d.",
    "sourcedir /etc/chrony/sources.d",
    "",
    "# This directive specify the location of the file containing ID/key pairs for",
    "# NTP authentication.",
    "keyfile /etc/chrony/chrony.keys",
    "",
    "# This directive specify the file into which chronyd will store the rate",
    "# information.",
    "driftfile /var/lib/chrony/chrony.drift",
    "",
    "# Save NTS keys and cookies.",
    "ntsdumpdir /var/lib/chrony",
    "",
    "# Uncomment the following line to turn logging on.",
    "#log tracking measurements statistics",
    "",
    "# Log files location.",
    "logdir /var/log/chrony",
    "",
    "# Stop bad estimates upsetting machine clock.",
    "maxupdateskew 100.0",
    "",
    "# This directive enables kernel synchronisation (every 11 minutes) of the",
    "# real-time clock. Note that it can't be used along with the 'rtcfile' directive.",
    "rtcsync",
    "",
    "# Step the system clock instead of slewing it if the adjustment is larger than",
    "# one second, but only in the first three clock updates.",
    "makestep 1 3",
    "",
    "# Get TAI-UTC offset and leap seconds from the system tz database.",
    "# This directive must be commented out when using time sources serving",
    "# leap-smeared time.",
    "leapsectz right/UTC",
  );
}

/** os-release lines; every value quoted except the keys in `bare` (Debian leaves ID etc. bare). */
function osRelease(fields: [string, string][], bare: string[] = []): string {
  return fields.map(([k, v]) => `${k}=${bare.includes(k) ? v : `"${v}"`}`).join("\n") + "\n";
}

const DEB_BARE = ["ID", "ID_LIKE", "VERSION_CODENAME", "UBUNTU_CODENAME", "LOGO"];

const AMAZON_ENA = "kernel/drivers/amazon/net/ena/ena.ko";
const UPSTREAM_ENA = "kernel/drivers/net/ethernet/amazon/ena/ena.ko";

const rpmCommon = {
  chronyConf: "/etc/chrony.conf",
  chronyConfDir: "/etc/chrony.d",
  chronyExtraFiles: {},
  chronyUnit: "chronyd" as const,
  chronyAliases: [],
  chronyDescription: "NTP client/server",
  unitDir: "/usr/lib/systemd/system",
  sbinOnUserPath: true,
  headersDir: (k: string) => `/usr/src/kernels/${k}`,
};

const debCommon = {
  family: "apt" as const,
  amazonEna: false,
  chronyConf: "/etc/chrony/chrony.conf",
  chronyConfDir: "/etc/chrony/conf.d",
  confdirByDefault: true,
  chronyUnit: "chrony" as const,
  chronyAliases: ["chronyd"],
  chronyDescription: "chrony, an NTP client/server",
  enaModuleRelPath: UPSTREAM_ENA,
  headersDir: (k: string) => `/usr/src/linux-headers-${k}`,
};

const el9Os = (name: string, id: string, like: string, codename: string) =>
  osRelease([
    ["NAME", name],
    ["VERSION", `9.6 (${codename})`],
    ["ID", id],
    ["ID_LIKE", like],
    ["VERSION_ID", "9.6"],
    ["PLATFORM_ID", "platform:el9"],
    ["PRETTY_NAME", `${name} 9.6 (${codename})`],
    ["ANSI_COLOR", "0;31"],
    ["LOGO", "fedora-logo-icon"],
    ["CPE_NAME", `cpe:/o:${id === "rhel" ? "redhat:enterprise_linux" : "rocky:rocky"}:9::baseos`],
  ]);

const el9 = (osText: string, pool: string, loginUser: string): DistributionFacts => ({
  ...rpmCommon,
  osRelease: osText,
  loginUser,
  family: "dnf",
  amazonEna: false,
  confdirByDefault: false,
  chronyConfText: (c) => el9Chrony(pool, c),
  chronyVersion: "4.6.1",
  kernel: (a) => `5.14.0-570.12.1.el9_6.${a === "arm64" ? "aarch64" : "x86_64"}`,
  interface: (d) => (d === "vif" ? "eth0" : d === "ena" ? "ens5" : "eth0"),
  enaModuleRelPath: UPSTREAM_ENA,
});

const TABLE: Record<DistributionId, DistributionFacts> = {
  "amazon-linux-2023": {
    ...rpmCommon,
    osRelease: osRelease([
      ["NAME", "Amazon Linux"],
      ["VERSION", "2023"],
      ["ID", "amzn"],
      ["ID_LIKE", "fedora"],
      ["VERSION_ID", "2023"],
      ["PLATFORM_ID", "platform:al2023"],
      ["PRETTY_NAME", "Amazon Linux 2023.9.20251110"],
      ["ANSI_COLOR", "0;33"],
      ["CPE_NAME", "cpe:2.3:o:amazon:amazon_linux:2023"],
      ["HOME_URL", "https://aws.amazon.com/linux/amazon-linux-2023/"],
      ["DOCUMENTATION_URL", "https://docs.aws.amazon.com/linux/"],
      ["SUPPORT_URL", "https://aws.amazon.com/premiumsupport/"],
      ["BUG_REPORT_URL", "https://github.com/amazonlinux/amazon-linux-2023"],
      ["VENDOR_NAME", "AWS"],
      ["VENDOR_URL", "https://aws.amazon.com/"],
      ["SUPPORT_END", "2029-06-30"],
    ]),
    loginUser: "ec2-user",
    family: "dnf",
    amazonEna: true,
    confdirByDefault: true,
    chronyConfText: al2023Chrony,
    chronyVersion: "4.3",
    kernel: (a) => `6.1.158-180.294.amzn2023.${a === "arm64" ? "aarch64" : "x86_64"}`,
    interface: (d) => (d === "vif" ? "enX0" : d === "ena" ? "ens5" : "eth0"),
    enaModuleRelPath: AMAZON_ENA,
  },
  "amazon-linux-2": {
    ...rpmCommon,
    osRelease: osRelease([
      ["NAME", "Amazon Linux"],
      ["VERSION", "2"],
      ["ID", "amzn"],
      ["ID_LIKE", "centos rhel fedora"],
      ["VERSION_ID", "2"],
      ["PRETTY_NAME", "Amazon Linux 2"],
      ["ANSI_COLOR", "0;33"],
      ["CPE_NAME", "cpe:2.3:o:amazon:amazon_linux:2"],
      ["HOME_URL", "https://amazonlinux.com/"],
      ["SUPPORT_END", "2026-06-30"],
    ]),
    loginUser: "ec2-user",
    family: "yum",
    amazonEna: true,
    confdirByDefault: false,
    chronyConfText: al2Chrony,
    chronyVersion: "4.2",
    kernel: (a) => `5.10.240-238.955.amzn2.${a === "arm64" ? "aarch64" : "x86_64"}`,
    interface: () => "eth0",
    enaModuleRelPath: AMAZON_ENA,
  },
  "rhel-9": el9(
    el9Os("Red Hat Enterprise Linux", "rhel", "fedora", "Plow"),
    "2.rhel.pool.ntp.org",
    "ec2-user",
  ),
  "rocky-9": el9(
    el9Os("Rocky Linux", "rocky", "rhel centos fedora", "Blue Onyx"),
    "2.rocky.pool.ntp.org",
    "rocky",
  ),
  "ubuntu-22.04": {
    ...debCommon,
    osRelease: osRelease([
      ["PRETTY_NAME", "Ubuntu 22.04.5 LTS"],
      ["NAME", "Ubuntu"],
      ["VERSION_ID", "22.04"],
      ["VERSION", "22.04.5 LTS (Jammy Jellyfish)"],
      ["VERSION_CODENAME", "jammy"],
      ["ID", "ubuntu"],
      ["ID_LIKE", "debian"],
      ["HOME_URL", "https://www.ubuntu.com/"],
      ["SUPPORT_URL", "https://help.ubuntu.com/"],
      ["BUG_REPORT_URL", "https://bugs.launchpad.net/ubuntu/"],
      ["UBUNTU_CODENAME", "jammy"],
    ], DEB_BARE),
    loginUser: "ubuntu",
    chronyConfText: (c) =>
      debianChrony([
        "pool ntp.ubuntu.com        iburst maxsources 4",
        "pool 0.ubuntu.pool.ntp.org iburst maxsources 1",
        "pool 1.ubuntu.pool.ntp.org iburst maxsources 1",
        "pool 2.ubuntu.pool.ntp.org iburst maxsources 2",
      ], c),
    chronyExtraFiles: {},
    unitDir: "/lib/systemd/system",
    chronyVersion: "4.2",
    sbinOnUserPath: true,
    kernel: () => "6.8.0-1036-aws",
    interface: (d) => (d === "ena" ? "ens5" : d === "vif" ? "eth0" : "eth0"),
  },
  "ubuntu-24.04": {
    ...debCommon,
    osRelease: osRelease([
      ["PRETTY_NAME", "Ubuntu 24.04.3 LTS"],
      ["NAME", "Ubuntu"],
      ["VERSION_ID", "24.04"],
      ["VERSION", "24.04.3 LTS (Noble Numbat)"],
      ["VERSION_CODENAME", "noble"],
      ["ID", "ubuntu"],
      ["ID_LIKE", "debian"],
      ["HOME_URL", "https://www.ubuntu.com/"],
      ["SUPPORT_URL", "https://help.ubuntu.com/"],
      ["BUG_REPORT_URL", "https://bugs.launchpad.net/ubuntu/"],
      ["UBUNTU_CODENAME", "noble"],
      ["LOGO", "ubuntu-logo"],
    ], DEB_BARE),
    loginUser: "ubuntu",
    chronyConfText: (c) => debianChrony([], c),
    chronyExtraFiles: {
      "/etc/chrony/sources.d/ubuntu-ntp-pools.sources": lines(
        "# Default chrony time sources of Ubuntu.",
        "pool ntp.ubuntu.com        iburst maxsources 4",
        "pool 1.ntp.ubuntu.com      iburst maxsources 1",
        "pool 2.ntp.ubuntu.com      iburst maxsources 2",
      ),
    },
    unitDir: "/usr/lib/systemd/system",
    chronyVersion: "4.5",
    sbinOnUserPath: true,
    kernel: () => "6.14.0-1012-aws",
    interface: (d) => (d === "ena" ? "ens5" : "eth0"),
  },
  "debian-12": {
    ...debCommon,
    osRelease: osRelease([
      ["PRETTY_NAME", "Debian GNU/Linux 12 (bookworm)"],
      ["NAME", "Debian GNU/Linux"],
      ["VERSION_ID", "12"],
      ["VERSION", "12 (bookworm)"],
      ["VERSION_CODENAME", "bookworm"],
      ["ID", "debian"],
      ["HOME_URL", "https://www.debian.org/"],
      ["SUPPORT_URL", "https://www.debian.org/support"],
      ["BUG_REPORT_URL", "https://bugs.debian.org/"],
    ], DEB_BARE),
    loginUser: "admin",
    chronyConfText: (c) =>
      debianChrony(["# Use Debian vendor zone.", "pool 2.debian.pool.ntp.org iburst"], c),
    chronyExtraFiles: {},
    unitDir: "/lib/systemd/system",
    chronyVersion: "4.3",
    sbinOnUserPath: false,
    kernel: (a) => `6.1.0-37-cloud-${a === "arm64" ? "arm64" : "amd64"}`,
    interface: (d) => (d === "ena" ? "ens5" : "eth0"),
  },
  unknown: {
    ...rpmCommon,
    osRelease: osRelease([
      ["NAME", "Obscurix"],
      ["ID", "obscurix"],
      ["VERSION_ID", "1.0"],
      ["PRETTY_NAME", "Obscurix 1.0"],
    ]),
    loginUser: "ec2-user",
    family: "dnf",
    amazonEna: false,
    confdirByDefault: true,
    chronyConfText: al2023Chrony,
    chronyVersion: "4.3",
    kernel: (a) => `6.6.50-1.obscurix.${a === "arm64" ? "aarch64" : "x86_64"}`,
    interface: (d) => (d === "ena" ? "ens5" : "eth0"),
    enaModuleRelPath: UPSTREAM_ENA,
  },
};

/** Facts of a distribution id. */
export function distributionFacts(id: DistributionId): DistributionFacts {
  return TABLE[id];
}

/** The chrony unit's name (`chronyd` or `chrony`) for a profile's distribution. */
export function chronyUnitOf(profile: { distribution: DistributionId }): "chronyd" | "chrony" {
  return TABLE[profile.distribution].chronyUnit;
}
