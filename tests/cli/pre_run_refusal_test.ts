/**
 * `run` refuses before the run starts (exit 2, `status: invalid`, no run id,
 * no journal, no reports) what the inputs and flags already tell: a count over
 * `--max-instances`, a big launch without `--yes` and without a terminal, a
 * region for hosts given by address. Exit 2 never comes from a started run.
 */
import assert from "node:assert/strict";
import { launchProblemsBeforeRun } from "../../steps/launch.ts";
import type { RunSettings } from "../../runner/types.ts";
import { ROOT } from "./cli-helper.ts";

/** Runs `ptp-runner <args>` in a fresh work dir; returns its output and what it left there. */
async function runInEmptyDir(args: string[]) {
  const workDir = await Deno.makeTempDir({ prefix: "ptp-pre-run-" });
  try {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-P=cli", "--quiet", `--config=${ROOT}deno.json`, `${ROOT}main.ts`, ...args],
      cwd: workDir,
      env: { NO_COLOR: "1", CI: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    const left = (await Array.fromAsync(Deno.readDir(workDir))).map((e) => e.name);
    return {
      code: output.code,
      stdout: decode(output.stdout),
      stderr: decode(output.stderr),
      left,
    };
  } finally {
    await Deno.remove(workDir, { recursive: true });
  }
}

Deno.test("run refuses a count over --max-instances before the run: status invalid, exit 2, nothing created", async () => {
  const r = await runInEmptyDir([
    "run",
    `${ROOT}pipelines/ptp.yaml`,
    "--simulate",
    "--yes",
    "--set",
    "instance_types=c7i.large:60",
    "--output",
    "json",
  ]);
  assert.equal(r.code, 2, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.status, "invalid");
  assert.equal(doc.exit_code, 2);
  assert.equal(doc.run_id, undefined);
  assert.equal(doc.problems[0].key, "steps[0].with.instance_types");
  assert.match(doc.problems[0].message, /c7i\.large:60 .*pass --max-instances 60/);
  assert.deepEqual(r.left, [], "no journal and no reports");
});

Deno.test("run refuses a region for hosts given by address before the run (exit 2, nothing created)", async () => {
  const r = await runInEmptyDir([
    "run",
    `${ROOT}pipelines/existing-hosts.yaml`,
    "--set",
    "hosts=10.0.1.12",
    "--set",
    "region=us-east-1",
  ]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    /existing-hosts\.yaml:\d+:\d+: steps\[0\]\.with\.region: region "us-east-1" applies only to hosts selected by instance_ids or tags/,
  );
  assert.doesNotMatch(r.stdout + r.stderr, /run \d{8}-\d{6}/, "no run id");
  assert.deepEqual(r.left, []);
});

Deno.test("run refuses a launch needing confirmation without --yes and without a terminal before the run", async () => {
  const r = await runInEmptyDir([
    "run",
    `${ROOT}pipelines/ptp.yaml`,
    "--simulate",
    "--set",
    "instance_types=c7i.large:6",
  ]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /launching 6 instance\(s\) of 1 type\(s\) needs confirmation.*pass --yes/);
  assert.deepEqual(r.left, []);
});

/** `launchProblemsBeforeRun` on literal `with:` values and the given flags. */
function launchProblems(values: Record<string, unknown>, flags: Partial<RunSettings>) {
  const own = { index: 0, id: "launch", uses: "launch", values, from: {} };
  return launchProblemsBeforeRun(own, { steps: [own], settings: flags as RunSettings });
}

Deno.test("launchProblemsBeforeRun: over the limit, and confirmation only when it would be refused", () => {
  const settings = { yes: false, interactive: false, dryRun: false };
  assert.deepEqual(launchProblems({ instance_types: "c7i.large:2" }, settings), []);
  const over = launchProblems(
    { instance_types: ["c7i.large:3"] },
    { ...settings, yes: true, maxInstancesPerType: 2 },
  );
  assert.equal(over.length, 1);
  assert.match(over[0].message, /more than 2 instances of one type; pass --max-instances 3/);
  const big = { instance_types: "a1.large,c7i.large,m7i.large,r7g.large" };
  assert.match(launchProblems(big, settings)[0]?.message ?? "", /pass --yes/);
  assert.deepEqual(launchProblems(big, { ...settings, yes: true }), []);
  assert.deepEqual(launchProblems(big, { ...settings, interactive: true }), []);
  assert.deepEqual(launchProblems(big, { ...settings, dryRun: true }), []);
  // Types from a step's outputs are not known before the run: the run checks them.
  assert.deepEqual(launchProblems({}, settings), []);
  // Under `validate` there are no flags: nothing to check.
  const own = { index: 0, id: "launch", uses: "launch", values: big, from: {} };
  assert.deepEqual(launchProblemsBeforeRun(own, { steps: [own] }), []);
});

Deno.test("run --resume with an unknown run id says so first (not the inputs) and how to list the runs", async () => {
  for (const id of ["nonexistent-id", "20261129-101500-ab12"]) {
    const r = await runInEmptyDir(["run", `${ROOT}pipelines/ptp.yaml`, "--resume", id]);
    assert.equal(r.code, 2, r.stderr);
    const lines = r.stderr.trim().split("\n");
    assert.match(
      lines[0],
      new RegExp(`^--resume: .*${id}.*; list the runs with: ptp-runner runs$`),
    );
    assert.doesNotMatch(r.stderr, /subnet_id/, "the inputs are not what is wrong");
    assert.deepEqual(r.left, []);
  }
});

Deno.test("run --region with a name that is no region is refused before the run, as discover refuses it", async () => {
  const run = await runInEmptyDir([
    "run",
    `${ROOT}pipelines/ptp.yaml`,
    "--region",
    "nowhere-1",
    "--set",
    "subnet_id=subnet-0123456789abcdef0",
  ]);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /^--region: "nowhere-1" is not a region name \(e\.g\. us-east-1\)$/m);
  assert.doesNotMatch(run.stderr, /subnet-0123456789abcdef0/, "the subnet is not blamed");
  assert.deepEqual(run.left, []);
  const discover = await runInEmptyDir(["discover", "--region", "nowhere-1"]);
  assert.equal(discover.code, 2);
  assert.match(discover.stderr, /"nowhere-1" is not a region name \(e\.g\. us-east-1\)/);
});

Deno.test("a region input with a name that is no region is refused before the run", async () => {
  const r = await runInEmptyDir([
    "run",
    `${ROOT}pipelines/existing-hosts.yaml`,
    "--set",
    "instance_ids=i-0123456789abcdef0",
    "--set",
    "region=nowhere-1",
  ]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /steps\[0\]\.with\.region: expected a region, e\.g\. "eu-west-1"/);
  assert.deepEqual(r.left, []);
});
