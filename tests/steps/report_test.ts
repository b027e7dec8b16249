import assert from "node:assert/strict";
import { Ajv } from "ajv";
import { CLEANUP_JOURNAL_KEY } from "../../plugins/report/cleanup-outcome.ts";
import { recordCleanupInReport } from "../../plugins/report/record-cleanup.ts";
import { reportFiles } from "../../plugins/report/write.ts";
import reportStep from "../../steps/report.ts";
import { makeTestContext } from "../helpers/context.ts";
import { sampleCleanup, sampleTargets } from "../report/fixtures.ts";
import { findAll, parseXml } from "../report/xml.ts";

/** Captures console.log output while `fn` runs. */
async function captureConsole(fn: () => Promise<unknown>): Promise<string> {
  const original = console.log;
  const lines: string[] = [];
  console.log = (...args: unknown[]) => lines.push(args.map(String).join(" "));
  try {
    await fn();
  } finally {
    console.log = original;
  }
  return lines.join("\n");
}

function context(redact = true) {
  const ctx = makeTestContext({
    step: { id: "report", type: "report" },
    targets: sampleTargets(),
    settings: { redact },
  });
  return Object.assign(ctx, { runId: "20261129-101500-ab12", pipelineName: "ptp" });
}

Deno.test("report step writes the report files, returns their paths and the counts", async () => {
  const ctx = context();
  let output: Awaited<ReturnType<typeof reportStep.run>> | undefined;
  const printed = await captureConsole(async () => {
    output = await reportStep.run(ctx, { console: true }, new AbortController().signal);
  });
  const parsed = reportStep.output.parse(output);
  assert.deepEqual(parsed.files, reportFiles(ctx.settings.workDir, ctx.runId));
  assert.ok(parsed.files.json.startsWith(`${ctx.settings.workDir}/reports/20261129-101500-ab12/`));
  assert.deepEqual(parsed.summary, {
    total: 6,
    functional: 3,
    unsupported: 1,
    misconfigured: 1,
    error: 1,
    cancelled: 0,
    not_attempted: 0,
    none: 0,
  });
  for (const path of Object.values(parsed.files)) assert.ok(Deno.statSync(path).size > 0);
  const schema = JSON.parse(
    Deno.readTextFileSync(new URL("../../schema/report.schema.json", import.meta.url)),
  );
  const validate = new Ajv({ strict: true }).compile(schema);
  assert.ok(validate(JSON.parse(Deno.readTextFileSync(parsed.files.json))), "report.json invalid");
  assert.ok(printed.includes("Summary by instance type"));
  assert.ok(printed.trimEnd().endsWith(`HTML      ${parsed.files.html}`), "paths at the end");
});

Deno.test("report step writes no IP address by default and keeps them with redact off", async () => {
  const redacted = context(true);
  await captureConsole(() =>
    reportStep.run(redacted, { console: true }, new AbortController().signal)
  );
  for (const path of Object.values(reportFiles(redacted.settings.workDir, redacted.runId))) {
    const text = Deno.readTextFileSync(path);
    assert.ok(!text.includes("10.0.1.23"), `${path} has an IP address`);
  }
  const kept = context(false);
  await captureConsole(() =>
    reportStep.run(kept, { console: false }, new AbortController().signal)
  );
  const json = Deno.readTextFileSync(reportFiles(kept.settings.workDir, kept.runId).json);
  assert.ok(json.includes("10.0.1.23"));
});

Deno.test("report step includes a cleanup outcome that cleanup stored before it", async () => {
  const ctx = context();
  await ctx.journal.put(CLEANUP_JOURNAL_KEY, sampleCleanup());
  await captureConsole(() => reportStep.run(ctx, { console: false }, new AbortController().signal));
  const json = JSON.parse(Deno.readTextFileSync(reportFiles(ctx.settings.workDir, ctx.runId).json));
  assert.equal(json.cleanup.kept[0].instance_id, "i-0aaa0000000000002");
});

Deno.test("recordCleanupInReport adds the cleanup section to all four files and prints it", async () => {
  const ctx = context();
  await captureConsole(() => reportStep.run(ctx, { console: false }, new AbortController().signal));
  const files = reportFiles(ctx.settings.workDir, ctx.runId);
  assert.ok(!Deno.readTextFileSync(files.markdown).includes("## Cleanup"));

  const printed = await captureConsole(() => recordCleanupInReport(ctx, sampleCleanup()));
  assert.ok(printed.includes("kept running"));
  assert.ok(printed.includes("aws ec2 delete-placement-group --region us-east-1"));

  const json = JSON.parse(Deno.readTextFileSync(files.json));
  assert.deepEqual(json.cleanup.terminated.map((i: { instance_id: string }) => i.instance_id), [
    "i-0aaa0000000000001",
  ]);
  assert.equal(json.cleanup.failed[0].error, "UnauthorizedOperation from [IPv4]");
  assert.equal(json.targets.length, 6, "targets kept from the stored model");
  assert.ok(Deno.readTextFileSync(files.yaml).includes("placement_groups_failed:"));
  assert.ok(Deno.readTextFileSync(files.markdown).includes("## Cleanup"));
  const junit = parseXml(Deno.readTextFileSync(files.junit));
  assert.equal(findAll(junit, "testcase").length, 6);
});

Deno.test("recordCleanupInReport only prints when no report was written in the run", async () => {
  const ctx = context();
  const printed = await captureConsole(() => recordCleanupInReport(ctx, sampleCleanup()));
  assert.ok(printed.includes("Cleanup"));
  assert.ok(printed.includes("i-0ccc0000000000003"));
  const files = reportFiles(ctx.settings.workDir, ctx.runId);
  assert.throws(() => Deno.statSync(files.json), Deno.errors.NotFound);
});

Deno.test("report step input rejects unknown keys", () => {
  assert.equal(reportStep.input.safeParse({ colour: true }).success, false);
  assert.deepEqual(reportStep.input.parse({}), { console: true });
});

Deno.test("report step with no targets (launch failed early) still writes a valid report", async () => {
  const ctx = Object.assign(
    makeTestContext({ step: { id: "report", type: "report" }, targets: [] }),
    { runId: "20261129-101500-zz99", pipelineName: "ptp" },
  );
  let printed = "";
  printed = await captureConsole(() =>
    reportStep.run(ctx, { console: true }, new AbortController().signal)
  );
  assert.ok(printed.includes("(no targets)"));
  const files = reportFiles(ctx.settings.workDir, ctx.runId);
  const json = JSON.parse(Deno.readTextFileSync(files.json));
  assert.equal(json.summary.total, 0);
  assert.equal(findAll(parseXml(Deno.readTextFileSync(files.junit)), "testcase").length, 0);
});
