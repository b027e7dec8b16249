import assert from "node:assert/strict";
import launch, { LaunchInputSchema } from "../../steps/launch.ts";
import { readJournal, RunJournal } from "../../runner/journal.ts";
import { newRunId } from "../../runner/run-id.ts";
import { EXIT } from "../../runner/errors.ts";
import { cleanupRunCommand } from "../../plugins/aws/recover-run.ts";
import { sweepCommand } from "../../plugins/aws/sweep-impl.ts";
import { setupSim, type SimSetup } from "./helpers/sim-setup.ts";

/** Launches like a run that was then killed: journal on disk, no cleanup. */
async function killedRun(setup: SimSetup, types: string[], createGroup = false) {
  const workDir = await Deno.makeTempDir({ prefix: "ptp-recovery-" });
  const runId = newRunId();
  const journal = await RunJournal.create(workDir, {
    runId,
    pipeline: { name: "ptp", file: "/tmp/ptp.yaml" },
    inputs: {},
  });
  const ctx = setup.context({ id: "launch", type: "launch" });
  Object.assign(ctx, { journal, runId });
  const input = LaunchInputSchema.parse({
    ...setup.sim.defaultInputs,
    ...(createGroup ? { placement_group: undefined, create_placement_group: true } : {}),
    instance_types: types,
  });
  await launch.run(ctx, input, new AbortController().signal);
  journal.update({ targets: [...ctx.targets] });
  await journal.save();
  return { workDir, runId };
}

function alive(setup: SimSetup): string[] {
  return setup.sim.instances().filter((i) =>
    i.state !== "terminated" && i.state !== "shutting-down"
  )
    .map((i) => i.instanceId);
}

Deno.test("cleanup --run terminates the instances and deletes the placement group a killed run left", async () => {
  const setup = await setupSim();
  try {
    const { workDir, runId } = await killedRun(setup, ["c7i.large:2"], true);
    assert.equal(alive(setup).length, 2);
    const lines: string[] = [];
    const code = await cleanupRunCommand({
      runId,
      workDir,
      yes: true,
      endpoint: setup.sim.endpoint,
      timeScale: setup.sim.timeScale,
      print: (l) => lines.push(l),
    });
    assert.equal(code, EXIT.OK, lines.join("\n"));
    assert.deepEqual(alive(setup), []);
    const journal = await readJournal(workDir, runId);
    assert.ok(
      journal.resources.every((r) => r.state === "released"),
      JSON.stringify(journal.resources),
    );
    assert.ok(lines.some((l) => /deleted placement group ptp-runner-/.test(l)));
    assert.equal(
      setup.sim.requests().filter((r) => r.action === "TerminateInstances").length,
      1,
    );
  } finally {
    await setup.stop();
  }
});

Deno.test("cleanup --run without --yes and without a terminal changes nothing and says to pass --yes", async () => {
  const setup = await setupSim();
  try {
    const { workDir, runId } = await killedRun(setup, ["c7i.large"]);
    const lines: string[] = [];
    const code = await cleanupRunCommand({
      runId,
      workDir,
      yes: false,
      interactive: false,
      endpoint: setup.sim.endpoint,
      timeScale: setup.sim.timeScale,
      print: (l) => lines.push(l),
    });
    assert.equal(code, EXIT.USAGE);
    assert.ok(lines.some((l) => /pass --yes/.test(l)));
    assert.equal(alive(setup).length, 1);
  } finally {
    await setup.stop();
  }
});

Deno.test("cleanup --run of an unknown run id exits 2 naming the journal path", async () => {
  const workDir = await Deno.makeTempDir();
  const lines: string[] = [];
  const code = await cleanupRunCommand({
    runId: "20260101-000000-zzzz",
    workDir,
    yes: true,
    print: (l) => lines.push(l),
  });
  assert.equal(code, EXIT.USAGE);
  assert.match(
    lines.join("\n"),
    /no journal for run 20260101-000000-zzzz: .*journal\.json does not exist/,
  );
});

Deno.test("sweep lists tagged instances without --yes when not interactive, and terminates them with --yes", async () => {
  const setup = await setupSim();
  try {
    const first = await killedRun(setup, ["c7i.large"]);
    await killedRun(setup, ["c7g.large"], true);
    const lines: string[] = [];
    const options = {
      region: "us-east-1",
      endpoint: setup.sim.endpoint,
      timeScale: setup.sim.timeScale,
      print: (l: string) => lines.push(l),
    };
    const listed = await sweepCommand({ ...options, yes: false, interactive: false });
    assert.equal(listed, EXIT.OK);
    assert.equal(alive(setup).length, 2, "listing terminates nothing");
    assert.match(lines[0], /^REGION\s+INSTANCE\s+TYPE\s+STATE\s+AGE\s+RUN\s+OWNER$/);
    assert.ok(lines.some((l) => l.includes(first.runId) && l.includes("c7i.large")));
    assert.ok(lines.some((l) => /listed only: pass --yes/.test(l)));

    assert.ok(lines.some((l) => /^placement group ptp-runner-\S+ in us-east-1$/.test(l)));

    const code = await sweepCommand({ ...options, yes: true });
    assert.equal(code, EXIT.OK);
    assert.deepEqual(alive(setup), []);
    const deleted = setup.sim.requests().filter((r) => r.action === "DeletePlacementGroup");
    assert.equal(deleted.length, 1);
    assert.equal(deleted[0].status, 200);
  } finally {
    await setup.stop();
  }
});
