/**
 * The cells of the report's tables, shared by the console and Markdown
 * renderers so both show the same columns in the same units.
 * @module
 */
import type { ClockStats, Counts, Report, ReportVerdict, Stats, TargetReport } from "./model.ts";
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
  "not attempted",
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
    String(counts.not_attempted),
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

/** How the run was interrupted: `Run interrupted by SIGHUP`, or `Run interrupted` when unknown. */
export function interruptedHeading(report: Report): string {
  const by = report.interrupted_by;
  return by ? `Run interrupted by ${by}${by === "SIGINT" ? " (Ctrl-C)" : ""}` : "Run interrupted";
}

/**
 * Lines naming each pipeline-scope step that failed the run, e.g.
 * `step launch (launch) failed, kind auth: RequestExpired`; empty when none.
 */
export function runFailureLines(report: Report): string[] {
  return (report.run?.failures ?? []).map((f) =>
    `step ${f.step_id} (${f.step_type}) failed, kind ${f.kind}: ${f.message}`
  );
}

/** `1 target`, `2 targets`. */
function targetsText(n: number): string {
  return `${n} target${n === 1 ? "" : "s"}`;
}

/**
 * What made a run exit 1, from the report: pipeline steps that failed, then
 * targets by verdict (`--fail-on unsupported: 1 target unsupported`,
 * `2 targets misconfigured`, ...). Targets without a verdict count only when
 * other targets got one (a pipeline without verify gives none and passes).
 * @returns the causes, `; `-separated; null when the report shows none
 */
export function exitOneCauses(report: Report): string | null {
  const run = report.run;
  if (!run) return null;
  const count = (v: ReportVerdict) => report.targets.filter((t) => t.verdict === v).length;
  const gives = report.targets.some((t) =>
    t.verdict === "functional" || t.verdict === "unsupported" || t.verdict === "misconfigured"
  );
  const causes = run.failures.map((f) => `step ${f.step_id} failed`);
  const unsupported = count("unsupported");
  if (run.fail_on.includes("unsupported") && unsupported > 0) {
    causes.push(`--fail-on unsupported: ${targetsText(unsupported)} unsupported`);
  }
  const misconfigured = count("misconfigured");
  if (misconfigured > 0) causes.push(`${targetsText(misconfigured)} misconfigured`);
  const error = count("error");
  if (error > 0) causes.push(`${targetsText(error)} with an error`);
  const none = count("none");
  if (none > 0 && gives) causes.push(`${targetsText(none)} without verdict`);
  const notAttempted = count("not-attempted");
  if (notAttempted > 0) {
    causes.push(`${targetsText(notAttempted)} not attempted (the rollout stopped on max_fail)`);
  }
  return causes.length > 0 ? causes.join("; ") : null;
}

/**
 * `exit code 1` with what it means (for 1: what caused it in this run, see
 * {@link exitOneCauses}), plus `(provisional: the run was still going)` when
 * the report was written before the run ended; null in reports without a run
 * section.
 */
export function exitCodeText(report: Report): string | null {
  if (!report.run) return null;
  const meaning: Record<number, string> = {
    0: "every target functional or unsupported",
    1: exitOneCauses(report) ??
      "a target misconfigured, error or without verdict, or a step failed",
    2: "usage",
    3: "resources may be left behind",
    130: "interrupted",
  };
  const why = meaning[report.run.exit_code];
  const provisional = report.run.status === "running" ? ", provisional: the run was going on" : "";
  return `exit code ${report.run.exit_code}${why ? ` (${why}${provisional})` : ""}`;
}

/** Headers of the recap table. */
export const RECAP_HEADERS = [
  "target",
  "verdict",
  "ok",
  "changed",
  "unchanged",
  "skipped",
  "failed",
  "time",
];

