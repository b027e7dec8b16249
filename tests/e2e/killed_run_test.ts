/**
 * End to end: a run killed with SIGKILL right after launch leaves its
 * instances running; `ptp-runner cleanup --run <id>` (from the journal) or
 * `ptp-runner sweep` (by tag) terminates them.
 */
import assert from "node:assert/strict";
import type { SimulatorHandle } from "../../sim/mod.ts";
import { SIM_ACCOUNT_ID } from "../../sim/state/account.ts";
import { RUN_ACCOUNT_JOURNAL_KEY } from "../../plugins/aws/shared/recorded-account.ts";
import {
  activeInstances,
  makeWorkDir,
  pollFor,
  PTP_PIPELINE,
  readJournal,
  runCli,
  runIdFrom,
  simSetArgs,
  spawnCli,
  startE2eSimulator,
} from "./helpers.ts";

/** Instances launched by the killed run. */
const FLEET = "c7i.large:2";

/** Starts a run, SIGKILLs it once the journal records both instances, and returns the run id and ids. */
async function killAfterLaunch(
  sim: SimulatorHandle,
  cwd: string,
): Promise<{ runId: string; instanceIds: string[] }> {
  const cli = spawnCli(
    ["run", PTP_PIPELINE, "--yes", ...simSetArgs(sim), "--set", `instance_types=${FLEET}`],
    { cwd, env: sim.env },
  );
  try {
    await cli.stdout.until(/\brun \d{8}-\d{6}-[0-9a-z]{4}/);
    const runId = runIdFrom(cli.stdout.text());
    const instanceIds = await pollFor("two instances in the journal", async () => {
      const journal = await readJournal(cwd, runId);
      const resources = (journal?.resources ?? []) as { kind: string; id: string }[];
      const ids = resources.filter((r) => r.kind === "ec2-instance").map((r) => r.id);
      return ids.length === 2 ? ids.sort() : undefined;
    });
    return { runId, instanceIds };
  } finally {
    cli.child.kill("SIGKILL");
    const status = await cli.child.status;
    await Promise.all([cli.stdout.done, cli.stderr.done]);
    assert.equal(status.signal, "SIGKILL");
  }
}

/** Waits briefly until nothing is pending or running. */
function nothingActive(sim: SimulatorHandle): Promise<boolean> {
  return pollFor(
    "no instance pending or running",
    () => activeInstances(sim).length === 0 ? true : undefined,
    5_000,
  );
}

Deno.test("after SIGKILL the launched instances keep running and cleanup --run terminates them", async () => {
  const sim = await startE2eSimulator();
  const cwd = await makeWorkDir();
  try {
    const { runId, instanceIds } = await killAfterLaunch(sim, cwd);
    assert.deepEqual(activeInstances(sim).map((i) => i.instanceId).sort(), instanceIds);
    const journal = await readJournal(cwd, runId);
    assert.deepEqual(
      (journal?.values as Record<string, unknown> | undefined)?.[RUN_ACCOUNT_JOURNAL_KEY],
      { account: SIM_ACCOUNT_ID, region: "us-east-1" },
      "the run recorded the account and region it launched in",
    );
    const cleanup = await runCli(["cleanup", "--run", runId, "--yes"], { cwd, env: sim.env });
    assert.equal(cleanup.code, 0, cleanup.stdout + cleanup.stderr);
    await nothingActive(sim);
    assert.deepEqual(
      sim.instances().map((i) => i.instanceId).sort(),
      instanceIds,
      "cleanup launched nothing",
    );
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("after SIGKILL ptp-runner sweep finds the tagged instances and terminates them", async () => {
  const sim = await startE2eSimulator();
  const cwd = await makeWorkDir();
  try {
    const { runId, instanceIds } = await killAfterLaunch(sim, cwd);
    assert.deepEqual(activeInstances(sim).map((i) => i.instanceId).sort(), instanceIds);
    const sweep = await runCli(["sweep", "--yes"], { cwd, env: sim.env });
    assert.equal(sweep.code, 0, sweep.stdout + sweep.stderr);
    for (const id of instanceIds) {
      assert.match(sweep.stdout, new RegExp(`${id}\\s+c7i\\.large\\s+\\S+\\s+\\S+\\s+${runId}`));
    }
    await nothingActive(sim);
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});
