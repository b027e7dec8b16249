/**
 * The host plugin's distribution facts: which Linux a target runs and where
 * the things the PTP steps touch live there (package manager, kernel headers
 * package, build tools, chrony's config file and unit, system binaries).
 * Found once per target from `/etc/os-release` by `detect-arch` and recorded
 * as `facts.host`; every host step reads its paths from here instead of
 * assuming Amazon Linux 2023.
 *
 * Domain sources: `shared/PTP.md` section 8 and `shared/NOTES.md` ("A real
 * Linux host with a real PHC": Debian/Ubuntu keep chrony at
 * `/etc/chrony/chrony.conf` with `confdir /etc/chrony/conf.d`, name the unit
 * `chrony.service`, use apt, and keep `modinfo`/`ethtool` in `/usr/sbin`);
 * os-release(5) for `ID`, `ID_LIKE`, `VERSION_ID`, `PRETTY_NAME`.
 * @module
 */
import { z } from "zod";

/** Package manager families the host steps drive. */
export const PackageManagerSchema = z.enum(["dnf", "yum", "apt-get"]);
/** A package manager, see {@link PackageManagerSchema}. */
export type PackageManager = z.output<typeof PackageManagerSchema>;

/**
 * Where things live on one distribution family. All paths absolute.
 */
export const HostLayoutSchema = z.object({
  /** Package manager used to install (`dnf`, `yum` or `apt-get`). */
  package_manager: PackageManagerSchema,
  /** Build tools for the ENA fallback build, e.g. `["gcc", "make", "git"]`. */
  build_tools: z.array(z.string()),
  /** Kernel headers package name pattern; `{kernel}` is replaced by `uname -r`. */
  kernel_headers_package: z.string(),
  /** chrony's main configuration file. */
  chrony_conf: z.string(),
  /** Directory the distribution's chrony.conf names in `confdir` (or includes), if any. */
  chrony_confdir: z.string().nullable(),
  /** chrony's systemd unit (the real name, not an alias: `journalctl -u` needs it). */
  chrony_unit: z.string(),
  /** Package that provides chrony. */
  chrony_package: z.string(),
  /** Package that provides `ethtool`. */
  ethtool_package: z.string(),
});
/** Layout of one distribution family, see {@link HostLayoutSchema}. */
export type HostLayout = z.output<typeof HostLayoutSchema>;

/** What `detect-arch` records as `facts.host`. */
export const HostFactsSchema = z.object({
  /** os-release `ID`, e.g. `amzn`, `ubuntu`, `debian`, `rhel`. */
  id: z.string(),
  /** os-release `ID_LIKE` words, e.g. `["rhel", "fedora"]`. */
  id_like: z.array(z.string()),
  /** os-release `VERSION_ID`, e.g. `2023`, `24.04`, `12`; empty when absent. */
  version_id: z.string(),
  /** os-release `PRETTY_NAME`, e.g. `Debian GNU/Linux 12 (bookworm)`. */
  pretty_name: z.string(),
  /** Family name the layout was chosen by, e.g. `amazon-linux-2023`; null when unknown. */
  family: z.string().nullable(),
  /** The layout; null when the distribution is not one the steps know. */
  layout: HostLayoutSchema.nullable(),
});
/** Distribution facts of a target, see {@link HostFactsSchema}. */
export type HostFacts = z.output<typeof HostFactsSchema>;

declare module "../api.ts" {
  /** Facts of the host plugin. */
  interface TargetFacts {
    /** Written by `detect-arch` from `/etc/os-release`. */
    host?: HostFacts;
  }
}

const RPM_BUILD_TOOLS = ["gcc", "make", "git"];

/** Amazon Linux 2023: dnf, `/etc/chrony.conf` including `/etc/chrony.d`, unit `chronyd`. */
export const AMAZON_LINUX_2023: HostLayout = {
  package_manager: "dnf",
  build_tools: RPM_BUILD_TOOLS,
  kernel_headers_package: "kernel-devel-{kernel}",
  chrony_conf: "/etc/chrony.conf",
  chrony_confdir: "/etc/chrony.d",
  chrony_unit: "chronyd",
  chrony_package: "chrony",
  ethtool_package: "ethtool",
};

