/**
 * End to end, CI-grade results (issue 13, points 1, 2 and 5): the CLI as a
 * subprocess against the simulator. A launch refused by EC2 gives a JUnit
 * `<error>` and exit 1; a target whose chrony never selects the PHC exits 1
 * as `misconfigured`; `--output json` and `--log-json -` put only JSON on
 * stdout; `--report-dir` chooses where the report goes; `--fail-on
 * unsupported` fails a run with an unsupported type; every run ends on the
 * recap and one verdict line.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startSimulator } from "../../sim/mod.ts";
import {
  E2E_SPEED,
  makeWorkDir,
  PTP_PIPELINE,
  ptpRunArgs,
  readReport,
  runCli,
  runIdFrom,
  simSetArgs,
  startE2eSimulator,
  waitAllTerminated,
} from "./helpers.ts";

/** c7i.large as in the default profile, but chrony never selects the PHC. */
const NEVER_SELECTS_PROFILE = `
instance_types:
  c7i.large:
    architecture: x86_64
    vcpus: 2
    memory_mib: 4096
    phc_support: supported
    placement_strategies: [cluster, partition, spread, precision-time]
    faults:
      chrony_never_selects: true
`;

/** Attributes of the first `<tag ...>` whose attributes match `pattern`. */
function testcases(junit: string): { attrs: string; body: string }[] {
  return [...junit.matchAll(/<testcase\b([^>]*)>([\s\S]*?)<\/testcase>/g)].map((m) => ({
    attrs: m[1],
    body: m[2],
  }));
}

