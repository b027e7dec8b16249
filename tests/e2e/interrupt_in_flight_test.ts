/**
 * End to end: Ctrl-C while RunInstances is in flight, against a simulator
 * where RunInstances answers late and DescribeInstances shows new instances
 * only after a delay (EC2's eventual consistency). The tool must find the
 * aborted request's instances by its ClientToken and the run tag, and
 * terminate them before it exits: no recovery command needed.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { RECOVERY_WINDOW_SECONDS } from "../../plugins/aws/launch/abort-launch.ts";
import {
  activeInstances,
  makeWorkDir,
  pollFor,
  ptpRunArgs,
  readEvents,
  requestsOf,
  spawnCli,
  startE2eSimulator,
} from "./helpers.ts";

Deno.test("Ctrl-C during an in-flight RunInstances finds its late-visible instances and terminates them", async () => {
  const sim = await startE2eSimulator();
  // RunInstances answers after 3 s real (600 simulated s); its instances show up
  // in DescribeInstances 20 simulated seconds after launch, within the recovery window.
  sim.faults.runInstancesDelaySeconds = 600;
  sim.faults.instanceVisibilitySeconds = 20;
  assert.ok(sim.faults.instanceVisibilitySeconds < RECOVERY_WINDOW_SECONDS);
  const cwd = await makeWorkDir();
  try {
    const log = join(cwd, "events.jsonl");
    const cli = spawnCli(
      ptpRunArgs(sim, "c7i.large:4", [
        "--log-json",
        log,
      ]),
      { cwd, env: sim.env },
    );
    // The request arrived (its instances exist) but has not been answered.
    await pollFor("RunInstances to arrive", () => sim.instances().length === 4 ? true : undefined);
    assert.equal(requestsOf(sim, "RunInstances").length, 0, "RunInstances is still in flight");
    cli.child.kill("SIGINT");
    const result = await cli.finished();
    assert.equal(result.code, 130, result.stdout + result.stderr);
    assert.deepEqual(activeInstances(sim), [], "no instance of the run left pending or running");
    assert.match(result.stdout + result.stderr, /RunInstances request\(s\) were in flight/);
    const lookups = requestsOf(sim, "DescribeInstances").filter((r) =>
      Object.values(r.params).includes("client-token")
    );
    assert.ok(lookups.length > 1, "the recovery polled by client token more than once");
    const events = await readEvents(log);
    assert.ok(events.some((e) => e.type === "step-finished" && e.stepId === "cleanup"));
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});
