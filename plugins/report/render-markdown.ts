/**
 * `report.md`: the report as Markdown for sharing (issues, wikis, chat):
 * whether the run was interrupted, summary and instance tables, diagnostics with quoted output, clock
 * statistics, the cleanup section and what the run may have left behind.
 * @module
 */
import {
  exitCodeText,
  hasStats,
  identityOf,
  INSTANCE_HEADERS,
  instanceCells,
  interruptedHeading,
  interruptedSummary,
  missingPhcBoundNote,
  NO_TYPE,
  noChangesText,
  qualityLines,
  RECAP_HEADERS,
  recapRows,
  runFailureLines,
  STATS_HEADERS,
  statsCells,
  SUMMARY_HEADERS,
  summaryCells,
  terminateCommand,
} from "./cells.ts";
import type { CleanupSection, Report } from "./model.ts";
import { leftBehindNotice } from "./left-behind.ts";
import { SAMPLE_HEADERS, sampleCells, samplesSummary } from "./samples.ts";
import { formatWallTime } from "./units.ts";

/** Escapes a table cell: `|` and backslashes escaped, newlines become spaces. */
function cell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** Escapes inline text outside tables (backslash, code, emphasis and HTML characters). */
function inline(text: string): string {
  return text.replace(/([\\`*<>])/g, "\\$1");
}

function table(headers: readonly string[], rows: string[][], numericFrom = Infinity): string {
  const rule = headers.map((_, i) => (i >= numericFrom ? "---:" : "---"));
  return [headers, rule, ...rows].map((r, i) => `| ${(i === 1 ? r : r.map(cell)).join(" | ")} |`)
    .join("\n");
}

/** A fenced code block whose fence is longer than any backtick run inside `text`. */
function fenced(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence}text\n${text.replace(/\s+$/, "")}\n${fence}`;
}

/** A unified diff as a fenced `diff` block. */
function diffBlock(diff: string): string {
  const longest = Math.max(2, ...[...diff.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence}diff\n${diff.replace(/\s+$/, "")}\n${fence}`;
}

/** Renders the whole report as Markdown. */
export function renderMarkdownReport(report: Report): string {
  const out: string[] = [];
  out.push(`# PTP report: run ${inline(report.run_id)}`, "");
  out.push(
    `Pipeline \`${report.pipeline}\`, generated ${report.generated_at}, wall time ${
      report.wall_time_seconds === null ? "unknown" : formatWallTime(report.wall_time_seconds)
    }.${report.redacted ? " IP addresses are redacted." : ""}`,
    "",
  );
  const interrupted = interruptedSummary(report);
  if (interrupted) out.push(`**${interruptedHeading(report)}**: ${interrupted}.`, "");
  for (const line of runFailureLines(report)) out.push(`**Run failed**: ${inline(line)}`, "");
  const exit = exitCodeText(report);
  if (exit) out.push(`Run ${report.run!.status}, ${exit}.`, "");
  const left = renderMarkdownLeftBehind(report);
  if (left) out.push(left, "");

  out.push("## Summary by instance type", "");
  out.push(
    table(
      SUMMARY_HEADERS,
      [
        ...report.by_type.map((g) => summaryCells(g.instance_type, g.counts)),
        summaryCells("**total**", report.summary),
      ],
      1,
    ),
    "",
  );

  out.push("## Instances", "");
  out.push(
    report.targets.length === 0
      ? "No targets."
      : table(INSTANCE_HEADERS, report.targets.map((t) => instanceCells(t))),
    "",
  );
  const recap = recapRows(report);
  if (recap.length > 0) {
    out.push("## Recap (steps per target)", "", table(RECAP_HEADERS, recap, 2), "");
  }

  const notFunctional = report.targets.filter((t) =>
    t.verdict !== "functional" && t.verdict !== "not-attempted"
  );
  const notAttempted = report.targets.filter((t) => t.verdict === "not-attempted");
  if (notFunctional.length > 0 || notAttempted.length > 0) {
    out.push("## Diagnostics", "");
    if (notAttempted.length > 0) {
      out.push(
        `### ${notAttempted.length} target(s) not attempted`,
        "",
        inline(notAttempted[0].verdict_reason ?? "the rollout stopped") +
          ` (each is in the tables above)`,
        "",
      );
    }
    for (const t of notFunctional) {
      out.push(`### ${inline(t.label)} (${inline(identityOf(t))}): ${t.verdict}`, "");
      if (t.verdict_reason) out.push(inline(t.verdict_reason), "");
      for (const d of t.diagnostics) {
        out.push(`- **${inline(d.layer)}**: ${inline(d.summary)}`);
        if (d.command) out.push(`  - command: \`${d.command.replace(/`/g, "'")}\``);
        if (d.output) out.push("", fenced(d.output), "");
      }
      if (t.failure) {
        out.push(
          `- failure in step \`${t.failure.step_id}\` (${t.failure.step_type}), kind ${t.failure.kind}: ${
            inline(t.failure.message)
          }`,
        );
      }
      for (const w of t.warnings) out.push(`- warning: ${inline(w)}`);
      out.push("");
    }
  }

  const warned = report.targets.filter((t) => t.verdict === "functional" && t.warnings.length);
  if (warned.length > 0) {
    out.push("## Warnings (functional instances)", "");
    for (const t of warned) {
      out.push(...t.warnings.map((w) => `- ${inline(t.label)}: ${inline(w)}`));
    }
    out.push("");
  }

  const changed = report.targets.filter((t) => t.changes.length > 0);
  if (report.check_mode || changed.length > 0) {
    out.push(
      report.check_mode ? "## Changes that would be made (check mode, --dry-run)" : "## Changes",
      "",
    );
    if (changed.length === 0) {
      const none = noChangesText(report);
      out.push(`${none[0].toUpperCase()}${none.slice(1)}.`, "");
    }
    for (const t of changed) {
      out.push(`### ${inline(t.label)} (${inline(identityOf(t))})`, "");
      for (const c of t.changes) {
        const state = report.check_mode ? "" : c.applied ? "" : " (not applied)";
        out.push(`- \`${c.step_id}\`: ${inline(c.summary)}${state}`);
        if (c.diff) out.push("", diffBlock(c.diff), "");
      }
      out.push("");
    }
  }

  const functional = report.targets.filter((t) => t.quality);
  if (functional.length > 0) {
    out.push("## Clock quality", "");
    for (const t of functional) {
      out.push(`### ${inline(t.label)} (${inline(identityOf(t))})`, "");
      out.push(...qualityLines(t).map((l) => `- ${l}`), "");
    }
  }

  const sampled = report.targets.filter((t) => t.samples.length > 0);
  if (sampled.length > 0) {
    out.push("## Clock samples over time", "");
    out.push("Polls of `chronyc -n tracking` by verify (charted in report.html).", "");
    for (const t of sampled) {
      out.push(`### ${inline(t.label)} (${inline(identityOf(t))})`, "");
      out.push(inline(samplesSummary(t)), "");
      out.push("<details><summary>series</summary>", "");
      out.push(table(SAMPLE_HEADERS, t.samples.map(sampleCells), 2), "", "</details>", "");
    }
  }

  const phcNote = missingPhcBoundNote(report);
  if (phcNote) out.push(`> ${inline(phcNote)}`, "");
  if (hasStats(report)) {
    out.push("## Clock statistics (functional instances)", "");
    out.push(
      table(STATS_HEADERS, [
        ...report.by_type.filter((g) => g.stats.clock_error_bound_ns)
          .map((g) => statsCells(g.instance_type ?? NO_TYPE, g.stats)),
        statsCells("**overall**", report.overall),
      ]),
      "",
    );
  }

  if (report.cleanup) out.push(renderMarkdownCleanup(report.cleanup), "");
  return out.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd() + "\n";
}

/**
 * The `left_behind` section as Markdown (a `## Left behind` heading, the
 * resources with their release commands, the cleanup command); "" when none.
 */
export function renderMarkdownLeftBehind(report: Report): string {
  const notice = leftBehindNotice(report);
  if (!notice) return "";
  const out = ["## Left behind", "", `**${inline(notice.summary)}**:`, ""];
  for (const r of notice.resources) {
    out.push(`- ${inline(r.line)}${r.releaseCommand ? `: \`${r.releaseCommand}\`` : ""}`);
  }
  out.push("", "Release them all:", "", fenced(notice.command));
  return out.join("\n");
}

/** The cleanup section as Markdown (a `## Cleanup` heading and lists). */
export function renderMarkdownCleanup(section: CleanupSection): string {
  const out = ["## Cleanup", ""];
  const name = (i: CleanupSection["kept"][number]) =>
    `\`${i.instance_id}\`${i.label ? ` (${inline(i.label)})` : ""}`;
  if (section.terminated.length > 0) {
    const billed = (i: CleanupSection["terminated"][number]) =>
      i.billed_seconds === undefined ? "" : `: billed ${i.billed_seconds} s (running → terminated)`;
    out.push("Terminated:", "", ...section.terminated.map((i) => `- ${name(i)}${billed(i)}`), "");
    if (section.billed_seconds_total !== undefined) {
      out.push(`Billed instance time: ${section.billed_seconds_total} s in total.`, "");
    }
  }
  if (section.placement_groups_deleted.length > 0) {
    out.push(
      "Placement groups deleted:",
      "",
      ...section.placement_groups_deleted.map((g) => `- \`${g}\``),
      "",
    );
  }
  if (section.kept.length > 0 && section.simulated) {
    out.push(
      "Kept (simulated: gone with the simulator when the run ended; nothing to terminate):",
      "",
      ...section.kept.map((i) => `- ${name(i)}`),
      "",
    );
  } else if (section.kept.length > 0) {
    out.push("Kept running (billed until terminated):", "");
    for (const i of section.kept) out.push(`- ${name(i)}: \`${terminateCommand(i)}\``);
    out.push("");
  }
  if (section.failed.length > 0 || section.placement_groups_failed.length > 0) {
    out.push("Could not clean (run these commands by hand):", "");
    for (const f of section.failed) {
      out.push(`- ${name(f)}: ${inline(f.error)}`, "", fenced(f.command), "");
    }
    for (const g of section.placement_groups_failed) {
      out.push(`- placement group \`${g.name}\`: ${inline(g.error)}`, "", fenced(g.command), "");
    }
  }
  if (out.length === 2) out.push("Nothing to clean up.");
  return out.join("\n").trimEnd();
}
