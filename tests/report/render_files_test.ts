import assert from "node:assert/strict";
import { parse } from "yaml";
import { buildReport } from "../../plugins/report/build.ts";
import { renderJunitReport } from "../../plugins/report/render-junit.ts";
import { renderMarkdownReport } from "../../plugins/report/render-markdown.ts";
import { renderYamlReport } from "../../plugins/report/write.ts";
import { RUN_ID, sampleCleanup, sampleTargets } from "./fixtures.ts";
import { findAll, parseXml } from "./xml.ts";

const report = () =>
  buildReport({
    runId: RUN_ID,
    pipeline: "ptp",
    targets: sampleTargets(),
    now: new Date("2026-11-29T10:19:12Z"),
    startedAt: new Date("2026-11-29T10:15:00Z"),
    redact: true,
    cleanup: sampleCleanup(),
  });

Deno.test("junit.xml is well-formed with one testcase per instance, classname = type without dots", () => {
  const root = parseXml(renderJunitReport(report()));
  assert.equal(root.name, "testsuites");
  const cases = findAll(root, "testcase");
  assert.equal(cases.length, 6);
  assert.deepEqual(cases.map((c) => c.attrs.classname), [
    "c7i_large",
    "c7i_large",
    "m6i_large",
    "c7g_large",
    "m7a_large",
    "existing-host",
  ]);
  assert.equal(root.attrs.tests, "6");
  assert.equal(root.attrs.failures, "1");
  assert.equal(root.attrs.errors, "1");
  assert.equal(root.attrs.skipped, "0");
  for (const c of cases) assert.match(c.attrs.time, /^\d+\.\d{3}$/);
});

Deno.test("junit passes functional and unsupported (with a verdict property), fails misconfigured, errors error", () => {
  const cases = findAll(parseXml(renderJunitReport(report())), "testcase");
  const outcome = (i: number) =>
    cases[i].children.map((c) => c.name).filter((n) => n !== "system-out" && n !== "properties");
  const verdictOf = (i: number) =>
    findAll(cases[i], "property").find((p) => p.attrs.name === "verdict")?.attrs.value;
  const child = (i: number, name: string) => cases[i].children.find((c) => c.name === name)!;
  assert.deepEqual(outcome(0), []);
  assert.deepEqual(outcome(2), []);
  assert.equal(verdictOf(2), "unsupported");
  assert.deepEqual(outcome(3), ["failure"]);
  assert.equal(child(3, "failure").attrs.type, "misconfigured");
  assert.ok(child(3, "failure").text.includes("$ chronyc -n sources"));
  assert.deepEqual(outcome(4), ["error"]);
  assert.equal(child(4, "error").attrs.type, "error");
  // Escaped characters survive a parse round trip.
  assert.ok(child(4, "error").text.includes("function <foo> & 'bar'"));
  assert.deepEqual(outcome(5), []);
});

Deno.test("junit with --fail-on unsupported fails the unsupported target; a failed launch is an <error> case", () => {
  const r = report();
  r.run = {
    status: "failed",
    exit_code: 1,
    failures: [{ step_id: "launch", step_type: "launch", kind: "auth", message: "RequestExpired" }],
    fail_on: ["unsupported"],
  };
  const root = parseXml(renderJunitReport(r));
  const cases = findAll(root, "testcase");
  assert.equal(cases.length, 7);
  assert.equal(cases[0].attrs.classname, "pipeline");
  const launchError = cases[0].children.find((c) => c.name === "error")!;
  assert.equal(launchError.attrs.type, "auth");
  assert.match(launchError.attrs.message, /launch failed: RequestExpired/);
  assert.ok(cases[3].children.some((c) => c.name === "failure" && c.attrs.type === "unsupported"));
  assert.equal(root.attrs.errors, "2");
  assert.equal(root.attrs.failures, "2");
  const exitCode = findAll(root, "property").find((p) => p.attrs.name === "exit_code");
  assert.equal(exitCode?.attrs.value, "1");
});

Deno.test("markdown has the summary and instance tables, diagnostics and cleanup", () => {
  const md = renderMarkdownReport(report());
  assert.ok(
    md.includes(
      "| instance type | tested | functional | unsupported | misconfigured | errored | cancelled | no verdict |",
    ),
  );
  assert.ok(md.includes("| c7i.large | 2 | 2 | 0 | 0 | 0 | 0 | 0 |"));
  assert.ok(md.includes("| **total** | 6 | 3 | 1 | 1 | 1 | 0 | 0 |"));
  const rows = md.split("\n").filter((l) =>
    l.startsWith("| c7i.large | 1 of 2 | i-0aaa0000000000001 |")
  );
  assert.equal(rows.length, 1);
  assert.ok(md.includes("## Diagnostics") && md.includes("```text\nMS Name/IP address"));
  assert.ok(md.includes("## Clock statistics"));
  assert.ok(md.includes("## Cleanup") && md.includes("Could not clean"));
});

Deno.test("markdown escapes pipes in table cells and lengthens fences around backticks", () => {
  const r = report();
  r.targets[0].placement_group = "a|b";
  r.targets[3].diagnostics[0].output = "x ``` y";
  const md = renderMarkdownReport(r);
  assert.ok(md.includes("| a\\|b |"));
  assert.ok(md.includes("````text\nx ``` y\n````"));
});

Deno.test("report.yaml holds the same model as report.json", () => {
  const r = report();
  assert.deepEqual(parse(renderYamlReport(r)), JSON.parse(JSON.stringify(r)));
});

Deno.test("markdown cleanup of a simulated run lists kept instances as gone, with no AWS command", () => {
  const md = renderMarkdownReport({
    ...report(),
    cleanup: { ...report().cleanup!, simulated: true },
  });
  const cleanup = md.slice(md.indexOf("## Cleanup"));
  assert.match(
    cleanup,
    /Kept \(simulated: gone with the simulator when the run ended[^\n]*\n\n- `i-0aaa0000000000002`/,
  );
  assert.doesNotMatch(cleanup, /`aws ec2 terminate-instances[^`]*i-0aaa0000000000002`/);
});

Deno.test("markdown recap notes the steps re-run on resume", async () => {
  const { emptyCounts } = await import("../../runner/recap.ts");
  const md = renderMarkdownReport(buildReport({
    runId: RUN_ID,
    pipeline: "ptp",
    targets: sampleTargets(),
    now: new Date("2026-11-29T10:19:12Z"),
    startedAt: null,
    redact: true,
    recap: {
      pipeline: { ...emptyCounts(), ok: 3, rerun: 2, duration_ms: 3000 },
      targets: { "c7i.large-1": { ...emptyCounts(), ok: 8, rerun: 1, duration_ms: 8000 } },
    },
  }));
  assert.match(
    md,
    /\| c7i\.large 1 of 2 \| functional \| 8 \| 0 \| 0 \| 0 \| 0 \| 8\.0s \(1 re-run on resume\) \|/,
  );
  assert.match(md, /\| \(pipeline steps\) \| {2}\| 3 \| .* \| 3\.0s \(2 re-run on resume\) \|/);
});
