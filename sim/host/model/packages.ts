/**
 * The RPM packages a simulated AL2023 host knows: what is installed on a fresh
 * AMI, what the `amazonlinux` repository offers, and which commands each
 * package provides (a command whose package is missing is `command not found`).
 *
 * Domain source: PTP.md section 2 (kernel headers package: `kernel-devel-$(uname -r)`,
 * `kernel6.12-devel-$(uname -r)` on 6.12 kernels).
 * @module
 */
import type { InstanceProfile } from "../../profile.ts";
import { distributionFacts } from "./distribution.ts";

/** One package of the repository: name and `version-release` (arch is the host's). */
export interface RepoPackage {
  name: string;
  versionRelease: string;
  /** Download size shown by dnf, e.g. `32 M`. */
  size: string;
  /** Commands the package provides. */
  commands: string[];
  /** Packages installed with it (apt's `build-essential` -> gcc, make). */
  depends?: string[];
}

/** `x86_64` or `aarch64` for an EC2 architecture (apt: `amd64` or `arm64`). */
export function rpmArch(profile: InstanceProfile): string {
  if (distributionFacts(profile.distribution).family === "apt") {
    return profile.architecture === "arm64" ? "arm64" : "amd64";
  }
  return profile.architecture === "arm64" ? "aarch64" : "x86_64";
}

/**
 * Name of the kernel headers package for a kernel release: `kernel-devel` for
 * the default 6.1 kernel, `kernel6.12-devel` for 6.12 (`kernel<major.minor>-devel`).
 */
export function kernelDevelName(kernel: string, profile?: InstanceProfile): string {
  if (profile && profile.distribution !== "amazon-linux-2023") {
    return distributionFacts(profile.distribution).family === "apt"
      ? `linux-headers-${kernel}`
      : "kernel-devel";
  }
  const m = /^(\d+)\.(\d+)\./.exec(kernel);
  const series = m ? `${m[1]}.${m[2]}` : "6.1";
  return series === "6.1" ? "kernel-devel" : `kernel${series}-devel`;
}

/** `version-release` of a kernel release string (`6.1.158-180.294.amzn2023.x86_64` -> `6.1.158-180.294.amzn2023`). */
export function kernelVersionRelease(kernel: string): string {
  return kernel.replace(/\.(x86_64|aarch64)$/, "");
}

/** Debian/Ubuntu packages (versions of Debian 12; Ubuntu's differ only in text). */
function aptRepository(profile: InstanceProfile): RepoPackage[] {
  return [
    {
      name: "chrony",
      versionRelease: `${profile.chrony_version}-2+deb12u1`,
      size: "287 kB",
      commands: ["chronyd", "chronyc"],
    },
    { name: "ethtool", versionRelease: "1:6.1-1", size: "197 kB", commands: ["ethtool"] },
    {
      name: "linuxptp",
      versionRelease: "3.1.1-6",
      size: "177 kB",
      commands: ["ptp4l", "phc2sys", "phc_ctl", "hwstamp_ctl", "pmc"],
    },
    { name: "gcc", versionRelease: "4:12.2.0-3", size: "5,216 B", commands: ["gcc", "cc"] },
    { name: "make", versionRelease: "4.3-4.1", size: "396 kB", commands: ["make"] },
    { name: "git", versionRelease: "1:2.39.5-0+deb12u2", size: "7,264 kB", commands: ["git"] },
    {
      name: "build-essential",
      versionRelease: "12.9",
      size: "7,704 B",
      commands: [],
      depends: ["gcc", "make"],
    },
    {
      name: `linux-headers-${profile.kernel}`,
      versionRelease: profile.kernel.replace(/-(cloud-)?(amd64|arm64|aws)$/, ""),
      size: "1,352 kB",
      commands: [],
    },
    { name: "tar", versionRelease: "1.34+dfsg-1.2+deb12u1", size: "818 kB", commands: ["tar"] },
    { name: "kmod", versionRelease: "30+20221128-1", size: "93 kB", commands: [] },
  ];
}