Deno.test("a run whose launch EC2 refuses exits 1 and every report file names the failed step", async () => {
  const sim = await startE2eSimulator();
  const cwd = await makeWorkDir();
  try {
    const result = await runCli([
      "run",
      PTP_PIPELINE,
      "--yes",
      ...simSetArgs(sim),
      "--set",
      "key_name=no-such-key",
      "--set",
      "instance_types=c7i.large",
    ], { cwd, env: sim.env });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const runId = runIdFrom(result.stdout);
    const dir = join(cwd, "reports", runId);

    const junit = await Deno.readTextFile(join(dir, "junit.xml"));
    const cases = testcases(junit);
    const launch = cases.find((c) => /classname="pipeline"/.test(c.attrs));
    assert.ok(launch, junit);
    assert.match(launch.body, /<error\b[^>]*message="launch failed: [^"]*no-such-key/);
    assert.match(junit, /<testsuites [^>]*errors="[1-9]/);
    assert.match(junit, /<property name="exit_code" value="1"\/>/);

    const report = JSON.parse(await Deno.readTextFile(join(dir, "report.json")));
    assert.equal(report.run.status, "failed");
    assert.equal(report.run.exit_code, 1);
    assert.equal(report.run.failures[0].step_id, "launch");
    assert.match(report.run.failures[0].message, /no-such-key/);

    const md = await Deno.readTextFile(join(dir, "report.md"));
    assert.match(md, /\*\*Run failed\*\*: step launch \(launch\) failed/);
    assert.match(md, /exit code 1/);

    assert.match(result.stdout, /run failed: step launch: .*no-such-key/);
    assert.match(result.stdout, /0 functional, 0 unsupported, 0 failed in [\d.]+ s \(exit 1\)\n$/);
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("a target whose chrony never selects the PHC is misconfigured and the run exits 1", async () => {
  const cwd = await makeWorkDir();
  const profilesFile = join(cwd, "profiles.yaml");
  await Deno.writeTextFile(profilesFile, NEVER_SELECTS_PROFILE);
  const sim = await startSimulator({ speed: E2E_SPEED, profilesFile });
  try {
    const result = await runCli(ptpRunArgs(sim, "c7i.large"), { cwd, env: sim.env });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const runId = runIdFrom(result.stdout);
    const report = await readReport(cwd, runId);
    assert.equal(report.targets[0].verdict, "misconfigured");
    const junit = await Deno.readTextFile(join(cwd, "reports", runId, "junit.xml"));
    assert.match(junit, /<failure type="misconfigured"/);
    assert.match(result.stdout, /c7i\.large 1 of 1\s+misconfigured\s+ok=\d+/);
    assert.match(result.stdout, /0 functional, 0 unsupported, 1 failed in [\d.]+ s \(exit 1\)/);
    await waitAllTerminated(sim);
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("--output json, --report-dir and --fail-on unsupported: JSON on stdout lists every target", async (t) => {
  const sim = await startE2eSimulator();
  const cwd = await makeWorkDir();
  try {
    const result = await runCli(
      ptpRunArgs(sim, "c7i.large,t3.micro", [
        "--output",
        "json",
        "--report-dir",
        "out",
        "--fail-on",
        "unsupported",
      ]),
      { cwd, env: sim.env },
    );

    await t.step("stdout is one JSON document listing every target with its step counts", () => {
      const doc = JSON.parse(result.stdout);
      assert.deepEqual(
        doc.targets.map((x: { id: string; verdict: string }) => [x.id, x.verdict]).sort(),
        [["c7i.large-1", "functional"], ["t3.micro-1", "unsupported"]],
      );
      const c7i = doc.targets.find((x: { id: string }) => x.id === "c7i.large-1");
      assert.ok(c7i.steps.ok > 0 && c7i.steps.changed > 0, JSON.stringify(c7i.steps));
      assert.equal(doc.exit_code, 1);
      assert.equal(doc.report_dir, join(cwd, "out"));
    });

    await t.step("--fail-on unsupported makes the unsupported type fail the run (exit 1)", () => {
      assert.equal(result.code, 1, result.stderr);
    });

    await t.step("logs, the recap and the report went to stderr", () => {
      assert.match(result.stderr, /RECAP\n {2}c7i\.large 1 of 1 .*\n {2}t3\.micro 1 of 1 /);
      assert.match(
        result.stderr,
        /1 functional, 1 unsupported \(failing the run: --fail-on unsupported\), 0 failed in [\d.]+ s \(exit 1\)/,
      );
    });

    await t.step(
      "the report files are in --report-dir with the recap and the final exit code",
      async () => {
        const report = JSON.parse(await Deno.readTextFile(join(cwd, "out", "report.json")));
        assert.equal(report.run.status, "failed");
        assert.equal(report.run.exit_code, 1);
        assert.deepEqual(report.run.fail_on, ["unsupported"]);
        // Input order (c7i.large first), though t3.micro was added first (skipped at launch).
        assert.deepEqual(report.targets.map((x: { id: string }) => x.id), [
          "c7i.large-1",
          "t3.micro-1",
        ]);
        const c7i = report.recap.targets.find((x: { id: string }) => x.id === "c7i.large-1");
        assert.equal(c7i.verdict, "functional");
        assert.ok(c7i.changed > 0);
        assert.equal(report.recap.total.failed, 0);
        const md = await Deno.readTextFile(join(cwd, "out", "report.md"));
        assert.match(md, /exit code 1 \(--fail-on unsupported: 1 target unsupported\)/);
        const junit = await Deno.readTextFile(join(cwd, "out", "junit.xml"));
        assert.match(junit, /<failure type="unsupported"/);
        for (const c of testcases(junit)) assert.match(c.attrs, /time="\d+\.\d{3}"/);
        await assert.rejects(Deno.stat(join(cwd, "reports")), Deno.errors.NotFound);
      },
    );
    await waitAllTerminated(sim);
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("--log-json - writes JSON Lines to stdout and creates no file named -", async () => {
  const sim = await startE2eSimulator();
  const cwd = await makeWorkDir();
  try {
    const result = await runCli(
      ptpRunArgs(sim, "t3.micro", [
        "--log-json",
        "-",
      ]),
      { cwd, env: sim.env },
    );
    assert.equal(result.code, 0, result.stderr);
    const events = result.stdout.trimEnd().split("\n").map((line) => JSON.parse(line));
    assert.equal(events[0].type, "run-started");
    assert.equal(events.at(-1).type, "run-finished");
    await assert.rejects(Deno.stat(join(cwd, "-")), Deno.errors.NotFound);
    assert.match(result.stderr, /0 functional, 1 unsupported, 0 failed/);
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});
