/**
 * The cells of the report's tables, shared by the console and Markdown
 * renderers so both show the same columns in the same units.
 * @module
 */
import type { ClockStats, Counts, Report, Stats, TargetReport } from "./model.ts";
import { formatNanoseconds, formatSeconds } from "./units.ts";

/** Shown for a target without an instance type (an existing host). */
export const NO_TYPE = "(existing host)";

/** Headers of the summary-by-type table. */
export const SUMMARY_HEADERS = [
  "instance type",
  "tested",
  "functional",
  "unsupported",
  "misconfigured",
  "errored",
  "cancelled",
  "no verdict",
] as const;

/** One row of the summary-by-type table. */
export function summaryCells(type: string | null, counts: Counts): string[] {
  return [
    type ?? NO_TYPE,
    String(counts.total),
    String(counts.functional),
    String(counts.unsupported),
    String(counts.misconfigured),
    String(counts.error),
    String(counts.cancelled),
    String(counts.none),
  ];
}

/**
 * What the interrupt did, for the report header, e.g. `2 of 3 target(s)
 * cancelled before a verdict`; null when the run was not interrupted.
 */
export function interruptedSummary(report: Report): string | null {
  if (!report.interrupted) return null;
  const { cancelled, total } = report.summary;
  return `${cancelled} of ${total} target(s) cancelled before a verdict`;
}

/** Headers of the per-instance table. */
export const INSTANCE_HEADERS = [
  "instance type",
  "n of m",
  "instance",
  "arch",
  "OS",
  "placement group",
  "ENA driver",
  "PHC device",
  "verdict",
  "offset",
  "clock error bound",
] as const;

/**
 * The "n of m" part of a label such as `c7i.large 1 of 2` (the whole label
 * when it does not start with the instance type).
 */
export function ordinalOf(target: TargetReport): string {
  const prefix = target.instance_type ? `${target.instance_type} ` : "";
  return prefix && target.label.startsWith(prefix)
    ? target.label.slice(prefix.length)
    : target.label;
}

/**
 * How the target is identified: instance id, else address (existing hosts),
 * else `not launched` for a target skipped at launch, else the target id.
 */
export function identityOf(target: TargetReport): string {
  return target.instance_id ?? target.address ??
    (target.status === "skipped" ? "not launched" : target.id);
}

/** Offset with its sign and direction, e.g. `+12.3 µs (fast)`; `-` without quality. */
export function offsetCell(target: TargetReport): string {
  const q = target.quality;
  if (!q) return "-";
  return `${
    formatSeconds(q.system_time_offset_seconds, { signed: true })
  } (${q.system_time_direction})`;
}

/** Short distribution cell: os-release `ID VERSION_ID`, e.g. `debian 12`; `-` when unknown. */
export function distributionCell(target: TargetReport): string {
  const d = target.distribution;
  return d ? `${d.id} ${d.version}`.trim() : "-";
}

/** One row of the per-instance table. `verdict` lets the console colour the verdict cell. */
export function instanceCells(
  target: TargetReport,
  verdict: (text: string) => string = (t) => t,
): string[] {
  return [
    target.instance_type ?? NO_TYPE,
    ordinalOf(target),
    identityOf(target),
    target.architecture ?? "-",
    distributionCell(target),
    target.placement_group ?? "-",
    target.ena_driver_version ?? "-",
    target.phc_device ?? "-",
    verdict(target.verdict),
    offsetCell(target),
    target.quality ? formatNanoseconds(target.quality.clock_error_bound_ns) : "-",
  ];
}

/** Headers of the statistics table. */
export const STATS_HEADERS = [
  "instance type",
  "n",
  "clock error bound min / median / max",
  "|offset| min / median / max",
  "RMS offset min / median / max",
] as const;

function statsText(stats: Stats | null): string {
  if (!stats) return "-";
  return [stats.min, stats.median, stats.max].map((v) => formatNanoseconds(v)).join(" / ");
}

/** One row of the statistics table (`label` = type or `overall`). */
export function statsCells(label: string, stats: ClockStats): string[] {
  return [
    label,
    String(stats.clock_error_bound_ns?.count ?? 0),
    statsText(stats.clock_error_bound_ns),
    statsText(stats.abs_offset_ns),
    statsText(stats.rms_offset_ns),
  ];
}

/** True when any functional target had a quality (so statistics are worth printing). */
export function hasStats(report: Report): boolean {
  return report.overall.clock_error_bound_ns !== null;
}

/** The quality of a target as `label: value` lines (units in the text). */
export function qualityLines(target: TargetReport): string[] {
  const q = target.quality;
  if (!q) return [];
  return [
    `reference: ${q.reference_name} (stratum ${q.stratum})`,
    `system time offset: ${
      formatSeconds(q.system_time_offset_seconds, { signed: true })
    } (${q.system_time_direction} of reference)`,
    `RMS offset: ${formatSeconds(q.rms_offset_seconds)}`,
    `frequency: ${q.frequency_ppm} ppm, skew: ${q.skew_ppm} ppm`,
    `root delay: ${formatSeconds(q.root_delay_seconds)}, root dispersion: ${
      formatSeconds(q.root_dispersion_seconds)
    }`,
    `PHC error bound: ${
      q.phc_error_bound_ns === null ? "unknown" : formatNanoseconds(q.phc_error_bound_ns)
    }`,
    `clock error bound: ${formatNanoseconds(q.clock_error_bound_ns)}`,
  ];
}

/**
 * AWS CLI command that terminates a kept instance, for copy-paste
 * (`aws ec2 terminate-instances --region R --instance-ids i-...`).
 */
export function terminateCommand(instance: { instance_id: string; region: string | null }): string {
  const region = instance.region ? ` --region ${instance.region}` : "";
  return `aws ec2 terminate-instances${region} --instance-ids ${instance.instance_id}`;
}
