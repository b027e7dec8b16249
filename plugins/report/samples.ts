/**
 * The chrony sample series of the report (`targets[].samples`, written by
 * `verify`) as the renderers need them: synchronised samples, a series per
 * target, per-type spreads, and Markdown rows.
 *
 * A sample counts as synchronised when chrony had a reference (tracking's
 * reference id `00000000` / no name means "not synchronised": its root delay
 * and dispersion are placeholders, so its bound says nothing).
 * @module
 */
import type { ClockSampleReport, Report, TargetReport } from "./model.ts";
import { formatNanoseconds } from "./units.ts";

/** True when chrony had a reference when the sample was taken. */
export function isSynchronised(sample: ClockSampleReport): boolean {
  const ref = sample.reference_name ?? "";
  return ref !== "" && !/^0+$/.test(ref);
}

/** `p`-quantile (0..1) of sorted values, linear interpolation. */
export function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const at = (sorted.length - 1) * p;
  const lo = Math.floor(at), hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

/** Spread of values: min, quartiles, median, max, count. */
export interface Spread {
  count: number;
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
}

/** Spread of `values`; null when empty. */
export function spreadOf(values: readonly number[]): Spread | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return {
    count: s.length,
    min: s[0],
    q1: quantile(s, 0.25),
    median: quantile(s, 0.5),
    q3: quantile(s, 0.75),
    max: s[s.length - 1],
  };
}

/** Instance types in report order (null = existing hosts), each with its targets. */
export function targetsByType(report: Report): { type: string | null; targets: TargetReport[] }[] {
  const groups = new Map<string | null, TargetReport[]>();
  for (const t of report.targets) {
    const list = groups.get(t.instance_type) ?? [];
    list.push(t);
    groups.set(t.instance_type, list);
  }
  return [...groups].map(([type, targets]) => ({ type, targets }));
}

/**
 * Clock error bounds (ns) of a group of targets: every synchronised sample's
 * bound, or each target's single quality bound when it has no samples.
 */
export function boundsOf(targets: readonly TargetReport[]): number[] {
  return targets.flatMap((t) => {
    const fromSamples = t.samples.filter(isSynchronised)
      .flatMap((s) => (s.clock_error_bound_ns === null ? [] : [s.clock_error_bound_ns]));
    if (fromSamples.length > 0) return fromSamples;
    return t.quality?.clock_error_bound_ns == null ? [] : [t.quality.clock_error_bound_ns];
  });
}

/** Headers of the Markdown series table (exact values, units in the headers). */
export const SAMPLE_HEADERS = [
  "t (s)",
  "reference",
  "offset (ns)",
  "RMS offset (ns)",
  "frequency (ppm)",
  "clock error bound (ns)",
] as const;

/** Nanoseconds of a seconds value, exact to 1/1000 ns (no binary noise). */
function nsOf(seconds: number): number {
  return Math.round(seconds * 1e12) / 1000;
}

/**
 * One Markdown table row per sample with the same figures as `report.json`
 * (seconds shown as nanoseconds); `-` marks a figure tracking lacked.
 */
export function sampleCells(s: ClockSampleReport): string[] {
  const dash = (v: number | null, text: (v: number) => string) => (v === null ? "-" : text(v));
  return [
    String(s.t_seconds),
    s.reference_name ?? "-",
    dash(s.system_time_offset_seconds, (v) => `${v > 0 ? "+" : ""}${nsOf(v)}`),
    dash(s.rms_offset_seconds, (v) => String(nsOf(v))),
    dash(s.frequency_ppm, String),
    dash(s.clock_error_bound_ns, String),
  ];
}

/**
 * One-line summary of a target's samples: count, time span and the spread
 * of the synchronised bounds, e.g. `61 samples over 262 s; clock error bound
 * min 38.4 µs, median 38.4 µs, max 38.5 µs`.
 */
export function samplesSummary(target: TargetReport): string {
  const n = target.samples.length;
  const span = n === 0 ? 0 : target.samples[n - 1].t_seconds - target.samples[0].t_seconds;
  const spread = spreadOf(
    target.samples.filter(isSynchronised)
      .flatMap((s) => (s.clock_error_bound_ns === null ? [] : [s.clock_error_bound_ns])),
  );
  const head = `${n} sample(s) over ${Math.round(span)} s`;
  if (!spread) return `${head}; no synchronised sample with a clock error bound`;
  return `${head}; clock error bound min ${formatNanoseconds(spread.min)}, median ${
    formatNanoseconds(spread.median)
  }, max ${formatNanoseconds(spread.max)}`;
}
