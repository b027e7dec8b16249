/**
 * The console report: whether the run was interrupted, summary by instance type, one row per instance,
 * diagnostics of every target that is not functional, clock statistics and
 * the run's wall time; and the cleanup section. Returns text; the caller
 * prints it through `ctx.withConsole` so the live view is paused.
 * @module
 */
import {
  hasStats,
  identityOf,
  INSTANCE_HEADERS,
  instanceCells,
  interruptedHeading,
  interruptedSummary,
  missingPhcBoundNote,
  noChangesText,
  runFailureLines,
  STATS_HEADERS,
  statsCells,
  SUMMARY_HEADERS,
  summaryCells,
  terminateCommand,
} from "./cells.ts";
import { leftBehindNotice } from "./left-behind.ts";
import type { CleanupSection, Report, ReportVerdict, TargetReport } from "./model.ts";
import { type Palette, palette } from "../../runner/colour.ts";
import { type Align, renderTable } from "./table.ts";
import { formatWallTime } from "./units.ts";

/** Console rendering options. */
export interface ConsoleOptions {
  /** ANSI colours (false under `NO_COLOR` or when stdout is not a TTY). */
  color: boolean;
  /** Lines of quoted command output shown per diagnostic (default 30; files keep it all). */
  maxOutputLines?: number;
  /**
   * Terminal width: tables drop low-priority columns to fit it, and never wrap
   * (see `fitTable`); undefined = no limit (not a terminal: logs, files).
   */
  width?: number;
}

/** Columns the console drops first when a table is too wide (least important first). */
const DROP_ORDER = {
  /** placement group, PHC device, arch, ENA driver, OS, n of m, offset (see INSTANCE_HEADERS). */
  instances: [5, 7, 3, 6, 4, 1, 9],
  /** not attempted, cancelled, no verdict, tested. */
  summary: [8, 6, 7, 1],
  /** RMS offset, |offset|, n. */
  stats: [4, 3, 1],
} as const;

function colorVerdict(p: Palette): (verdict: string) => string {
  const by: Record<ReportVerdict, (t: string) => string> = {
    functional: p.green,
    unsupported: p.yellow,
    misconfigured: p.red,
    error: p.red,
    cancelled: p.yellow,
    "not-attempted": p.yellow,
    none: p.dim,
  };
  return (v) => (by[v as ReportVerdict] ?? ((t: string) => t))(v);
}

function quote(output: string, max: number): string[] {
  const lines = output.replace(/\s+$/, "").split("\n");
  const shown = lines.length > max ? lines.slice(-max) : lines;
  const omitted = lines.length - shown.length;
  return [
    ...(omitted > 0
      ? [`      | ... ${omitted} earlier line(s) omitted (full output in the files)`]
      : []),
    ...shown.map((l) => `      | ${l}`),
  ];
}

function diagnosticLines(t: TargetReport, p: Palette, max: number): string[] {
  const lines = [
    `  ${p.bold(t.label)}  ${identityOf(t)}  ${colorVerdict(p)(t.verdict)}${
      t.verdict_reason ? `: ${t.verdict_reason}` : ""
    }`,
  ];
  for (const d of t.diagnostics) {
    lines.push(`    [${d.layer}] ${d.summary}`);
    if (d.command) lines.push(`      $ ${d.command}`);
    if (d.output) lines.push(...quote(d.output, max));
  }
  if (t.failure) {
    // Said once: the verdict reason usually quotes the failure's message already.
    const said = t.verdict_reason?.includes(t.failure.message) ?? false;
    lines.push(
      `    failure in step ${t.failure.step_id} (${t.failure.step_type}), kind ${t.failure.kind}${
        said ? "" : `: ${t.failure.message}`
      }`,
    );
  }
  for (const w of t.warnings) lines.push(`    warning: ${w}`);
  return lines;
}

/** One line per change of a target: `label: [step] summary` (`(not applied)` in a real run). */
function changeLines(t: TargetReport, checkMode: boolean): string[] {
  return t.changes.map((c) =>
    `  ${t.label}: [${c.step_id}] ${c.summary}${c.applied || checkMode ? "" : " (not applied)"}`
  );
}

