/**
 * End to end: `ptp-runner runs` lists past runs from the journals, with the
 * instances a run left running and the command that releases them, as text
 * and as JSON (issue 13, point 5).
 */
import assert from "node:assert/strict";
import {
  activeInstances,
  makeWorkDir,
  PTP_PIPELINE,
  ptpRunArgs,
  runCli,
  runIdFrom,
  startE2eSimulator,
  waitAllTerminated,
} from "./helpers.ts";

Deno.test("runs lists a run that kept its instance with the cleanup command, and none once cleanup --output json released it", async () => {
  const sim = await startE2eSimulator();
  const cwd = await makeWorkDir();
  try {
    const empty = await runCli(["runs", "--output", "json"], { cwd, env: sim.env });
    assert.equal(empty.code, 0, empty.stderr);
    assert.deepEqual(JSON.parse(empty.stdout), []);

    const run = await runCli(
      ptpRunArgs(sim, "c7i.large", [
        "--keep",
        "all",
      ]),
      { cwd, env: sim.env },
    );
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const runId = runIdFrom(run.stdout);
    const [instance] = activeInstances(sim);

    const listed = await runCli(["runs", "--output", "json"], { cwd, env: sim.env });
    const runs = JSON.parse(listed.stdout);
    assert.equal(runs.length, 1);
    assert.equal(runs[0].run_id, runId);
    assert.equal(runs[0].pipeline, "ptp");
    assert.equal(runs[0].status, "succeeded");
    assert.deepEqual(runs[0].running_instances.map((i: { id: string }) => i.id), [
      instance.instanceId,
    ]);
    assert.equal(runs[0].release_command, `ptp-runner cleanup --run ${runId} --include-kept`);

    const text = await runCli(["runs"], { cwd, env: sim.env });
    assert.match(text.stdout, new RegExp(`^${runId}\\s+ptp\\s+\\S+\\s+succeeded\\s+0\\s+1$`, "m"));
    assert.ok(text.stdout.includes(`cleanup --run ${runId} --include-kept`), text.stdout);

    const cleanup = await runCli(
      ["cleanup", "--run", runId, "--include-kept", "--yes", "--output", "json"],
      { cwd, env: sim.env },
    );
    assert.equal(cleanup.code, 0, cleanup.stdout + cleanup.stderr);
    const released = JSON.parse(cleanup.stdout);
    assert.equal(released.exit_code, 0);
    assert.deepEqual(released.still_open, []);
    assert.deepEqual(
      released.outcome.terminated.map((i: { instance_id: string }) => i.instance_id),
      [instance.instanceId],
    );
    assert.ok(Array.isArray(released.outcome.placement_groups_deleted), cleanup.stdout);
    // Every key of the document is snake_case.
    assert.doesNotMatch(cleanup.stdout, /"[a-z]+[A-Z]\w*":/, cleanup.stdout);
    // Cleaning up again does nothing, and the document says so (no earlier outcome repeated).
    const again = await runCli(
      ["cleanup", "--run", runId, "--include-kept", "--yes", "--output", "json"],
      { cwd, env: sim.env },
    );
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stderr, /nothing left to release/);
    assert.equal(JSON.parse(again.stdout).outcome, null, again.stdout);
    await waitAllTerminated(sim);
    const after = JSON.parse(
      (await runCli(["runs", "--output", "json"], { cwd, env: sim.env })).stdout,
    );
    assert.deepEqual(after[0].running_instances, []);
    assert.equal(after[0].release_command, null);
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("runs does not list the kept instances of a --simulate run, and cleanup --run of it has nothing to do", async () => {
  const cwd = await makeWorkDir();
  try {
    const run = await runCli([
      "run",
      PTP_PIPELINE,
      "--simulate",
      "--yes",
      "--set",
      "instance_types=c7i.large",
      "--keep",
      "all",
    ], { cwd, env: {} });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const runId = runIdFrom(run.stdout);
    const listed = await runCli(["runs", "--output", "json"], { cwd, env: {} });
    const runs = JSON.parse(listed.stdout);
    assert.equal(runs[0].run_id, runId);
    assert.deepEqual(runs[0].running_instances, []);
    assert.equal(runs[0].release_command, null, listed.stdout);
    // Pasting a cleanup anyway: nothing to clean, no AWS credentials needed.
    const cleanup = await runCli(["cleanup", "--run", runId], { cwd, env: {} });
    assert.equal(cleanup.code, 0, cleanup.stdout + cleanup.stderr);
    assert.match(cleanup.stdout, /was simulated \(--simulate\)/);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
