/**
 * The PTP facts host steps record on a target (`target.facts`), declared
 * into {@link TargetFacts} so every step reads them typed. The report and cleanup steps read
 * them; the runner stores them as opaque JSON.
 *
 * Domain source: `shared/PTP.md` (sections 2-6), AWS EC2 User Guide page
 * "configure-ec2-ntp".
 * @module
 */
import { z } from "zod";

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
  /**
   * Warning when this driver release is known to crash with the PHC on the
   * running kernel (ENA 2.13.0 on kernels >= 6.2, amzn-drivers issue 322), with the fix.
   */
  knownFault?: string | null;
}

/** Written by `ena-check` under `facts.nic`: the primary network interface. */
export interface NicFacts {
  /** Interface of the IPv4 default route, e.g. `ens5`; null when there is none. */
  interface: string | null;
  /**
   * Its kernel driver (`DRIVER=` of the device's uevent, else `driver:` of
   * `ethtool -i`), e.g. `ena`, `igb`, `vif`, `veth`, `virtio_net`; null when
   * neither could be read.
   */
  driver: string | null;
}

/** Written by `enable-hwts` under `facts.phc`. */
export interface PhcFacts {
  /**
   * Outcome of enabling: `enabled`, or `unsupported` when no ENA clock
   * appeared; `planned` in check mode (`--dry-run`) when enabling would need a
   * change (the clock may not exist yet).
   */
  state: "enabled" | "unsupported" | "failed" | "planned";
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

/** A file as it was before configure-chrony changed it (kept in memory for rollback). */
export interface PreviousFile {
  /** Absolute path. */
  path: string;
  /** Content before the change; null when the file did not exist. */
  content: string | null;
}

/** Written by `configure-chrony` under `facts.chrony`. */
export interface ChronyConfigFacts {
  /** File that holds the refclock line. */
  file: string | null;
  /** `drop-in` when written under a directory chrony.conf reads; `line` when added to chrony.conf after a marker line. */
  method: "drop-in" | "line" | null;
  /** Whether this run changed the configuration (check mode: would change). */
  changed: boolean;
  /** True when a failure made the step (or verify) restore the previous files. */
  rolledBack: boolean;
  /** Stable PHC device path in the refclock line (`/dev/ptp_ena`, `/dev/ptp_refclock`). */
  device?: string | null;
  /** `clock_name` of the clock chosen. */
  clockName?: string | null;
  /** chrony's systemd unit (`chronyd`, `chrony`). */
  unit?: string;
  /**
   * chronyd's `InvocationID` once configure-chrony is done (after its restart,
   * or as found when nothing changed); `verify` fails the service layer when
   * it changed since (chronyd restarted). Absent when unknown.
   */
  invocationId?: string | null;
  /** chronyd's `NRestarts` at the same moment (reported only). */
  nRestarts?: number | null;
  /**
   * Files as they were before this run changed them, in memory only (no
   * backup file on the host); present while the change is in place, so that
   * `verify` can roll back when chronyd dies with the refclock.
   */
  previous?: PreviousFile[];
}

/**
 * Clock quality from `chronyc tracking` plus the device error bound, as
 * `verify` records it in `facts.verify.quality` and its output, and the
 * report prints it. Domain source: `shared/PTP.md` section 6.
 */
export const ClockQualitySchema = z.object({
  system_time_offset_seconds: z.number().describe("System time offset, seconds; positive = fast"),
  /** `fast` or `slow` of NTP time. */
  system_time_direction: z.enum(["fast", "slow"]),
  /** RMS offset, seconds; null when tracking lacked the line. */
  rms_offset_seconds: z.number().nullable(),
  /** Frequency error, ppm; positive = fast; null when tracking lacked the line. */
  frequency_ppm: z.number().nullable(),
  /** Skew, ppm; null when tracking lacked the line. */
  skew_ppm: z.number().nullable(),
  /** Root delay, seconds; null when tracking lacked the line. */
  root_delay_seconds: z.number().nullable(),
  /** Root dispersion, seconds; null when tracking lacked the line. */
  root_dispersion_seconds: z.number().nullable(),
  /** `phc_error_bound` of the device, nanoseconds, when readable. */
  phc_error_bound_ns: z.number().nullable(),
  /** AWS ClockBound model. */
  clock_error_bound_ns: z.number().describe(
    "|offset| + root_delay/2 + root_dispersion + phc_error_bound, nanoseconds",
  ),
  /** chrony reference id name, e.g. `PHC0`. */
  reference_name: z.string(),
  /** Stratum from tracking. */
  stratum: z.number().int(),
  /** `chronyc tracking` lines that were absent (chrony's labels, e.g. `Root dispersion`). */
  missing: z.array(z.string()).optional().describe(
    "chronyc tracking lines that were absent, e.g. Root dispersion: their fields are null and " +
      "the clock error bound leaves them out",
  ),
}).strict();

/** Clock quality, see {@link ClockQualitySchema}. */
export type ClockQuality = z.output<typeof ClockQualitySchema>;

/**
 * One poll of `chronyc -n tracking` by `verify` (during its polling window
 * and its `observe` time): seconds since verify's first poll, and chrony's
 * figures, null where tracking lacked the line. Domain source: PTP.md section 6.
 */
export const ClockSampleSchema = z.object({
  t_seconds: z.number().nonnegative().describe("Seconds since verify's first poll"),
  reference_name: z.string().nullable().describe("chrony's reference, e.g. PHC0"),
  system_time_offset_seconds: z.number().nullable().describe("Positive = fast"),
  rms_offset_seconds: z.number().nullable(),
  frequency_ppm: z.number().nullable().describe("Positive = fast"),
  clock_error_bound_ns: z.number().nullable().describe(
    "|offset| + root_delay/2 + root_dispersion + phc_error_bound (ClockBound), nanoseconds; " +
      "null when tracking lacked a term",
  ),
}).strict();

/** One clock sample, see {@link ClockSampleSchema}. */
export type ClockSample = z.output<typeof ClockSampleSchema>;

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
  /** chrony samples over the polling window and the `observe` time, in poll order. */
  samples?: ClockSample[];
}

declare module "../api.ts" {
  /** The PTP facts the host steps record on a target. */
  interface TargetFacts {
    /** Written by `detect-arch`. */
    arch?: ArchFacts;
    /** Written by `ena-check` (and `hasPhcParameter` updated by `ena-build`). */
    ena?: EnaFacts;
    /** Written by `ena-check`. */
    nic?: NicFacts;
    /** Written by `enable-hwts`. */
    phc?: PhcFacts;
    /** Written by `configure-chrony`. */
    chrony?: ChronyConfigFacts;
    /** Written by `verify`. */
    verify?: VerifyFacts;
  }
}
