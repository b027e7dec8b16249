/**
 * `report.html`: a self-contained page (inline CSS and SVG, no scripts, no
 * fonts, nothing fetched at view time) with the run summary, the recap, the
 * instances, a chart comparing instance types (clock error bound: min,
 * quartiles, median, max) and per instance type charts of the clock error
 * bound and the system time offset over time (verify's chrony samples).
 * Every text from the report (labels come from hosts) is escaped.
 * @module
 */
import {
  exitCodeText,
  INSTANCE_HEADERS,
  instanceCells,
  interruptedSummary,
  missingPhcBoundNote,
  NO_TYPE,
  RECAP_HEADERS,
  recapRows,
  runFailureLines,
  SUMMARY_HEADERS,
  summaryCells,
} from "./cells.ts";
import { leftBehindNotice } from "./left-behind.ts";
import type { Report, TargetReport } from "./model.ts";
import { boundsOf, isSynchronised, samplesSummary, spreadOf, targetsByType } from "./samples.ts";
import {
  escapeXml,
  lineChart,
  type LineSeries,
  nanosecondTickLabels,
  rangeChart,
  type RangeRow,
} from "./svg-chart.ts";
import { formatNanoseconds, formatWallTime } from "./units.ts";

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
color:#1f2328;background:#fff;margin:0;padding:24px 32px;max-width:1160px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;
padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}
.meta{color:#57606a;margin:0 0 12px}.fail{color:#b42318;font-weight:600}.note{color:#57606a}
table{border-collapse:collapse;margin:6px 0 10px;font-size:13px}
th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.total td{font-weight:600;background:#f6f8fa}
.v-functional{color:#1a7f37;font-weight:600}.v-unsupported{color:#57606a}
.v-misconfigured,.v-error{color:#b42318;font-weight:600}.v-cancelled,.v-not-attempted,.v-none{color:#9a6700}
.charts{display:flex;flex-wrap:wrap;gap:12px}
.charts svg,.wide svg{border:1px solid #d0d7de;border-radius:6px;background:#fff}
svg text{font-family:inherit;fill:#1f2328}svg .chart-title{font-size:13px;font-weight:600}
svg .tick,svg .legend,svg .label{font-size:11px}svg .tick{fill:#57606a}
svg .axis-label{font-size:11px;fill:#57606a}svg .grid{stroke:#eaeef2}
svg .axis{stroke:#8c959f}svg .chart-empty{font-size:12px;fill:#57606a}
`;

function cellsRow(cells: readonly string[], numericFrom: number, cls = ""): string {
  return `<tr${cls ? ` class="${cls}"` : ""}>${
    cells.map((c, i) => {
      const verdict =
        /^(functional|unsupported|misconfigured|error|cancelled|not-attempted|none)$/.test(c)
          ? ` class="v-${c}"`
          : i >= numericFrom
          ? ` class="num"`
          : "";
      return `<td${verdict}>${escapeXml(c)}</td>`;
    }).join("")
  }</tr>`;
}

function table(
  headers: readonly string[],
  rows: readonly string[][],
  numericFrom = Infinity,
  lastIsTotal = false,
): string {
  return [
    "<table>",
    `<tr>${headers.map((h) => `<th>${escapeXml(h)}</th>`).join("")}</tr>`,
    ...rows.map((r, i) =>
      cellsRow(r, numericFrom, lastIsTotal && i === rows.length - 1 ? "total" : "")
    ),
    "</table>",
  ].join("\n");
}

/** A series per target over time: `value` of each sample, null when unsynchronised or missing. */
function seriesOf(
  targets: readonly TargetReport[],
  value: (s: TargetReport["samples"][number]) => number | null,
): LineSeries[] {
  return targets.filter((t) => t.samples.length > 0).map((t) => ({
    name: t.label,
    points: t.samples.map((s) => ({ x: s.t_seconds, y: isSynchronised(s) ? value(s) : null })),
  }));
}

function typeSection(type: string | null, targets: readonly TargetReport[]): string {
  const name = type ?? NO_TYPE;
  const sampled = targets.filter((t) => t.samples.length > 0);
  const out = [`<h3>${escapeXml(name)}</h3>`];
  if (sampled.length === 0) {
    out.push(`<p class="note">No chrony samples (no target of this type reached verify).</p>`);
    return out.join("\n");
  }
  out.push(
    "<ul>",
    ...sampled.map((t) => `<li>${escapeXml(t.label)}: ${escapeXml(samplesSummary(t))}</li>`),
    "</ul>",
  );
  const xLabel = "seconds since verify's first poll";
  out.push(
    `<div class="charts">`,
    lineChart(seriesOf(sampled, (s) => s.clock_error_bound_ns), {
      title: `${name}: clock error bound`,
      xLabel,
      yTickLabels: (ticks) => nanosecondTickLabels(ticks),
    }),
    lineChart(
      seriesOf(
        sampled,
        (s) => s.system_time_offset_seconds === null ? null : s.system_time_offset_seconds * 1e9,
      ),
      {
        title: `${name}: system time offset (positive = fast)`,
        xLabel,
        yTickLabels: (ticks) => nanosecondTickLabels(ticks, true),
        includeZero: true,
      },
    ),
    "</div>",
  );
  return out.join("\n");
}

/** The comparison rows: per instance type, the spread of its clock error bounds. */
export function comparisonRows(report: Report): RangeRow[] {
  return targetsByType(report).flatMap(({ type, targets }) => {
    const spread = spreadOf(boundsOf(targets));
    return spread ? [{ name: type ?? NO_TYPE, ...spread }] : [];
  });
}

/** Renders the whole report as a self-contained HTML page. */
export function renderHtmlReport(report: Report): string {
  const body: string[] = [];
  body.push(`<h1>PTP report: run ${escapeXml(report.run_id)}</h1>`);
  body.push(
    `<p class="meta">Pipeline <code>${escapeXml(report.pipeline)}</code>, generated ${
      escapeXml(report.generated_at)
    }, wall time ${
      report.wall_time_seconds === null
        ? "unknown"
        : escapeXml(formatWallTime(report.wall_time_seconds))
    }.${report.redacted ? " IP addresses are redacted." : ""}${
      report.check_mode ? " Check mode (--dry-run): nothing was applied." : ""
    }</p>`,
  );
  const interrupted = interruptedSummary(report);
  if (interrupted) body.push(`<p class="fail">Run interrupted: ${escapeXml(interrupted)}.</p>`);
  for (const line of runFailureLines(report)) {
    body.push(`<p class="fail">Run failed: ${escapeXml(line)}</p>`);
  }
  const exit = exitCodeText(report);
  if (exit) body.push(`<p>Run ${escapeXml(report.run!.status)}, ${escapeXml(exit)}.</p>`);
  const left = leftBehindNotice(report);
  if (left) {
    body.push(
      "<h2>Left behind</h2>",
      `<p class="fail">${escapeXml(left.summary)}:</p>`,
      "<ul>",
      ...left.resources.map((r) =>
        `<li>${escapeXml(r.line)}${
          r.releaseCommand ? `: <code>${escapeXml(r.releaseCommand)}</code>` : ""
        }</li>`
      ),
      "</ul>",
      `<p>Release them all: <code>${escapeXml(left.command)}</code></p>`,
    );
  }

  body.push("<h2>Summary by instance type</h2>");
  body.push(table(
    SUMMARY_HEADERS,
    [
      ...report.by_type.map((g) => summaryCells(g.instance_type, g.counts)),
      summaryCells("total", report.summary),
    ],
    1,
    true,
  ));
  const recap = recapRows(report);
  if (recap.length > 0) {
    body.push("<h2>Recap (steps per target)</h2>", table(RECAP_HEADERS, recap, 2, true));
  }
  body.push("<h2>Instances</h2>");
  body.push(
    report.targets.length === 0
      ? "<p>No targets.</p>"
      : table(INSTANCE_HEADERS, report.targets.map((t) => instanceCells(t))),
  );
  const warned = report.targets.filter((t) => t.warnings.length > 0);
  if (warned.length > 0) {
    body.push(
      "<h2>Warnings</h2>",
      "<ul>",
      ...warned.flatMap((t) =>
        t.warnings.map((w) => `<li>${escapeXml(t.label)}: ${escapeXml(w)}</li>`)
      ),
      "</ul>",
    );
  }
  const note = missingPhcBoundNote(report);
  if (note) body.push(`<p class="note">${escapeXml(note)}</p>`);

  body.push("<h2>Clock error bound by instance type</h2>");
  body.push(
    `<p class="note">|offset| + root delay/2 + root dispersion + phc_error_bound (AWS ClockBound ` +
      `model), over every synchronised chrony sample of the type: whiskers min to max, box ` +
      `first to third quartile, thick mark the median; the axis spans the values.</p>`,
  );
  body.push(
    `<div class="wide">${
      rangeChart(comparisonRows(report), {
        title: "Clock error bound per instance type",
        formatValue: (v) => formatNanoseconds(v),
        tickLabels: (ticks) => nanosecondTickLabels(ticks),
        width: 1090,
      })
    }</div>`,
  );

  body.push("<h2>Clock over time, per instance type</h2>");
  for (const { type, targets } of targetsByType(report)) body.push(typeSection(type, targets));

  return [
    "<!DOCTYPE html>",
    `<html lang="en"><head><meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>PTP report ${escapeXml(report.run_id)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    ...body,
    "</body></html>",
    "",
  ].join("\n");
}
