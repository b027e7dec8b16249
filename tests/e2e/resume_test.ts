/**
 * End to end (issue 12 item 16): `ptp-runner run <pipeline> --resume <run-id>`
 * continues an interrupted or failed run on the same instances, from the step
 * where each target stopped (connect again), keeps the verdicts of targets
 * that finished, and cleans up the whole run; it refuses (exit 2, nothing
 * changed) while the run is alive, when the pipeline file or an input changed,
 * and when the instances are gone.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type SimulatorHandle, startSimulator } from "../../sim/mod.ts";
import { createHostFleet, type SimHostFleetImpl } from "../../sim/host/fleet.ts";
import { RESUME_SKIP_REASON } from "../../runner/executor.ts";
import {
  activeInstances,
  E2E_SPEED,
  type JsonEvent,
  makeWorkDir,
  PTP_PIPELINE,
  readEvents,
  readReport,
  requestsOf,
  runCli,
  runIdFrom,
  simSetArgs,
  spawnCli,
  waitAllTerminated,
  waitForEvent,
} from "./helpers.ts";

/** `run` arguments of the first run and of its resume (inputs must be the same). */
function runArgs(sim: SimulatorHandle, pipeline: string, types: string, log: string): string[] {
  return [
    "run",
    pipeline,
    "--yes",
    ...simSetArgs(sim),
    "--set",
    `instance_types=${types}`,
    "--log-json",
    log,
  ];
}

/** `target-finished` verdicts by target id. */
function verdicts(events: JsonEvent[]): Record<string, unknown> {
  return Object.fromEntries(
    events.filter((e) => e.type === "target-finished").map((e) => [e.targetId, e.verdict]),
  );
}

/** Step ids started for `targetId`. */
function started(events: JsonEvent[], targetId: string): string[] {
  return events.filter((e) =>
    e.type === "step-started" && e.targetId === targetId && e.attempt === 1
  )
    .map((e) => String(e.stepId));
}

const TYPE = `    architecture: x86_64
    vcpus: 2
    memory_mib: 8192
    phc_support: supported
    placement_strategies: [cluster, partition, spread, precision-time]`;

/** c7i.large: `chronyd -p` takes 20 s (real, at E2E_SPEED), so a run stays alive in configure-chrony. */
const SLOW_CHRONYD_PARSE = `
instance_types:
  c7i.large:
${TYPE}
    overrides:
      - regex: "^chronyd -p -f "
        delay_seconds: 4000
`;

/** m7i.large: `chronyd -p` rejects the configuration, so configure-chrony fails there. */
const FAILING_CHRONYD_PARSE = `
instance_types:
  m7i.large:
${TYPE}
    overrides:
      - regex: "^chronyd -p -f "
        stderr: "chronyd: simulated parse failure\\n"
        exit: 1
`;

/**
 * The placeholder each target's address has in `connect`'s log lines (`host
 * key of ec2-user@[IPv4-1] ...`), by target id.
 */
function connectPlaceholders(events: JsonEvent[]): Record<string, string> {
  const names: Record<string, string> = {};
  for (const e of events) {
    if (e.type !== "log" || e.stepId !== "connect" || typeof e.targetId !== "string") continue;
    const match = /\[IPv4-\d+\]/.exec(String(e.message));
    if (match) names[e.targetId] ??= match[0];
  }
  return names;
}

/** A simulator with `profiles`, and its host fleet (to change a host's behaviour). */
async function startWithProfiles(
  cwd: string,
  profiles: string,
): Promise<{ sim: SimulatorHandle; fleet: () => SimHostFleetImpl }> {
  const profilesFile = join(cwd, "profiles.yaml");
  await Deno.writeTextFile(profilesFile, profiles);
  let fleet: SimHostFleetImpl | undefined;
  const sim = await startSimulator({
    speed: E2E_SPEED,
    profilesFile,
    hostFleet: (options) => (fleet = createHostFleet(options)),
  });
  return { sim, fleet: () => fleet! };
}

/** Removes the command overrides of every instance of the simulator (the hosts behave normally). */
function clearOverrides(sim: SimulatorHandle, fleet: SimHostFleetImpl): void {
  for (const i of sim.instances()) {
    const host = fleet.host(i.instanceId);
    if (host) host.machine.profile.overrides.length = 0;
  }
}

/**
 * Runs the ptp pipeline on two c7i.large keeping every instance (`--keep all`)
 * and sends SIGINT once both targets are in configure-chrony. Before that,
 * while the run is alive, `--resume` of it is refused.
 */
