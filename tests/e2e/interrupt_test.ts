/**
 * End to end: Ctrl-C (SIGINT) on `ptp-runner run` exits 130 after the report
 * and cleanup always-steps ran, and leaves no instance pending or running.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { SimulatorHandle } from "../../sim/mod.ts";
import {
  activeInstances,
  type CliResult,
  type JsonEvent,
  makeWorkDir,
  ptpRunArgs,
  readEvents,
  runIdFrom,
  spawnCli,
  startE2eSimulator,
  waitForEvent,
} from "./helpers.ts";

/** Runs the ptp pipeline, sends SIGINT once `trigger` matches an event, and returns what it left. */
async function interruptWhen(
  sim: SimulatorHandle,
  cwd: string,
  instanceTypes: string,
  what: string,
  trigger: (event: JsonEvent) => boolean,
): Promise<{ result: CliResult; events: JsonEvent[]; trigger: JsonEvent }> {
  const log = join(cwd, "events.jsonl");
  const cli = spawnCli(
    ptpRunArgs(sim, `${instanceTypes}`, [
      "--log-json",
      log,
    ]),
    { cwd, env: sim.env },
  );
  let seen: JsonEvent;
  try {
    seen = await waitForEvent(log, what, trigger);
  } catch (error) {
    cli.child.kill("SIGKILL");
    const left = await cli.finished();
    throw new Error(`${(error as Error).message}\n${left.stdout}${left.stderr}`);
  }
  cli.child.kill("SIGINT");
  const result = await cli.finished();
  return { result, events: await readEvents(log), trigger: seen };
}

/**
 * Asserts exit 130, that report and cleanup ran (events, report.json, journal)
 * and that report.json says interrupted and counts every target as cancelled.
 */
async function assertInterruptedCleanly(
  sim: SimulatorHandle,
  cwd: string,
  result: CliResult,
  events: JsonEvent[],
): Promise<void> {
  assert.equal(result.code, 130, result.stdout + result.stderr);
  const finished = (stepId: string) =>
    events.some((e) => e.type === "step-finished" && e.stepId === stepId && e.status === "ok");
  assert.ok(finished("report"), "the report always-step ran");
  assert.ok(finished("cleanup"), "the cleanup always-step ran");
  const runId = runIdFrom(result.stdout);
  const report = JSON.parse(
    await Deno.readTextFile(join(cwd, "reports", runId, "report.json")),
  );
  assert.equal(report.interrupted, true, "report.json says the run was interrupted");
  assert.equal(report.summary.error, 0, "cancelled targets are not counted as errors");
  assert.equal(report.summary.cancelled, report.summary.total, JSON.stringify(report.summary));
  const runFinished = events.find((e) => e.type === "run-finished");
  assert.equal(runFinished?.interrupted, true);
  assert.ok(sim.instances().length > 0, "instances had been launched");
  assert.deepEqual(activeInstances(sim), [], "no instance left pending or running");
}

Deno.test("Ctrl-C during launch exits 130, runs report and cleanup and leaves no instance running", async () => {
  const sim = await startE2eSimulator();
  const cwd = await makeWorkDir();
  try {
    const { result, events } = await interruptWhen(
      sim,
      cwd,
      "c7i.large:2,r7g.large",
      "the first RunInstances call",
      (e) => e.type === "aws-call" && e.operation === "RunInstances",
    );
    await assertInterruptedCleanly(sim, cwd, result, events);
    assert.ok(
      !events.some((e) => e.type === "step-started" && e.stepId === "configure-chrony"),
      "interrupted before the host steps",
    );
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("Ctrl-C mid-pipeline exits 130, runs report and cleanup and leaves no instance running", async () => {
  const sim = await startE2eSimulator();
  const cwd = await makeWorkDir();
  try {
    const { result, events } = await interruptWhen(
      sim,
      cwd,
      "c7i.large,r7g.large",
      "enable-hwts or configure-chrony started",
      (e) =>
        e.type === "step-started" &&
        (e.stepId === "enable-hwts" || e.stepId === "configure-chrony"),
    );
    await assertInterruptedCleanly(sim, cwd, result, events);
    assert.equal(sim.instances().length, 2);
    const verdicts = events.filter((e) => e.type === "target-finished").map((e) => e.verdict);
    assert.ok(!verdicts.includes("functional"), `no target got to a verdict: ${verdicts}`);
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});
