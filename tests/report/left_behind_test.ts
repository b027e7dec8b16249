/**
 * The report's `left_behind` section (plugins/report/left-behind.ts): a run
 * that ended with resources still open (a forced exit before cleanup finished)
 * says so in report.json, report.md, report.html and junit.xml, with the
 * `ptp-runner cleanup --run <id>` command, and JUnit makes it an error.
 */
import assert from "node:assert/strict";
import { buildReport } from "../../plugins/report/build.ts";
import { withFinalFigures } from "../../plugins/report/finalize.ts";
import { readReportFile, writeReportFiles } from "../../plugins/report/write.ts";
import { renderJunitReport } from "../../plugins/report/render-junit.ts";
import { renderMarkdownReport } from "../../plugins/report/render-markdown.ts";
import { renderHtmlReport } from "../../plugins/report/render-html.ts";
import { renderConsoleReport } from "../../plugins/report/render-console.ts";
import { emptyCounts } from "../../runner/recap.ts";
import type { ResourceRecord } from "../../runner/types.ts";
import { makeTarget } from "../helpers/context.ts";
import { RUN_ID } from "./fixtures.ts";
import { findAll, parseXml } from "./xml.ts";

const instance = (id: string, state: ResourceRecord["state"]): ResourceRecord => ({
  kind: "ec2-instance",
  id,
  region: "us-east-1",
  state,
  targetId: `c7i.large-${id.slice(-1)}`,
  releaseCommand: `aws ec2 terminate-instances --region us-east-1 --instance-ids ${id}`,
  createdAt: "2026-11-29T10:15:05Z",
});

const RESOURCES = [
  instance("i-0000000000000000a", "created"),
  instance("i-0000000000000000b", "release-failed"),
  instance("i-0000000000000000c", "released"),
  instance("i-0000000000000000d", "kept"),
];

/** An interrupted run's report (targets cancelled), finished by a forced exit. */
function forcedExitReport(resources: ResourceRecord[]) {
  const report = buildReport({
    runId: RUN_ID,
    pipeline: "ptp",
    targets: ["a", "b"].map((n) =>
      makeTarget({
        id: `c7i.large-${n}`,
        label: `c7i.large ${n}`,
        status: "cancelled",
        instanceType: "c7i.large",
        instanceId: `i-000000000000000${n}`,
        launchedByRun: true,
      })
    ),
    now: new Date("2026-11-29T10:19:12Z"),
    startedAt: new Date("2026-11-29T10:15:00Z"),
    redact: false,
    interrupted: true,
  });
  return withFinalFigures(report, {
    status: "interrupted",
    exitCode: 130,
    runFailures: [],
    recap: { pipeline: emptyCounts(), targets: {} },
    durationMs: 9000,
    signal: "SIGINT",
    resources,
    forcedExit: true,
  });
}

Deno.test("report.json of a forced exit lists the open resources, forced_exit and the cleanup command", async () => {
  const workDir = await Deno.makeTempDir({ prefix: "ptp-left-" });
  try {
    await writeReportFiles(workDir, forcedExitReport(RESOURCES));
    const read = await readReportFile(workDir, RUN_ID);
    assert.equal(read?.forced_exit, true);
    assert.deepEqual(read?.left_behind?.resources.map((r) => [r.id, r.state]), [
      ["i-0000000000000000a", "created"],
      ["i-0000000000000000b", "release-failed"],
    ]);
    assert.equal(read?.left_behind?.cleanup_command, `ptp-runner cleanup --run ${RUN_ID}`);
    assert.equal(
      read?.left_behind?.resources[0].release_command,
      "aws ec2 terminate-instances --region us-east-1 --instance-ids i-0000000000000000a",
    );
  } finally {
    await Deno.remove(workDir, { recursive: true });
  }
});

Deno.test("junit.xml makes left-behind resources an error case naming the cleanup command", () => {
  const root = parseXml(renderJunitReport(forcedExitReport(RESOURCES)));
  assert.equal(root.attrs.errors, "1");
  assert.equal(root.attrs.skipped, "2");
  assert.equal(root.attrs.tests, "3");
  const errors = findAll(root, "error");
  assert.equal(errors.length, 1);
  assert.equal(errors[0].attrs.type, "left-behind");
  assert.match(errors[0].attrs.message, /2 resource\(s\) may be left behind/);
  assert.match(errors[0].attrs.message, /forced exit/);
  assert.match(errors[0].attrs.message, new RegExp(`ptp-runner cleanup --run ${RUN_ID}`));
  assert.match(errors[0].text, /i-0000000000000000b/);
  const props = findAll(root, "property").map((p) => `${p.attrs.name}=${p.attrs.value}`);
  assert.ok(props.includes("forced_exit=true"), props.join(" "));
});

Deno.test("report.md, report.html and the console report say what was left behind", () => {
  const report = forcedExitReport(RESOURCES);
  const command = `ptp-runner cleanup --run ${RUN_ID}`;
  const md = renderMarkdownReport(report);
  assert.match(md, /## Left behind/);
  assert.ok(md.includes(command), md);
  assert.ok(md.includes("i-0000000000000000a"), md);
  assert.ok(!md.includes("i-0000000000000000c"), md);
  const html = renderHtmlReport(report);
  assert.ok(html.includes("<h2>Left behind</h2>") && html.includes(command));
  const text = renderConsoleReport(report, { color: false });
  assert.ok(text.includes(`release them all: ${command}`), text);
});

Deno.test("a run whose resources were all released or kept has no left_behind section or error", () => {
  const report = forcedExitReport([RESOURCES[2], RESOURCES[3]]);
  assert.equal(report.left_behind, null);
  const root = parseXml(renderJunitReport(report));
  assert.equal(root.attrs.errors, "0");
  assert.ok(!renderMarkdownReport(report).includes("Left behind"));
});
