/**
 * The persistent state of one simulated Amazon Linux 2023 host: a plain JSON
 * object (so the OpenSSH entry can keep it in a file between sessions). All
 * times are simulated seconds of the host's clock.
 * @module
 */
import type { InstanceProfile } from "../../profile.ts";

/** A node of the static file system. `mtime` is simulated seconds. */
export interface FsNode {
  kind: "file" | "dir" | "link" | "char";
  /** File content (kind `file`). */
  content?: string;
  /** Symlink target as written (kind `link`). */
  target?: string;
  /** Permission bits, e.g. `0o644`. */
  mode: number;
  /** Owner uid: 0 root, 1000 ec2-user. */
  uid: number;
  mtime: number;
  /** Device numbers (kind `char`). */
  major?: number;
  minor?: number;
}

/** One journal line (`journalctl`, `dmesg`). */
export interface JournalEntry {
  /** Simulated seconds. */
  t: number;
  /** Syslog identifier, e.g. `chronyd`, `systemd`, `kernel`. */
  ident: string;
  pid: number;
  /** Unit the line belongs to (`chronyd.service`), if any. */
  unit?: string;
  message: string;
}

/** A systemd unit's state (`chronyd.service` and transient `systemd-run` units). */
export interface UnitState {
  active: "active" | "inactive" | "failed" | "activating";
  sub: string;
  /** Automatic restarts by systemd (`Restart=`) since boot; never `systemctl restart`s. */
  nRestarts: number;
  /** Simulated seconds when it last became active (kept after it stops or fails, as systemd does). */
  activeSince: number | null;
  /** Simulated seconds when it last left the active state; null when it never did. */
  activeExitAt?: number | null;
  /** systemd's `InvocationID`: 32 hex digits, new for every start (manual or automatic). */
  invocationId?: string;
  mainPid: number;
  /** Transient unit from `systemd-run`. */
  transient?: boolean;
  result?: string;
}

/** What an `ena.ko` file is: read from the file's simulated content. */
export interface EnaModuleInfo {
  /** `version:` of modinfo; null for an upstream-kernel driver without one. */
  version: string | null;
  /** Built with `ENA_PHC_INCLUDE=1`: has the `phc_enable` parameter. */
  phcParameter: boolean;
  /** Hand-built out of tree (needs `ptp` loaded when `CONFIG_PTP_1588_CLOCK=m`). */
  outOfTree: boolean;
  srcversion: string;
}

/** Which chrony sources the running chronyd has, captured at start. */
export interface ChronyRuntime {
  /** Simulated seconds chronyd started. */
  startedAt: number;
  /**
   * PHC refclocks: device path, poll (log2 seconds), `prefer` flag, `delay`
   * (seconds) and which clock the device was when chronyd opened it (`ena`, `kvm`).
   */
  refclocks: { device: string; poll: number; prefer: boolean; delay: number; clock: string }[];
  /** NTP servers (address, minpoll). */
  servers: { address: string; poll: number; iburst: boolean }[];
  /** Simulated seconds the PHC device went away under chronyd (driver unloaded). */
  phcLostAt: number | null;
}

/** Everything about one host. JSON-serializable. */
export interface HostState {
  instanceId: string;
  instanceType: string;
  hostname: string;
  /** Private IPv4 shown by `ip` (text only, never contacted). */
  privateIp: string;
  mac: string;
  profile: InstanceProfile;
  /**
   * The one user SSH lets in (uid 1000, home `/home/<user>`): the image's
   * default user (`ec2-user`, `ubuntu`, `admin`, ...).
   */
  loginUser: string;
  /** Wall-clock milliseconds at simulated second 0 (for dates in output). */
  wallEpochMs: number;
  files: Record<string, FsNode>;
  /** Simulated seconds of the last boot, null while powered off / rebooting. */
  bootedAt: number | null;
  /** Pending boot completion (simulated seconds), while rebooting. */
  bootAt: number | null;
  bootCount: number;
  /** Simulated seconds when the NIC carries traffic again; null = down until something brings it up. */
  nicUpAt: number | null;
  /** N of `/dev/ptpN` of the non-ENA NIC's own PHC (igb), null when none. */
  nicClockIndex?: number | null;
  ena: {
    loaded: boolean;
    /** The loaded driver (not necessarily what modinfo shows). */
    module: EnaModuleInfo | null;
    /** `/sys/module/ena/parameters/phc_enable` value; null when the driver lacks it. */
    phcEnable: 0 | 1 | null;
    /** N of `/dev/ptpN` for the ENA clock, null when none. */
    clockIndex: number | null;
    /** Simulated seconds the driver was loaded. */
    loadedAt: number | null;
  };
  /** Path `modprobe ena` loads (from the last `depmod`). */
  enaModulePath: string;
  /** `ptp` core module loaded (always true for `CONFIG_PTP_1588_CLOCK=y`). */
  ptpLoaded: boolean;
  kvmClockIndex: number | null;
  /** udev-made symlinks: `/dev/ptp_ena` -> `ptp0`. */
  udevLinks: Record<string, string>;
  /** Per-packet hardware RX timestamping switched on (`hwstamp_ctl -r 1`). */
  hwRxTimestamping: boolean;
  /** Installed packages: name -> NEVRA. */
  packages: Record<string, string>;
  units: Record<string, UnitState>;
  chrony: ChronyRuntime | null;
  journal: JournalEntry[];
  nextPid: number;
}