/** Rows of the recap table: one per target, the pipeline steps, and the total. */
export function recapRows(report: Report): string[][] {
  const recap = report.recap;
  if (!recap) return [];
  const figures = (c: Omit<NonNullable<Report["recap"]>["total"], never>) => [
    String(c.ok),
    String(c.changed),
    String(c.unchanged),
    String(c.skipped),
    String(c.failed),
    `${c.duration_seconds.toFixed(1)}s` +
    (c.rerun > 0 ? ` (${c.rerun} re-run on resume)` : ""),
  ];
  return [
    ...recap.targets.map((t) => [t.label, t.verdict, ...figures(t)]),
    ["(pipeline steps)", "", ...figures(recap.pipeline)],
    ["total", "", ...figures(recap.total)],
  ];
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
    clockErrorBoundText(target),
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

/** Marks a figure `chronyc tracking` did not print. */
export const MISSING_FIGURE = "missing (not in chronyc tracking)";

/** The quality of a target as `label: value` lines (units in the text). */
export function qualityLines(target: TargetReport): string[] {
  const q = target.quality;
  if (!q) return [];
  const seconds = (v: number | null) => (v === null ? MISSING_FIGURE : formatSeconds(v));
  const ppm = (v: number | null) => (v === null ? MISSING_FIGURE : `${v} ppm`);
  return [
    `reference: ${q.reference_name} (stratum ${q.stratum})`,
    `system time offset: ${
      formatSeconds(q.system_time_offset_seconds, { signed: true })
    } (${q.system_time_direction} of reference)`,
    `RMS offset: ${seconds(q.rms_offset_seconds)}`,
    `frequency: ${ppm(q.frequency_ppm)}, skew: ${ppm(q.skew_ppm)}`,
    `root delay: ${seconds(q.root_delay_seconds)}, root dispersion: ${
      seconds(q.root_dispersion_seconds)
    }`,
    `PHC error bound: ${
      q.phc_error_bound_ns === null ? "unknown" : formatNanoseconds(q.phc_error_bound_ns)
    }`,
    `clock error bound: ${clockErrorBoundText(target)}`,
  ];
}

/** Marks a clock error bound that lacks the PHC's own `phc_error_bound` term. */
export const WITHOUT_PHC_BOUND = "(excl. PHC bound)";

/**
 * A target's clock error bound, e.g. `41.2 µs`, with {@link WITHOUT_PHC_BOUND}
 * when `phc_error_bound` could not be read (the bound then leaves out the
 * PHC's own error; source: PTP.md section 6, the ClockBound model) and
 * `(excl. root dispersion)` for a term `chronyc tracking` did not print;
 * `-` without quality.
 */
export function clockErrorBoundText(target: TargetReport): string {
  const q = target.quality;
  if (!q) return "-";
  const marks: string[] = [];
  if (q.phc_error_bound_ns === null) marks.push(WITHOUT_PHC_BOUND);
  const lacking = [
    q.root_delay_seconds === null ? "root delay" : null,
    q.root_dispersion_seconds === null ? "root dispersion" : null,
  ].filter((x) => x !== null);
  if (lacking.length > 0) marks.push(`(excl. ${lacking.join(", ")})`);
  return [formatNanoseconds(q.clock_error_bound_ns), ...marks].join(" ");
}

/**
 * A note for reports where some functional target's clock error bound lacks
 * the PHC's own bound; null when every bound is complete.
 */
export function missingPhcBoundNote(report: Report): string | null {
  const without = report.targets.filter((t) => t.quality && t.quality.phc_error_bound_ns === null);
  if (without.length === 0) return null;
  return `${without.length} clock error bound(s) marked ${WITHOUT_PHC_BOUND} exclude the PHC's ` +
    "own error bound: phc_error_bound could not be read; the statistics include them as they are.";
}

/**
 * AWS CLI command that terminates a kept instance, for copy-paste
 * (`aws ec2 terminate-instances --region R --instance-ids i-...`).
 */
export function terminateCommand(instance: { instance_id: string; region: string | null }): string {
  const region = instance.region ? ` --region ${instance.region}` : "";
  return `aws ec2 terminate-instances${region} --instance-ids ${instance.instance_id}`;
}

/**
 * What to say under "Changes that would be made" (check mode) when no target
 * lists a change: either no host step ran on any target (e.g. `--dry-run`
 * launched nothing, so nothing was planned), or the host steps ran and found
 * nothing to change. (`steps` lists each target step that ran.)
 */
export function noChangesText(report: Report): string {
  const ran = report.targets.some((t) => t.steps.length > 0);
  return ran
    ? "none: the host steps ran and found nothing to change"
    : `none planned: no host step ran${
      report.targets.length === 0 ? " (no targets: a dry run launches nothing)" : ""
    }, so no host change was checked`;
}