/** Amazon Linux 2: yum, `/etc/chrony.conf` (no confdir), unit `chronyd`. */
const AMAZON_LINUX_2: HostLayout = {
  ...AMAZON_LINUX_2023,
  package_manager: "yum",
  chrony_confdir: null,
};

/** RHEL-family 8/9 (RHEL, Rocky, Alma, CentOS Stream, Oracle, Fedora): dnf, `/etc/chrony.conf`. */
const RHEL_FAMILY: HostLayout = {
  ...AMAZON_LINUX_2023,
  chrony_confdir: null,
};

/** Debian and Ubuntu: apt, `/etc/chrony/chrony.conf` with `confdir /etc/chrony/conf.d`, unit `chrony`. */
const DEBIAN_FAMILY: HostLayout = {
  package_manager: "apt-get",
  build_tools: ["build-essential", "git"],
  kernel_headers_package: "linux-headers-{kernel}",
  chrony_conf: "/etc/chrony/chrony.conf",
  chrony_confdir: "/etc/chrony/conf.d",
  chrony_unit: "chrony",
  chrony_package: "chrony",
  ethtool_package: "ethtool",
};

/** Parses os-release(5) text (`KEY=value`, values optionally quoted). */
export function parseOsRelease(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*([A-Z0-9_]+)=(.*)$/.exec(raw);
    if (!m) continue;
    let value = m[2].trim();
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1);
      if (quote === '"') value = value.replace(/\\(["\\$`])/g, "$1");
    }
    fields[m[1]] = value;
  }
  return fields;
}

/**
 * Chooses the family and layout for os-release fields.
 * @returns family null and layout null when the distribution is unknown
 */
export function layoutFor(
  id: string,
  idLike: readonly string[],
  versionId: string,
): { family: string | null; layout: HostLayout | null } {
  const major = versionId.split(".")[0];
  if (id === "amzn") {
    if (major === "2") return { family: "amazon-linux-2", layout: AMAZON_LINUX_2 };
    return { family: "amazon-linux-2023", layout: AMAZON_LINUX_2023 };
  }
  const words = [id, ...idLike];
  if (words.some((w) => w === "debian" || w === "ubuntu")) {
    return { family: id === "ubuntu" ? "ubuntu" : "debian", layout: DEBIAN_FAMILY };
  }
  if (words.some((w) => w === "rhel" || w === "fedora" || w === "centos")) {
    const legacy = Number(major) > 0 && Number(major) < 8;
    return {
      family: "rhel",
      layout: legacy ? { ...RHEL_FAMILY, package_manager: "yum" } : RHEL_FAMILY,
    };
  }
  return { family: null, layout: null };
}

/** Builds `facts.host` from the text of `/etc/os-release`. Never throws. */
export function hostFactsOf(osRelease: string): HostFacts {
  const f = parseOsRelease(osRelease);
  const id = (f.ID ?? "").toLowerCase();
  const idLike = (f.ID_LIKE ?? "").toLowerCase().split(/\s+/).filter(Boolean);
  const versionId = f.VERSION_ID ?? "";
  const { family, layout } = layoutFor(id, idLike, versionId);
  return {
    id: id || "unknown",
    id_like: idLike,
    version_id: versionId,
    pretty_name: f.PRETTY_NAME ?? (id ? `${id} ${versionId}`.trim() : "unknown"),
    family,
    layout,
  };
}

/**
 * The layout to use for a target: the recorded one, or Amazon Linux 2023's
 * when `detect-arch` did not run (a custom pipeline without it).
 */
export function hostLayout(facts: { host?: HostFacts }): HostLayout {
  return facts.host?.layout ?? AMAZON_LINUX_2023;
}

/** The kernel headers package for `kernel` (`uname -r`) under `layout`. */
export function kernelHeadersPackage(layout: HostLayout, kernel: string): string {
  return layout.kernel_headers_package.replaceAll("{kernel}", kernel);
}
