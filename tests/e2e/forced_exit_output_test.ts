/**
 * End to end: a second Ctrl-C (forced exit) still prints the `--output json`
 * document (status interrupted, what may be left behind) and leaves the
 * journal saying interrupted.
 */
import assert from "node:assert/strict";
import {
  makeWorkDir,
  pollFor,
  PTP_PIPELINE,
  readJournal,
  simSetArgs,
  spawnCli,
} from "./helpers.ts";
import { startSimulator } from "../../sim/mod.ts";

Deno.test("a forced exit (second Ctrl-C) still prints the --output json document", async () => {
  // Slow time (x10): RunInstances answers late and its instances show up 2.5 s
  // after launch, so the first Ctrl-C leaves the run recovering them for a while.
  const sim = await startSimulator({ speed: 10 });
  sim.faults.runInstancesDelaySeconds = 100;
  sim.faults.instanceVisibilitySeconds = 25;
  const cwd = await makeWorkDir();
  try {
    const cli = spawnCli([
      "run",
      PTP_PIPELINE,
      "--yes",
      "--output",
      "json",
      ...simSetArgs(sim),
      "--set",
      "instance_types=c7i.large:2",
    ], { cwd, env: sim.env });
    await pollFor("RunInstances to arrive", () => sim.instances().length === 2 ? true : undefined);
    cli.child.kill("SIGINT");
    await new Promise((resolve) => setTimeout(resolve, 1200));
    cli.child.kill("SIGINT");
    const result = await cli.finished();
    assert.equal(result.code, 130, result.stderr);
    assert.match(result.stderr, /exiting now/);
    const doc = JSON.parse(result.stdout);
    assert.equal(doc.status, "interrupted");
    assert.equal(doc.exit_code, 130);
    assert.equal(doc.forced_exit, true);
    assert.ok(Array.isArray(doc.left_behind), result.stdout);
    assert.ok(Array.isArray(doc.targets), result.stdout);
    const journal = await readJournal(cwd, doc.run_id);
    assert.equal(journal?.status, "interrupted");
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});
