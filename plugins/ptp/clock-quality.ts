/**
 * Clock quality maths: chrony's tracking figures plus the ENA device's own
 * error bound, combined into a clock error bound.
 *
 * Domain source: PTP.md section 6 — the bound is
 * `|offset| + root_delay/2 + root_dispersion + phc_error_bound` (the AWS
 * ClockBound model, github.com/aws/clock-bound); `phc_error_bound` is
 * published in nanoseconds at `/sys/bus/pci/devices/<PCI_SLOT_NAME>/phc_error_bound`.
 * @module
 */
import type { ChronyTracking } from "../parsers/chronyc.ts";
import type { ClockQuality } from "./facts.ts";

const NS_PER_SECOND = 1e9;

/** Rounds nanoseconds to 1/1000 ns, hiding binary floating-point noise (`14.000000000000002`). */
function roundNs(ns: number): number {
  return Math.round(ns * 1000) / 1000;
}

/** Inputs of {@link clockErrorBoundNs}. */
export interface ErrorBoundTerms {
  /** System time offset, seconds (either sign). */
  offsetSeconds: number;
  /** Root delay, seconds. */
  rootDelaySeconds: number;
  /** Root dispersion, seconds. */
  rootDispersionSeconds: number;
  /** `phc_error_bound`, nanoseconds; null counts as 0 (unknown). */
  phcErrorBoundNs: number | null;
}

/**
 * Clock error bound in nanoseconds:
 * `|offset| + root_delay / 2 + root_dispersion + phc_error_bound`.
 * Example (samples/chronyc-tracking-phc.txt): 14 ns + 10000 ns / 2 + 1311 ns +
 * 32123 ns = 38448 ns.
 */
export function clockErrorBoundNs(terms: ErrorBoundTerms): number {
  return roundNs(
    Math.abs(terms.offsetSeconds) * NS_PER_SECOND +
      terms.rootDelaySeconds * NS_PER_SECOND / 2 +
      terms.rootDispersionSeconds * NS_PER_SECOND +
      (terms.phcErrorBoundNs ?? 0),
  );
}

/**
 * Parses the content of `phc_error_bound` (a decimal number of nanoseconds).
 * @returns nanoseconds, or null when missing or not a non-negative number
 */
export function parsePhcErrorBound(content: string | null): number | null {
  const text = content?.trim() ?? "";
  if (!/^\d+(\.\d+)?$/.test(text)) return null;
  return Number(text);
}

/**
 * Clock quality from parsed `chronyc tracking` and the device error bound.
 * A figure whose line tracking lacked is null and named in `missing`
 * (chrony's label, e.g. `Root dispersion`); the clock error bound then
 * leaves that term out (counted as 0) and the report marks it.
 * @returns null when tracking lacks the system time offset (e.g. chronyd not running)
 */
export function clockQuality(
  tracking: ChronyTracking,
  phcErrorBoundNs: number | null,
): ClockQuality | null {
  const offset = tracking.systemTimeOffsetSeconds;
  if (offset === null) return null;
  const delay = tracking.rootDelaySeconds;
  const dispersion = tracking.rootDispersionSeconds;
  const figures: [string, number | null][] = [
    ["RMS offset", tracking.rmsOffsetSeconds],
    ["Frequency", tracking.frequencyPpm],
    ["Skew", tracking.skewPpm],
    ["Root delay", delay],
    ["Root dispersion", dispersion],
  ];
  const missing = figures.filter(([, v]) => v === null).map(([label]) => label);
  return {
    system_time_offset_seconds: offset,
    system_time_direction: offset < 0 ? "slow" : "fast",
    rms_offset_seconds: tracking.rmsOffsetSeconds,
    frequency_ppm: tracking.frequencyPpm,
    skew_ppm: tracking.skewPpm,
    root_delay_seconds: delay,
    root_dispersion_seconds: dispersion,
    phc_error_bound_ns: phcErrorBoundNs,
    clock_error_bound_ns: clockErrorBoundNs({
      offsetSeconds: offset,
      rootDelaySeconds: delay ?? 0,
      rootDispersionSeconds: dispersion ?? 0,
      phcErrorBoundNs,
    }),
    reference_name: tracking.referenceName ?? tracking.referenceId ?? "",
    stratum: tracking.stratum ?? 0,
    ...(missing.length > 0 ? { missing } : {}),
  };
}