async function interruptInConfigureChrony(sim: SimulatorHandle, cwd: string): Promise<string> {
  const log = join(cwd, "first.jsonl");
  const cli = spawnCli([...runArgs(sim, PTP_PIPELINE, "c7i.large:2", log), "--keep", "all"], {
    cwd,
    env: sim.env,
  });
  for (const id of ["c7i.large-1", "c7i.large-2"]) {
    await waitForEvent(
      log,
      `configure-chrony started on ${id}`,
      (e) => e.type === "step-started" && e.stepId === "configure-chrony" && e.targetId === id,
    );
  }
  const runId = runIdFrom(cli.stdout.text());
  const alive = await runCli(
    [...runArgs(sim, PTP_PIPELINE, "c7i.large:2", join(cwd, "alive.jsonl")), "--resume", runId],
    { cwd, env: sim.env },
  );
  cli.child.kill("SIGINT");
  const first = await cli.finished();
  assert.equal(alive.code, 2, alive.stdout + alive.stderr);
  assert.match(alive.stderr, new RegExp(`--resume: run ${runId} is still (running|alive)`));
  assert.deepEqual(
    await readEvents(join(cwd, "alive.jsonl")),
    [],
    "the refused resume logged nothing",
  );
  assert.equal(first.code, 130, first.stdout + first.stderr);
  assert.equal(activeInstances(sim).length, 2, "--keep all kept both instances");
  return runId;
}