/** Every package the repository offers for this profile. */
export function repository(profile: InstanceProfile): RepoPackage[] {
  if (distributionFacts(profile.distribution).family === "apt") return aptRepository(profile);
  const k = kernelVersionRelease(profile.kernel);
  return [
    {
      name: "chrony",
      versionRelease: `${profile.chrony_version}-1.amzn2023.0.4`,
      size: "322 k",
      commands: ["chronyd", "chronyc"],
    },
    { name: "ethtool", versionRelease: "6.2-1.amzn2023.0.2", size: "242 k", commands: ["ethtool"] },
    {
      name: "amazon-ec2-utils",
      versionRelease: "2.2.0-1.amzn2023.0.3",
      size: "20 k",
      commands: ["ebsnvme-id"],
    },
    { name: "gcc", versionRelease: "11.4.1-2.amzn2023.0.2", size: "32 M", commands: ["gcc", "cc"] },
    { name: "make", versionRelease: "4.3-5.amzn2023.0.2", size: "534 k", commands: ["make"] },
    { name: "git", versionRelease: "2.47.1-1.amzn2023.0.2", size: "51 k", commands: ["git"] },
    {
      name: "linuxptp",
      versionRelease: "4.2-1.amzn2023.0.1",
      size: "229 k",
      commands: ["ptp4l", "phc2sys", "phc_ctl", "hwstamp_ctl", "pmc"],
    },
    {
      name: kernelDevelName(profile.kernel, profile),
      versionRelease: k,
      size: "15 M",
      commands: [],
    },
    { name: "kernel-headers", versionRelease: k, size: "1.4 M", commands: [] },
    {
      name: "elfutils-libelf-devel",
      versionRelease: "0.188-3.amzn2023.0.2",
      size: "23 k",
      commands: [],
    },
    { name: "patch", versionRelease: "2.7.6-14.amzn2023.0.2", size: "131 k", commands: ["patch"] },
    { name: "tar", versionRelease: "1.34-1.amzn2023.0.4", size: "880 k", commands: ["tar"] },
  ];
}

/** Packages on a fresh AL2023 AMI: name -> NEVRA (`chrony-4.3-1.amzn2023.0.4.x86_64`). */
export function preinstalled(profile: InstanceProfile): Record<string, string> {
  const arch = rpmArch(profile);
  if (distributionFacts(profile.distribution).family === "apt") {
    const out: Record<string, string> = {};
    for (const p of repository(profile)) {
      if (["chrony", "ethtool", "tar", "kmod"].includes(p.name)) out[p.name] = p.versionRelease;
    }
    out[`linux-image-${profile.kernel}`] = profile.kernel;
    return out;
  }
  const names = ["chrony", "ethtool", "amazon-ec2-utils", "tar"];
  const out: Record<string, string> = {};
  for (const p of repository(profile)) {
    if (names.includes(p.name)) out[p.name] = `${p.name}-${p.versionRelease}.${arch}`;
  }
  out["kernel"] = `kernel-${kernelVersionRelease(profile.kernel)}.${arch}`;
  return out;
}

/**
 * Finds the repository package a dnf argument names: a plain name
 * (`gcc`), a name-version-release (`kernel-devel-6.1.158-180.294.amzn2023`),
 * with or without `.arch`. Returns undefined when nothing matches.
 */
export function findPackage(profile: InstanceProfile, spec: string): RepoPackage | undefined {
  const arch = rpmArch(profile);
  const bare = spec.endsWith(`.${arch}`) ? spec.slice(0, -arch.length - 1) : spec;
  return repository(profile).find((p) =>
    p.name === bare || `${p.name}-${p.versionRelease}` === bare
  );
}

/** Package-manager commands of each family: absent from the other families' hosts. */
const FAMILY_COMMANDS: Record<string, string[]> = {
  dnf: ["dnf", "yum", "rpm"],
  yum: ["yum", "rpm"],
  apt: ["apt", "apt-get", "dpkg", "dpkg-query"],
};
const ALL_FAMILY_COMMANDS = new Set(Object.values(FAMILY_COMMANDS).flat());

/** False for a package-manager command this distribution lacks (`dnf` on Debian, `apt` on AL2023). */
export function familyHasCommand(profile: InstanceProfile, name: string): boolean {
  if (!ALL_FAMILY_COMMANDS.has(name)) return true;
  return FAMILY_COMMANDS[distributionFacts(profile.distribution).family].includes(name);
}

/** Commands that exist only when their package is installed: command -> package. */
export function packagedCommands(profile: InstanceProfile): Map<string, string> {
  const map = new Map<string, string>();
  for (const p of repository(profile)) for (const c of p.commands) map.set(c, p.name);
  return map;
}
