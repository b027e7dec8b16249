/**
 * `junit.xml` for CI dashboards: one `<testcase>` per target plus one per
 * pipeline-scope step that failed the run (classname `pipeline`, an
 * `<error>`). A target's classname is its instance type with dots replaced
 * by `_` (`existing-host` for hosts without one), `time` the seconds its
 * steps took. functional = pass; unsupported = pass with the property
 * `verdict=unsupported` (a `<failure>` with `--fail-on unsupported`);
 * misconfigured and no verdict (`none`) = `<failure>`; error = `<error>`,
 * each with the diagnostics in the body; a target the interrupt cancelled is
 * `<skipped message="run interrupted">`, one a rollout stopped on `max_fail`
 * never started is `<skipped>` with why (and the rollout's stop is an
 * `<error>` case of its own). Every target case carries the properties
 * `verdict` and `target_id`. Resources the run may have left behind (the
 * report's `left_behind`, e.g. after a forced exit) make one more `<error
 * type="left-behind">` case (classname `pipeline`) naming them and the
 * `ptp-runner cleanup --run <id>` command, so a CI job sees them.
 * @module
 */
import { identityOf, qualityLines } from "./cells.ts";
import { leftBehindNotice } from "./left-behind.ts";
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

/** A JUnit class name without dots (viewers split dotted names into packages). */
export function junitClassName(name: string): string {
  return name.replace(/\./g, "_");
}

function property(name: string, value: string): string {
  return `<property name="${xmlEscape(name)}" value="${xmlEscape(value)}"/>`;
}

/** How a target's verdict shows in JUnit. */
type Outcome = "pass" | "failure" | "error" | "skipped";

function outcomeOf(t: TargetReport, failOn: readonly string[]): Outcome {
  switch (t.verdict) {
    case "functional":
      return "pass";
    case "unsupported":
      return failOn.includes("unsupported") ? "failure" : "pass";
    case "cancelled":
    case "not-attempted":
      return "skipped";
    case "error":
      return "error";
    case "misconfigured":
    case "none":
      return "failure";
  }
}

function testcase(t: TargetReport, report: Report): string {
  const name = `${t.label} (${identityOf(t)})`;
  const seconds = report.recap?.targets.find((r) => r.id === t.id)?.duration_seconds ?? 0;
  const open = `    <testcase classname="${
    xmlEscape(junitClassName(t.instance_type ?? "existing-host"))
  }" name="${xmlEscape(name)}" time="${seconds.toFixed(3)}">`;
  const distribution = t.distribution
    ? property("distribution", t.distribution.name) +
      property("distribution_id", t.distribution.id) +
      property("distribution_version", t.distribution.version)
    : "";
  const body: string[] = [
    `      <properties>${property("verdict", t.verdict)}${
      property("target_id", t.id)
    }${distribution}</properties>`,
  ];
  const message = xmlEscape(t.verdict_reason ?? t.verdict);
  const outcome = outcomeOf(t, report.run?.fail_on ?? []);
  if (outcome === "skipped") {
    const why = t.verdict === "not-attempted" ? message : "run interrupted";
    body.push(`      <skipped message="${why}"/>`);
  } else if (outcome === "failure" || outcome === "error") {
    body.push(
      `      <${outcome} type="${t.verdict}" message="${message}">${
        xmlEscape(diagnosticsText(t))
      }</${outcome}>`,
    );
  }
  body.push(`      <system-out>${xmlEscape(details(t))}</system-out>`);
  return [open, ...body, "    </testcase>"].join("\n");
}

/** A test case for a pipeline-scope step that failed the run (e.g. launch). */
function failedStepCase(f: NonNullable<Report["run"]>["failures"][number]): string {
  const message = xmlEscape(`${f.step_id} failed: ${f.message}`);
  return [
    `    <testcase classname="pipeline" name="${
      xmlEscape(`step ${f.step_id} (${f.step_type})`)
    }" time="0.000">`,
    `      <error type="${xmlEscape(f.kind)}" message="${message}">${
      xmlEscape(`step ${f.step_id} (${f.step_type}) failed, kind ${f.kind}: ${f.message}`)
    }</error>`,
    "    </testcase>",
  ].join("\n");
}

/**
 * The `<error type="left-behind">` case of a run that may have left resources
 * behind (e.g. a forced exit before cleanup finished); null when none.
 */
function leftBehindCase(report: Report): string | null {
  const notice = leftBehindNotice(report);
  if (!notice) return null;
  const message = xmlEscape(`${notice.summary}; release them: ${notice.command}`);
  const body = [
    notice.summary + ":",
    ...notice.resources.flatMap((r) => [
      `  ${r.line}`,
      ...(r.releaseCommand ? [`    release: ${r.releaseCommand}`] : []),
    ]),
    `release them all: ${notice.command}`,
  ].join("\n");
  return [
    `    <testcase classname="pipeline" name="cleanup: resources left behind" time="0.000">`,
    `      <error type="left-behind" message="${message}">${xmlEscape(body)}</error>`,
    "    </testcase>",
  ].join("\n");
}

/**
 * Renders the report as JUnit XML (one test suite named after the pipeline
 * and run): a test case per target, in report order, plus one `<error>` case
 * per pipeline-scope step that failed the run. Suite properties carry the
 * exit code and run status.
 */
export function renderJunitReport(report: Report): string {
  const failOn = report.run?.fail_on ?? [];
  const outcomes = report.targets.map((t) => outcomeOf(t, failOn));
  const stepFailures = report.run?.failures ?? [];
  const left = leftBehindCase(report);
  const extra = stepFailures.length + (left ? 1 : 0);
  const count = (o: Outcome) => outcomes.filter((x) => x === o).length;
  const tests = report.targets.length + extra;
  const failures = count("failure");
  const errors = count("error") + extra;
  const skipped = count("skipped");
  const time = (report.wall_time_seconds ?? 0).toFixed(3);
  const suite = xmlEscape(`ptp-runner ${report.pipeline} ${report.run_id}`);
  const counts =
    `tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${time}"`;
  const props = [
    property("run_id", report.run_id),
    property("pipeline", report.pipeline),
    ...(report.run
      ? [
        property("run_status", report.run.status),
        property("exit_code", String(report.run.exit_code)),
      ]
      : []),
    ...(report.forced_exit ? [property("forced_exit", "true")] : []),
    ...(report.left_behind
      ? [property("cleanup_command", report.left_behind.cleanup_command)]
      : []),
  ];
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="ptp-runner" ${counts}>`,
    `  <testsuite name="${suite}" ${counts} timestamp="${xmlEscape(report.generated_at)}">`,
    `    <properties>${props.join("")}</properties>`,
    ...(left ? [left] : []),
    ...stepFailures.map(failedStepCase),
    ...report.targets.map((t) => testcase(t, report)),
    `  </testsuite>`,
    `</testsuites>`,
    "",
  ].join("\n");
}
