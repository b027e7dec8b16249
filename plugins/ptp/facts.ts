/**
 * The PTP facts host steps record on a target (`target.facts`), typed, and
 * the accessors that read and write them. The report and cleanup steps read
 * them; the runner stores them as opaque JSON.
 *
 * Domain source: `shared/PTP.md` (sections 2-6), AWS EC2 User Guide page
 * "configure-ec2-ntp".
 * @module
 */
import type { Target } from "../../runner/types.ts";

/** Written by `detect-arch` under `facts.arch`. */
export interface ArchFacts {
  /** `uname -m` mapped: `x86_64`, `aarch64` or `unknown`. */
  machine: "x86_64" | "aarch64" | "unknown";
  /** Raw `uname -m` output. */
  raw: string;
  /** Architecture launch expected, EC2 spelling (`x86_64` | `arm64`), if known. */
  expected?: string;
  /** True when `machine` contradicts `expected`. */
  mismatch: boolean;
}

/** Written by `ena-check` under `facts.ena`. */
export interface EnaFacts {
  /** Driver version from `modinfo -F version ena`, e.g. `2.10.0g`; null when the module has no version line (upstream kernel) or is missing. */
  version: string | null;
  /** True when the `ena` module exists at all. */
  modulePresent: boolean;
  /** `version` parsed as >= 2.10.0 (reported only; not the decision). Null when unknown. */
  versionAtLeast2_10: boolean | null;
  /** True when `modinfo ena` lists `parm: phc_enable:`. */
  hasPhcParameter: boolean;
  /** `/sys/module/ena/parameters/phc_enable`: 1, 0, or null when the file is missing. */
  phcEnable: 0 | 1 | null;
  /** `CONFIG_PTP_1588_CLOCK` of the running kernel: `y`, `m`, `n` or `unknown`. */
  ptpClockConfig: "y" | "m" | "n" | "unknown";
  /** Primary interface from the default route, e.g. `ens5`. */
  interface: string | null;
  /** PCI slot name of the ENA device, e.g. `0000:00:05.0`. */
  pciSlot: string | null;
  /** Running kernel release (`uname -r`). */
  kernel: string | null;
  /** True only when the `phc_enable` parameter is missing. */
  needsBuild: boolean;
  /** Why a build is or is not needed (one line). */
  reason: string;
}

/** Written by `enable-hwts` under `facts.phc`. */
export interface PhcFacts {
  /** Outcome of enabling: `enabled`, or `unsupported` when no ENA clock appeared. */
  state: "enabled" | "unsupported" | "failed";
  /** Stable device path, `/dev/ptp_ena`, when the symlink exists. */
  device: string | null;
  /** `clock_name` of the ENA clock, e.g. `ena-ptp-05`. */
  clockName: string | null;
  /** N of `/dev/ptpN` for the ENA clock. */
  index: number | null;
  /** `PTP Hardware Clock:` index from `ethtool -T <iface>`; null for `none`. */
  ethtoolIndex: number | null;
  /** `hw_packet_timestamping_state` read back, when hardware RX timestamping was requested. */
  hwRxTimestamping?: string | null;
}

/** Written by `configure-chrony` under `facts.chrony`. */
export interface ChronyConfigFacts {
  /** File that holds the refclock line. */
  file: string | null;
  /** `drop-in` when written under an included directory; `line` when one marked line was added to chrony.conf. */
  method: "drop-in" | "line" | null;
  /** Whether this run changed the configuration. */
  changed: boolean;
  /** True when a failure made the step restore the previous config. */
  rolledBack: boolean;
  /** Backup path, when one was made. */
  backup: string | null;
  /**
   * chronyd's `NRestarts` right after configure-chrony (after its restart, or
   * as found when nothing changed); `verify` fails the service layer when it
   * grew since. Absent when unknown.
   */
  nRestarts?: number | null;
}

/** Clock quality from `chronyc tracking` plus the device error bound. */
export interface ClockQuality {
  /** System time offset from the reference, seconds; positive = fast. */
  systemTimeOffsetSeconds: number;
  /** `fast` or `slow` of NTP time. */
  systemTimeDirection: "fast" | "slow";
  /** RMS offset, seconds. */
  rmsOffsetSeconds: number;
  /** Frequency error, ppm; positive = fast. */
  frequencyPpm: number;
  /** Skew, ppm. */
  skewPpm: number;
  /** Root delay, seconds. */
  rootDelaySeconds: number;
  /** Root dispersion, seconds. */
  rootDispersionSeconds: number;
  /** `phc_error_bound` of the device, nanoseconds, when readable. */
  phcErrorBoundNs: number | null;
  /**
   * Clock error bound, nanoseconds:
   * |offset| + root_delay/2 + root_dispersion + phc_error_bound (AWS ClockBound model).
   */
  clockErrorBoundNs: number;
  /** chrony reference id name, e.g. `PHC0`. */
  referenceName: string;
  /** Stratum from tracking. */
  stratum: number;
}

/** Written by `verify` under `facts.verify`. */
export interface VerifyFacts {
  /** Verdict reached. */
  verdict: "functional" | "unsupported" | "misconfigured";
  /** Failing layer when not functional: `hardware`, `driver`, `udev`, `chrony`, `service`. */
  failedLayer: string | null;
  /** Per-check outcome, in the order of PTP.md section 6. */
  checks: { layer: string; check: string; pass: boolean; observed: string }[];
  /** Quality, when chrony tracks the PHC. */
  quality: ClockQuality | null;
}

/** All PTP facts, as stored on `target.facts`. */
export interface PtpFacts {
  /**
   * `PhcSupport` of the instance type from `DescribeInstanceTypes`
   * (`supported` | `unsupported`; `unknown` when the key is absent), when the
   * step that launched or selected the target knows it. `verify` reports
   * `unsupported` hardware from it.
   */
  phcSupport?: "supported" | "unsupported" | "unknown";
  arch?: ArchFacts;
  ena?: EnaFacts;
  phc?: PhcFacts;
  chrony?: ChronyConfigFacts;
  verify?: VerifyFacts;
}

/** Typed view of a target's PTP facts (same object, no copy). */
export function ptpFacts(target: Target): PtpFacts {
  return target.facts as PtpFacts;
}
