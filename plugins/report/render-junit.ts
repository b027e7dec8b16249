/**
 * `junit.xml`: one `<testcase>` per target for CI dashboards. classname = the
 * instance type (`existing-host` for hosts without one); functional = pass,
 * unsupported = `<skipped>`, misconfigured / error = `<failure>` whose body
 * holds the diagnostics; a target with no verdict is `<skipped>` too, and one
 * the interrupt cancelled is `<skipped message="run interrupted">`.
 * @module
 */
import { identityOf, qualityLines } from "./cells.ts";
import type { Report, TargetReport } from "./model.ts";

/** Escapes text for XML content and attributes; drops characters XML 1.0 forbids. */
export function xmlEscape(text: string): string {
  return text
    // deno-lint-ignore no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

function diagnosticsText(t: TargetReport): string {
  const lines: string[] = [];
  if (t.verdict_reason) lines.push(t.verdict_reason);
  for (const d of t.diagnostics) {
    lines.push(`[${d.layer}] ${d.summary}`);
    if (d.command) lines.push(`$ ${d.command}`);
    if (d.output) lines.push(d.output.replace(/\s+$/, ""));
  }
  if (t.failure) {
    lines.push(
      `failure in step ${t.failure.step_id} (${t.failure.step_type}), kind ${t.failure.kind}: ${t.failure.message}`,
    );
  }
  for (const w of t.warnings) lines.push(`warning: ${w}`);
  return lines.join("\n");
}

function details(t: TargetReport): string {
  return [
    `instance: ${identityOf(t)}`,
    t.region ? `region: ${t.region}` : null,
    `architecture: ${t.architecture ?? "unknown"}`,
    `distribution: ${t.distribution?.name ?? "unknown"}`,
    `placement group: ${t.placement_group ?? "none"}`,
    `ENA driver: ${t.ena_driver_version ?? "unknown"}`,
    `PHC device: ${t.phc_device ?? "none"}`,
    ...qualityLines(t),
  ].filter((l): l is string => l !== null).join("\n");
}

function testcase(t: TargetReport): string {
  const name = `${t.label} (${identityOf(t)})`;
  const open = `    <testcase classname="${xmlEscape(t.instance_type ?? "existing-host")}" name="${
    xmlEscape(name)
  }">`;
  const body: string[] = [];
  if (t.distribution) {
    body.push(
      "      <properties>",
      `        <property name="distribution" value="${xmlEscape(t.distribution.name)}"/>`,
      `        <property name="distribution_id" value="${xmlEscape(t.distribution.id)}"/>`,
      `        <property name="distribution_version" value="${
        xmlEscape(t.distribution.version)
      }"/>`,
      "      </properties>",
    );
  }
  const message = xmlEscape(t.verdict_reason ?? t.verdict);
  if (t.verdict === "cancelled") {
    body.push(`      <skipped message="run interrupted"/>`);
  } else if (t.verdict === "unsupported" || t.verdict === "none") {
    body.push(`      <skipped message="${message}"/>`);
  } else if (t.verdict === "misconfigured" || t.verdict === "error") {
    body.push(
      `      <failure type="${t.verdict}" message="${message}">${
        xmlEscape(diagnosticsText(t))
      }</failure>`,
    );
  }
  body.push(`      <system-out>${xmlEscape(details(t))}</system-out>`);
  return [open, ...body, "    </testcase>"].join("\n");
}

/** Renders the report as JUnit XML (one test suite named after the pipeline and run). */
export function renderJunitReport(report: Report): string {
  const s = report.summary;
  const failures = s.misconfigured + s.error;
  const skipped = s.unsupported + s.cancelled + s.none;
  const time = (report.wall_time_seconds ?? 0).toFixed(3);
  const suite = xmlEscape(`ptp-runner ${report.pipeline} ${report.run_id}`);
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="ptp-runner" tests="${s.total}" failures="${failures}" errors="0" skipped="${skipped}" time="${time}">`,
    `  <testsuite name="${suite}" tests="${s.total}" failures="${failures}" errors="0" skipped="${skipped}" time="${time}" timestamp="${
      xmlEscape(report.generated_at)
    }">`,
    ...report.targets.map(testcase),
    `  </testsuite>`,
    `</testsuites>`,
    "",
  ].join("\n");
}
