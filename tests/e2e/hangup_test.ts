/**
 * End to end: SIGHUP (the terminal closed, the operator's SSH session dropped)
 * cancels the run like Ctrl-C: exit 130 after cleanup, no instance left
 * pending or running, even when stdout and stderr are gone by then.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  activeInstances,
  CONFIG,
  MAIN,
  makeWorkDir,
  PTP_PIPELINE,
  readEvents,
  readReport,
  runIdFrom,
  simSetArgs,
  spawnCli,
  startE2eSimulator,
  waitForEvent,
} from "./helpers.ts";

const launched = (e: { type: string; operation?: unknown }) =>
  e.type === "aws-call" && e.operation === "RunInstances";

Deno.test("SIGHUP during launch cancels the run, cleans up and exits 130", async () => {
  const sim = await startE2eSimulator();
  const cwd = await makeWorkDir();
  try {
    const log = join(cwd, "events.jsonl");
    const cli = spawnCli(
      ["run", PTP_PIPELINE, "--yes", ...simSetArgs(sim), "--set", "instance_types=c7i.large:2"]
        .concat(["--log-json", log]),
      { cwd, env: sim.env },
    );
    await waitForEvent(log, "RunInstances", launched);
    cli.child.kill("SIGHUP");
    const result = await cli.finished();
    assert.equal(result.code, 130, result.stdout + result.stderr);
    const events = await readEvents(log);
    assert.ok(
      events.some((e) => e.type === "step-finished" && e.stepId === "cleanup"),
      "the cleanup always-step ran",
    );
    assert.ok(sim.instances().length > 0, "instances had been launched");
    assert.deepEqual(activeInstances(sim), [], "no instance left pending or running");
    // The final report names the signal received, not "Ctrl-C or SIGTERM".
    const report = await readReport(cwd, runIdFrom(result.stdout));
    assert.equal(report.interrupted_by, "SIGHUP");
    assert.equal(report.run?.status, "interrupted");
    const md = await Deno.readTextFile(join(cwd, "reports", report.run_id, "report.md"));
    assert.match(md, /\*\*Run interrupted by SIGHUP\*\*/);
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("SIGHUP after the terminal is gone (stdout and stderr closed) still cleans up", async () => {
  const sim = await startE2eSimulator();
  const cwd = await makeWorkDir();
  try {
    const log = join(cwd, "events.jsonl");
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-P=cli",
        `--config=${CONFIG}`,
        MAIN,
        "run",
        PTP_PIPELINE,
        "--yes",
        ...simSetArgs(sim),
        "--set",
        "instance_types=c7i.large:2",
        "--log-json",
        log,
      ],
      cwd,
      env: { ...sim.env, NO_COLOR: "1", CI: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    await waitForEvent(log, "RunInstances", launched);
    // The terminal goes away: nobody reads stdout/stderr any more (writes fail with EPIPE).
    await child.stdout.cancel();
    await child.stderr.cancel();
    child.kill("SIGHUP");
    const status = await child.status;
    assert.equal(status.code, 130);
    const events = await readEvents(log);
    const finished = events.find((e) => e.type === "run-finished");
    assert.equal(finished?.interrupted, true, "the run finished as interrupted");
    assert.ok(sim.instances().length > 0, "instances had been launched");
    assert.deepEqual(activeInstances(sim), [], "no instance left pending or running");
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});
