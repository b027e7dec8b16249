/**
 * chrony samples over time: `verify` keeps each poll of `chronyc -n tracking`
 * (its polling window, then its `observe` time) as {@link ClockSample}s.
 *
 * Domain source: PTP.md section 6 (tracking figures; clock error bound =
 * `|offset| + root_delay/2 + root_dispersion + phc_error_bound`, the AWS
 * ClockBound model).
 * @module
 */
import { type ChronyTracking, parseChronycTracking } from "../parsers/chronyc.ts";
import { clockErrorBoundNs } from "./clock-quality.ts";
import type { ClockSample } from "./facts.ts";

/** A raw poll: when it was taken and what tracking printed. */
export interface TrackingPoll {
  /** Seconds since the first poll (run time, i.e. wall time divided by the time scale). */
  tSeconds: number;
  /** `chronyc -n tracking` stdout. */
  stdout: string;
}

/**
 * One sample from a parsed tracking report.
 * @param phcErrorBoundNs the device's `phc_error_bound`, ns; null when unknown (counts as 0)
 */
export function clockSampleOf(
  tSeconds: number,
  tracking: ChronyTracking,
  phcErrorBoundNs: number | null,
): ClockSample {
  const offset = tracking.systemTimeOffsetSeconds;
  const delay = tracking.rootDelaySeconds;
  const dispersion = tracking.rootDispersionSeconds;
  return {
    t_seconds: Math.round(tSeconds * 1000) / 1000,
    reference_name: tracking.referenceName ?? tracking.referenceId,
    system_time_offset_seconds: offset,
    rms_offset_seconds: tracking.rmsOffsetSeconds,
    frequency_ppm: tracking.frequencyPpm,
    clock_error_bound_ns: offset === null || delay === null || dispersion === null
      ? null
      : clockErrorBoundNs({
        offsetSeconds: offset,
        rootDelaySeconds: delay,
        rootDispersionSeconds: dispersion,
        phcErrorBoundNs,
      }),
  };
}

/** Samples of raw polls, in order (see {@link clockSampleOf}). */
export function clockSamplesOf(
  polls: readonly TrackingPoll[],
  phcErrorBoundNs: number | null,
): ClockSample[] {
  return polls.map((p) =>
    clockSampleOf(p.tSeconds, parseChronycTracking(p.stdout), phcErrorBoundNs)
  );
}
