/**
 * End to end: a second Ctrl-C while cleanup is still terminating (forced
 * exit) leaves report files that say what may be left behind: report.json
 * `forced_exit` and `left_behind` with the cleanup command, report.md's
 * "Left behind" section, and a junit.xml `<error>` a CI job sees.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  activeInstances,
  makeWorkDir,
  ptpRunArgs,
  runIdFrom,
  spawnCli,
  startE2eSimulator,
  waitForEvent,
} from "./helpers.ts";
import { SIGNAL_REPEAT_WINDOW_MS } from "../../runner/signals.ts";

Deno.test("a forced exit during cleanup leaves report files that list what was left behind", async () => {
  const sim = await startE2eSimulator();
  const cwd = await makeWorkDir();
  const log = join(cwd, "events.jsonl");
  try {
    const cli = spawnCli(
      ptpRunArgs(sim, "c7i.large,r7g.large", [
        "--log-json",
        log,
      ]),
      { cwd, env: sim.env },
    );
    try {
      await waitForEvent(
        log,
        "a host step started",
        (e) => e.type === "step-started" && e.stepId === "detect-arch",
      );
      // EC2 now answers RequestLimitExceeded: cleanup keeps retrying its terminations.
      sim.faults.throttleNext = 100_000;
      cli.child.kill("SIGINT");
      const started = Date.now();
      await waitForEvent(
        log,
        "cleanup started",
        (e) => e.type === "step-started" && e.stepId === "cleanup",
      );
      const wait = SIGNAL_REPEAT_WINDOW_MS + 200 - (Date.now() - started);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    } finally {
      cli.child.kill("SIGINT");
    }
    const result = await cli.finished();
    sim.faults.throttleNext = 0;
    assert.equal(result.code, 130, result.stdout + result.stderr);
    assert.match(result.stdout + result.stderr, /exiting now/);
    const runId = runIdFrom(result.stdout);
    const running = activeInstances(sim).map((i) => i.instanceId).sort();
    assert.equal(running.length, 2, "both instances are still running");
    const dir = join(cwd, "reports", runId);
    const report = JSON.parse(await Deno.readTextFile(join(dir, "report.json")));
    assert.equal(report.forced_exit, true);
    assert.deepEqual(report.left_behind.resources.map((r: { id: string }) => r.id).sort(), running);
    const command = `ptp-runner cleanup --run ${runId}`;
    assert.equal(report.left_behind.cleanup_command, command);
    const md = await Deno.readTextFile(join(dir, "report.md"));
    assert.ok(md.includes("## Left behind") && md.includes(command), md);
    const junit = await Deno.readTextFile(join(dir, "junit.xml"));
    assert.match(junit, /<error type="left-behind"/);
    assert.doesNotMatch(junit, /errors="0"/);
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});