/** Renders the report for the console (without the file paths, which the caller appends). */
export function renderConsoleReport(report: Report, options: ConsoleOptions): string {
  const p = palette(options.color);
  const max = options.maxOutputLines ?? 30;
  const fit = (dropOrder: readonly number[]) =>
    options.width === undefined ? undefined : { width: options.width - 1, dropOrder };
  const out: string[] = [];
  out.push(p.bold(`PTP report: run ${report.run_id} (pipeline ${report.pipeline})`));
  const interrupted = interruptedSummary(report);
  if (interrupted) out.push(p.yellow(`${interruptedHeading(report)}: ${interrupted}.`));
  for (const line of runFailureLines(report)) out.push(p.red(`Run failed: ${line}`));
  const left = leftBehindNotice(report);
  if (left) {
    out.push(p.red(`${left.summary}:`));
    for (const r of left.resources) {
      out.push(`  ${r.line}${r.releaseCommand ? `: ${r.releaseCommand}` : ""}`);
    }
    out.push(`  release them all: ${left.command}`);
  }
  out.push("");

  out.push(p.bold("Summary by instance type"));
  const numeric = SUMMARY_HEADERS.map((_, i): Align => i === 0 ? "left" : "right");
  out.push(renderTable(
    SUMMARY_HEADERS,
    [
      ...report.by_type.map((g) => summaryCells(g.instance_type, g.counts)),
      summaryCells("total", report.summary),
    ],
    numeric,
    fit(DROP_ORDER.summary),
  ));
  out.push("");

  out.push(p.bold("Instances"));
  if (report.targets.length === 0) out.push("  (no targets)");
  else {
    out.push(renderTable(
      INSTANCE_HEADERS,
      report.targets.map((t) => instanceCells(t, colorVerdict(p))),
      [],
      fit(DROP_ORDER.instances),
    ));
  }
  out.push("");

  const notFunctional = report.targets.filter((t) =>
    t.verdict !== "functional" && t.verdict !== "not-attempted"
  );
  const notAttempted = report.targets.filter((t) => t.verdict === "not-attempted");
  if (notFunctional.length > 0 || notAttempted.length > 0) {
    out.push(p.bold("Diagnostics"));
    for (const t of notFunctional) out.push(...diagnosticLines(t, p, max));
    // One line for all of them: a stopped rollout of a large fleet leaves hundreds.
    if (notAttempted.length > 0) {
      out.push(
        `  ${notAttempted.length} target(s) ${colorVerdict(p)("not-attempted")}: ${
          notAttempted[0].verdict_reason ?? "the rollout stopped"
        } (each is in the recap)`,
      );
    }
    out.push("");
  }
  const warned = report.targets.filter((t) => t.verdict === "functional" && t.warnings.length);
  if (warned.length > 0) {
    out.push(p.bold("Warnings"));
    for (const t of warned) out.push(...t.warnings.map((w) => `  ${t.label}: ${w}`));
    out.push("");
  }

  const changed = report.targets.filter((t) => t.changes.length > 0);
  if (report.check_mode || changed.length > 0) {
    out.push(p.bold(report.check_mode ? "Changes that would be made (--dry-run)" : "Changes made"));
    if (changed.length === 0) out.push(`  (${noChangesText(report)})`);
    for (const t of changed) out.push(...changeLines(t, report.check_mode));
    out.push(p.dim("  (diffs in report.md and report.json; with -v also in the log)"), "");
  }

  const phcNote = missingPhcBoundNote(report);
  if (phcNote) out.push(p.yellow(phcNote), "");
  if (hasStats(report)) {
    out.push(p.bold("Clock statistics (functional instances)"));
    out.push(renderTable(
      STATS_HEADERS,
      [
        ...report.by_type.filter((g) => g.stats.clock_error_bound_ns)
          .map((g) => statsCells(g.instance_type ?? "(existing host)", g.stats)),
        statsCells("overall", report.overall),
      ],
      [],
      fit(DROP_ORDER.stats),
    ));
    out.push("");
  }

  out.push(
    `Wall time: ${
      report.wall_time_seconds === null ? "unknown" : formatWallTime(report.wall_time_seconds)
    }`,
  );
  if (report.redacted) out.push(p.dim("IP addresses redacted (use --no-redact to keep them)."));
  if (report.cleanup) out.push("", renderCleanupConsole(report.cleanup, options));
  return out.join("\n");
}

function instanceName(i: CleanupSection["kept"][number]): string {
  const what = [i.label ?? i.instance_type, i.region].filter(Boolean).join(", ");
  return what ? `${i.instance_id} (${what})` : i.instance_id;
}

/** Renders the cleanup section: terminated, kept running, and what could not be cleaned. */
export function renderCleanupConsole(section: CleanupSection, options: ConsoleOptions): string {
  const p = palette(options.color);
  const out: string[] = [p.bold("Cleanup")];
  const list = (title: string, items: string[]) => {
    if (items.length === 0) return;
    out.push(`  ${title}:`, ...items.map((i) => `    ${i}`));
  };
  list(
    "terminated",
    section.terminated.map((i) =>
      i.billed_seconds === undefined
        ? instanceName(i)
        : `${instanceName(i)}: billed ${i.billed_seconds} s (running -> terminated)`
    ),
  );
  if (section.billed_seconds_total !== undefined) {
    out.push(`  billed instance time: ${section.billed_seconds_total} s in total`);
  }
  list("placement groups deleted", section.placement_groups_deleted);
  if (section.simulated) {
    list(
      "kept (simulated: gone with the simulator when this run ends; nothing to terminate)",
      section.kept.map(instanceName),
    );
  } else {
    list(
      p.yellow("kept running (billed until terminated)"),
      section.kept.flatMap((i) => [instanceName(i), `  to terminate: ${terminateCommand(i)}`]),
    );
  }
  if (section.failed.length > 0 || section.placement_groups_failed.length > 0) {
    out.push(`  ${p.red("could not clean (run these commands by hand)")}:`);
    for (const f of section.failed) {
      out.push(`    ${instanceName(f)}: ${f.error}`, `      ${f.command}`);
    }
    for (const g of section.placement_groups_failed) {
      out.push(`    placement group ${g.name}: ${g.error}`, `      ${g.command}`);
    }
  }
  if (out.length === 1) out.push("  nothing to clean up");
  return out.join("\n");
}