Deno.test("resume after Ctrl-C reaches the verdicts on the same instances and leaves nothing running", async () => {
  const cwd = await makeWorkDir();
  const { sim, fleet } = await startWithProfiles(cwd, SLOW_CHRONYD_PARSE);
  try {
    const runId = await interruptInConfigureChrony(sim, cwd);
    const firstNames = connectPlaceholders(await readEvents(join(cwd, "first.jsonl")));
    assert.equal(Object.keys(firstNames).length, 2, JSON.stringify(firstNames));
    const firstReport = await readReport(cwd, runId);
    clearOverrides(sim, fleet());
    const launched = requestsOf(sim, "RunInstances").length;
    const log = join(cwd, "resume.jsonl");
    const resumed = await runCli(
      [...runArgs(sim, PTP_PIPELINE, "c7i.large:2", log), "--resume", runId],
      { cwd, env: sim.env },
    );
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.equal(runIdFrom(resumed.stdout), runId, "the resumed run keeps its id");
    const events = await readEvents(log);
    assert.deepEqual(verdicts(events), {
      "c7i.large-1": "functional",
      "c7i.large-2": "functional",
    });
    assert.equal(requestsOf(sim, "RunInstances").length, launched, "no new RunInstances");
    assert.ok(
      events.some((e) =>
        e.type === "step-skipped" && e.stepId === "launch" && e.reason === RESUME_SKIP_REASON
      ),
      "launch is not run again",
    );
    for (const id of ["c7i.large-1", "c7i.large-2"]) {
      assert.deepEqual(
        started(events, id),
        ["connect", "configure-chrony", "verify"],
        `${id} connects again and goes on from configure-chrony`,
      );
    }
    const report = await readReport(cwd, runId);
    assert.deepEqual(report.targets.map((t) => t.verdict), ["functional", "functional"]);
    assert.equal(report.run?.exit_code, 0);
    // One numbering of addresses over the run and its resume: log lines and report alike.
    // One numbering of addresses over the run and its resume: the first run's log and
    // report name each target's address alike, and the resumed run's report goes on with it.
    assert.deepEqual(
      firstReport.targets.map((t) => t.address),
      firstReport.targets.map((t) => firstNames[t.id]),
    );
    assert.deepEqual(
      report.targets.map((t) => [t.id, t.address]),
      firstReport.targets.map((t) => [t.id, t.address]),
    );
    await waitAllTerminated(sim);
    assert.equal(sim.instances().length, 2, "the run's two instances, no other");
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("resume refuses when the run's instances are gone", async () => {
  const cwd = await makeWorkDir();
  const { sim } = await startWithProfiles(cwd, SLOW_CHRONYD_PARSE);
  try {
    const runId = await interruptInConfigureChrony(sim, cwd);
    const cleanup = await runCli(
      ["cleanup", "--run", runId, "--yes", "--include-kept"],
      { cwd, env: sim.env },
    );
    assert.equal(cleanup.code, 0, cleanup.stdout + cleanup.stderr);
    const journal = join(cwd, ".ptp-runner/runs", runId, "journal.json");
    const before = await Deno.readTextFile(journal);
    const refused = await runCli(
      [...runArgs(sim, PTP_PIPELINE, "c7i.large:2", join(cwd, "r.jsonl")), "--resume", runId],
      { cwd, env: sim.env },
    );
    assert.equal(refused.code, 2, refused.stdout + refused.stderr);
    assert.match(refused.stderr, /instances of run \S+ are gone/);
    assert.match(refused.stderr, /i-\S+ \(c7i\.large-1\) (shutting-down|terminated)/);
    assert.equal(await Deno.readTextFile(journal), before, "the journal is unchanged");
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("resume of a failed run goes on from the failed step for that target only; refuses changed inputs or pipeline", async () => {
  const cwd = await makeWorkDir();
  const { sim, fleet } = await startWithProfiles(cwd, FAILING_CHRONYD_PARSE);
  try {
    const pipeline = join(cwd, "ptp.yaml");
    await Deno.copyFile(PTP_PIPELINE, pipeline);
    const types = "c7i.large,m7i.large";
    const first = await runCli(
      [...runArgs(sim, pipeline, types, join(cwd, "first.jsonl")), "--keep", "all"],
      { cwd, env: sim.env },
    );
    assert.equal(first.code, 1, first.stdout + first.stderr);
    const runId = runIdFrom(first.stdout);
    assert.match(
      first.stdout,
      new RegExp(`ptp-runner run \\S+ --resume ${runId} `),
      "the run ends with the resume command",
    );
    assert.deepEqual(verdicts(await readEvents(join(cwd, "first.jsonl"))), {
      "c7i.large-1": "functional",
      "m7i.large-1": "error",
    });
    const journal = join(cwd, ".ptp-runner/runs", runId, "journal.json");
    const before = await Deno.readTextFile(journal);
    const requests = sim.requests().length;
    const launched = requestsOf(sim, "RunInstances").length;

    const otherInput = await runCli(
      [
        ...runArgs(sim, pipeline, types, join(cwd, "r1.jsonl")),
        "--set",
        "apply=reboot",
        "--resume",
        runId,
      ],
      { cwd, env: sim.env },
    );
    assert.equal(otherInput.code, 2, otherInput.stdout + otherInput.stderr);
    assert.match(
      otherInput.stderr,
      /changed since run \S+: input apply: was "reload", now "reboot"/,
    );
    await Deno.writeTextFile(pipeline, "# edited\n", { append: true });
    const otherFile = await runCli(
      [...runArgs(sim, pipeline, types, join(cwd, "r2.jsonl")), "--resume", runId],
      { cwd, env: sim.env },
    );
    assert.equal(otherFile.code, 2, otherFile.stdout + otherFile.stderr);
    assert.match(otherFile.stderr, /changed since run \S+: pipeline file changed/);
    assert.equal(await Deno.readTextFile(journal), before, "refusals change nothing");
    assert.equal(sim.requests().length, requests, "refusals make no AWS call");
    await Deno.copyFile(PTP_PIPELINE, pipeline);

    // The cause is fixed on the host: chronyd accepts the configuration now.
    clearOverrides(sim, fleet());
    const log = join(cwd, "resume.jsonl");
    const resumed = await runCli(
      [...runArgs(sim, pipeline, types, log), "--resume", runId],
      { cwd, env: sim.env },
    );
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    const events = await readEvents(log);
    assert.deepEqual(verdicts(events), {
      "c7i.large-1": "functional",
      "m7i.large-1": "functional",
    });
    assert.deepEqual(started(events, "c7i.large-1"), [], "the finished target keeps its verdict");
    assert.deepEqual(started(events, "m7i.large-1"), ["connect", "configure-chrony", "verify"]);
    const report = await readReport(cwd, runId);
    assert.deepEqual(
      report.targets.map((t) => [t.id, t.verdict]),
      [["c7i.large-1", "functional"], ["m7i.large-1", "functional"]],
    );
    // The recap goes on from the first run's: the finished target keeps its step counts.
    type Figures = { ok: number; failed: number; skipped: number; rerun: number };
    const reportRecap = (report as unknown as {
      recap: { targets: (Figures & { id: string })[]; pipeline: Figures };
    }).recap;
    const recap = Object.fromEntries(reportRecap.targets.map((t) => [t.id, t]));
    assert.ok(recap["c7i.large-1"].ok >= 7, JSON.stringify(recap));
    assert.equal(recap["m7i.large-1"].failed, 0, JSON.stringify(recap));
    assert.ok(recap["m7i.large-1"].ok >= 7, JSON.stringify(recap));
    // Each step once per target: the 8 target steps, of which connect and
    // configure-chrony ran again on resume; launch, report, cleanup once each.
    for (const figures of Object.values(recap)) {
      assert.equal(figures.ok + figures.skipped + figures.failed, 8, JSON.stringify(recap));
    }
    assert.equal(recap["m7i.large-1"].rerun, 2, JSON.stringify(recap));
    assert.equal(recap["c7i.large-1"].rerun, 0, JSON.stringify(recap));
    assert.equal(reportRecap.pipeline.ok, 3, JSON.stringify(reportRecap.pipeline));
    assert.match(
      resumed.stdout,
      /^ {2}m7i\.large 1 of 1 +functional +ok=\d+ .*\(2 re-run on resume\)$/m,
    );
    assert.match(resumed.stdout, /^ {2}\(pipeline steps\) +ok=3 .*\(2 re-run on resume\)$/m);
    assert.equal(requestsOf(sim, "RunInstances").length, launched, "no new RunInstances");
    await waitAllTerminated(sim);
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});
