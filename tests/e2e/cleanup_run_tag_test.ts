/**
 * End to end: `cleanup --run` after a SIGKILL while RunInstances was in
 * flight (so the journal never heard of the instances) finds them by the
 * run's tag in the journal's account and region and terminates them; a run
 * whose journal is corrupt is cleaned up by its tag alone, with the command
 * `runs` prints; and it refuses to touch a run whose process is still alive
 * unless `--force`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
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
import { RUN_ACCOUNT_JOURNAL_KEY } from "../../plugins/aws/shared/recorded-account.ts";

Deno.test("cleanup --run after SIGKILL during an in-flight RunInstances terminates the run's tagged instances", async () => {
  const sim = await startE2eSimulator();
  sim.faults.runInstancesDelaySeconds = 400; // 2 s real: the run is killed before the answer
  const cwd = await makeWorkDir();
  try {
    const cli = spawnCli(
      ["run", PTP_PIPELINE, "--yes", ...simSetArgs(sim), "--set", "instance_types=c7i.large:3"],
      { cwd, env: sim.env },
    );
    await cli.stdout.until(/\brun \d{8}-\d{6}-[0-9a-z]{4}/);
    const runId = runIdFrom(cli.stdout.text());
    await pollFor("RunInstances to arrive", () => sim.instances().length === 3 ? true : undefined);
    cli.child.kill("SIGKILL");
    await cli.finished();
    const journal = await readJournal(cwd, runId);
    assert.ok(journal?.values && RUN_ACCOUNT_JOURNAL_KEY in (journal.values as object));
    assert.equal(
      ((journal?.resources ?? []) as { kind: string }[]).filter((r) => r.kind === "ec2-instance")
        .length,
      0,
      "the journal never heard of the instances",
    );
    assert.equal(activeInstances(sim).length, 3);

    const cleanup = await runCli(["cleanup", "--run", runId, "--yes"], { cwd, env: sim.env });
    assert.equal(cleanup.code, 0, cleanup.stdout + cleanup.stderr);
    assert.match(cleanup.stdout, /found by its run tag/);
    await pollFor(
      "no instance of the run pending or running",
      () => activeInstances(sim).length === 0 ? true : undefined,
      5_000,
    );
    const again = await runCli(["cleanup", "--run", runId, "--yes"], { cwd, env: sim.env });
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /nothing left to release \(journal, and instances tagged/);
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("the cleanup command runs prints for a corrupt journal terminates the run's tagged instances", async () => {
  const sim = await startE2eSimulator();
  sim.faults.runInstancesDelaySeconds = 400; // 2 s real: the run is killed before the answer
  const cwd = await makeWorkDir();
  try {
    const cli = spawnCli(
      ["run", PTP_PIPELINE, "--yes", ...simSetArgs(sim), "--set", "instance_types=c7i.large:2"],
      { cwd, env: sim.env },
    );
    await cli.stdout.until(/\brun \d{8}-\d{6}-[0-9a-z]{4}/);
    const runId = runIdFrom(cli.stdout.text());
    await pollFor("RunInstances to arrive", () => sim.instances().length === 2 ? true : undefined);
    cli.child.kill("SIGKILL");
    await cli.finished();
    await Deno.writeTextFile(join(cwd, ".ptp-runner", "runs", runId, "journal.json"), "{ broken");

    const runs = await runCli(["runs"], { cwd, env: sim.env });
    const pasted = new RegExp(`its instances may still run: (ptp-runner cleanup --run ${runId})`)
      .exec(runs.stdout)?.[1];
    assert.ok(pasted, runs.stdout);
    const args = pasted.split(" ").slice(1);
    const listed = await runCli(args, { cwd, env: sim.env });
    assert.equal(listed.code, 2, listed.stdout + listed.stderr);
    assert.match(listed.stdout, /cannot be read .*not valid JSON/);
    assert.match(listed.stdout, /listed only: pass --yes/);
    assert.equal(activeInstances(sim).length, 2, "nothing terminated without --yes");

    const cleanup = await runCli([...args, "--yes"], { cwd, env: sim.env });
    assert.equal(cleanup.code, 0, cleanup.stdout + cleanup.stderr);
    assert.match(cleanup.stdout, /terminated 2 instance\(s\)/);
    assert.deepEqual(activeInstances(sim), []);
    const typo = await runCli(["cleanup", "--run", "20261207-000000-zzzz", "--yes"], {
      cwd,
      env: sim.env,
    });
    assert.equal(typo.code, 2, "a run without a run directory is still refused");
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("cleanup --run of a run that is still alive refuses without --force and changes nothing", async () => {
  const sim = await startE2eSimulator();
  sim.faults.runInstancesDelaySeconds = 1000; // 5 s real: the run stays in its launch
  const cwd = await makeWorkDir();
  const cli = spawnCli(
    ["run", PTP_PIPELINE, "--yes", ...simSetArgs(sim), "--set", "instance_types=c7i.large"],
    { cwd, env: sim.env },
  );
  try {
    await cli.stdout.until(/\brun \d{8}-\d{6}-[0-9a-z]{4}/);
    const runId = runIdFrom(cli.stdout.text());
    await pollFor("RunInstances to arrive", () => sim.instances().length === 1 ? true : undefined);
    const cleanup = await runCli(["cleanup", "--run", runId, "--yes"], { cwd, env: sim.env });
    assert.equal(cleanup.code, 2, cleanup.stdout + cleanup.stderr);
    assert.match(cleanup.stdout, /still running \(pid \d+ on host .+ holds its lock\).*--force/);
    assert.equal(activeInstances(sim).length, 1, "nothing was terminated");
    assert.equal(
      sim.requests().filter((r) => r.action === "TerminateInstances").length,
      0,
    );
  } finally {
    cli.child.kill("SIGINT");
    await cli.finished();
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});
