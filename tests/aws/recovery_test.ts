import assert from "node:assert/strict";
import { TerminateInstancesCommand } from "@aws-sdk/client-ec2";
import { type JournalData, journalPath, readJournal, RunJournal } from "../../runner/journal.ts";
import { newRunId } from "../../runner/run-id.ts";
import { EXIT } from "../../runner/errors.ts";
import { cleanupRunCommand } from "../../plugins/aws/release/recover-run.ts";
import { sweepCommand } from "../../plugins/aws/release/sweep.ts";
import { RUN_ACCOUNT_JOURNAL_KEY } from "../../plugins/aws/shared/recorded-account.ts";
import { SIM_ACCOUNT_ID } from "../../sim/state/account.ts";
import { awsError, installFakeAws } from "./helpers/fake-aws.ts";
import { killedRun, setupSim, type SimSetup } from "./helpers/sim-setup.ts";
import { tempDir } from "../helpers/temp.ts";

function alive(setup: SimSetup): string[] {
  return setup.sim.instances().filter((i) =>
    i.state !== "terminated" && i.state !== "shutting-down"
  )
    .map((i) => i.instanceId);
}

/** Runs `cleanup --run` against the simulator with `--yes`; returns the exit code and printed lines. */
async function cleanupRun(
  setup: Awaited<ReturnType<typeof setupSim>>,
  workDir: string,
  runId: string,
  extra: Partial<Parameters<typeof cleanupRunCommand>[0]> = {},
): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await cleanupRunCommand({
    runId,
    workDir,
    yes: true,
    endpoint: setup.sim.endpoint,
    timeScale: setup.sim.timeScale,
    print: (l) => lines.push(l),
    ...extra,
  });
  return { code, lines };
}

Deno.test("cleanup --run terminates the instances and deletes the placement group a killed run left", async () => {
  const setup = await setupSim();
  try {
    const { workDir, runId } = await killedRun(setup, ["c7i.large:2"], true);
    assert.equal(alive(setup).length, 2);
    const { code, lines } = await cleanupRun(setup, workDir, runId);
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
    const { code, lines } = await cleanupRun(setup, workDir, runId, {
      yes: false,
      interactive: false,
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
  assert.match(lines.join("\n"), /ptp-runner sweep --run 20260101-000000-zzzz/);
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

/** Rewrites the run's journal on disk with `edit`. */
async function editJournal(workDir: string, runId: string, edit: (data: JournalData) => void) {
  const path = journalPath(workDir, runId);
  const data = JSON.parse(await Deno.readTextFile(path)) as JournalData;
  edit(data);
  await Deno.writeTextFile(path, JSON.stringify(data));
}

function terminateRequests(setup: SimSetup): number {
  return setup.sim.requests().filter((r) => r.action === "TerminateInstances").length;
}

Deno.test("the launch records the account and region in the journal and each instance's detail", async () => {
  const setup = await setupSim();
  try {
    const { workDir, runId } = await killedRun(setup, ["c7i.large"]);
    const journal = await readJournal(workDir, runId);
    assert.deepEqual(journal.values[RUN_ACCOUNT_JOURNAL_KEY], {
      account: SIM_ACCOUNT_ID,
      region: "us-east-1",
    });
    const instance = journal.resources.find((r) => r.kind === "ec2-instance")!;
    assert.equal(instance.detail?.account, SIM_ACCOUNT_ID);
    assert.equal(instance.detail?.region, "us-east-1");
  } finally {
    await setup.stop();
  }
});

Deno.test("cleanup --run with credentials of another account than the run's refuses with exit 2 and changes nothing", async () => {
  const setup = await setupSim();
  try {
    const { workDir, runId } = await killedRun(setup, ["c7i.large"]);
    await editJournal(workDir, runId, (data) => {
      data.values[RUN_ACCOUNT_JOURNAL_KEY] = { account: "210987654321", region: "us-east-1" };
      for (const r of data.resources) r.detail = { ...r.detail, account: "210987654321" };
    });
    const { code, lines } = await cleanupRun(setup, workDir, runId);
    assert.equal(code, EXIT.USAGE, lines.join("\n"));
    assert.match(
      lines.join("\n"),
      new RegExp(`account 210987654321 .*belong to account ${SIM_ACCOUNT_ID}: nothing was changed`),
    );
    assert.equal(terminateRequests(setup), 0);
    assert.equal(alive(setup).length, 1);
    const journal = await readJournal(workDir, runId);
    assert.ok(journal.resources.every((r) => r.state === "created"));
  } finally {
    await setup.stop();
  }
});

Deno.test("cleanup --run against an endpoint that does not know the instances reports them not found and keeps them in the journal (exit 3)", async () => {
  const setup = await setupSim();
  let elsewhere: SimSetup | undefined;
  try {
    const { workDir, runId } = await killedRun(setup, ["c7i.large:2"]);
    elsewhere = await setupSim();
    const { code, lines } = await cleanupRun(elsewhere, workDir, runId);
    assert.equal(code, EXIT.LEFT_BEHIND, lines.join("\n"));
    const ids = alive(setup);
    assert.equal(ids.length, 2, "the instances still run where the run launched them");
    for (const id of ids) {
      assert.ok(
        lines.some((l) =>
          l.includes(id) && l.includes(`not found in account ${SIM_ACCOUNT_ID} / region us-east-1`)
        ),
        lines.join("\n"),
      );
    }
    assert.ok(!lines.some((l) => /terminated [1-9]/.test(l)), lines.join("\n"));
    const journal = await readJournal(workDir, runId);
    assert.deepEqual(journal.resources.map((r) => r.state), ["created", "created"]);
  } finally {
    await elsewhere?.stop();
    await setup.stop();
  }
});

Deno.test("cleanup --run releases an instance EC2 does not know only when DescribeInstances shows it terminated", async () => {
  const fake = installFakeAws({ keyFingerprint: "unused" });
  try {
    const workDir = await tempDir("ptp-recovery-");
    const runId = newRunId();
    const journal = await RunJournal.create(workDir, {
      runId,
      pipeline: { name: "ptp", file: "/tmp/ptp.yaml" },
      inputs: {},
    });
    const [gone, unknown] = ["i-0000000000000000a", "i-0000000000000000b"];
    await journal.put(RUN_ACCOUNT_JOURNAL_KEY, { account: "123456789012", region: "us-east-1" });
    for (const id of [gone, unknown]) {
      await journal.recordResource({
        kind: "ec2-instance",
        id,
        region: "us-east-1",
        state: "created",
        detail: { instanceType: "c7i.large", account: "123456789012", region: "us-east-1" },
      });
    }
    fake.instances.set(gone, { type: "c7i.large", state: "terminated", input: {} as never });
    fake.ec2.on(TerminateInstancesCommand).rejects(
      awsError("InvalidInstanceID.NotFound", `The instance IDs '${gone}, ${unknown}' do not exist`),
    );
    const lines: string[] = [];
    const code = await cleanupRunCommand({
      runId,
      workDir,
      yes: true,
      timeScale: 0,
      print: (l) => lines.push(l),
    });
    assert.equal(code, EXIT.LEFT_BEHIND, lines.join("\n"));
    const states = Object.fromEntries(
      (await readJournal(workDir, runId)).resources.map((r) => [r.id, r.state]),
    );
    assert.deepEqual(states, { [gone]: "released", [unknown]: "created" });
    assert.ok(
      lines.some((l) => l.includes(unknown) && /not found in account 123456789012/.test(l)),
    );
    assert.ok(lines.some((l) => /^terminated 1 instance/.test(l)), lines.join("\n"));
  } finally {
    fake.restore();
  }
});

Deno.test("cleanup --run lists the instances the run kept and terminates them only with --include-kept", async () => {
  const setup = await setupSim();
  try {
    const { workDir, runId } = await killedRun(setup, ["c7i.large"]);
    const [id] = alive(setup);
    const journal = await RunJournal.open(workDir, runId);
    await journal.updateResource("ec2-instance", id, "kept");
    const options = {
      runId,
      workDir,
      yes: true,
      endpoint: setup.sim.endpoint,
      timeScale: setup.sim.timeScale,
    };
    const lines: string[] = [];
    const code = await cleanupRunCommand({ ...options, print: (l) => lines.push(l) });
    assert.equal(code, EXIT.OK, lines.join("\n"));
    assert.ok(
      lines.includes(
        `kept by the run: ${id} (c7i.large 1 of 1); pass --include-kept to terminate them`,
      ),
      lines.join("\n"),
    );
    assert.deepEqual(alive(setup), [id]);
    assert.equal(terminateRequests(setup), 0);

    const again: string[] = [];
    const included = await cleanupRunCommand({
      ...options,
      includeKept: true,
      print: (l) => again.push(l),
    });
    assert.equal(included, EXIT.OK, again.join("\n"));
    assert.deepEqual(alive(setup), []);
    assert.ok(!again.some((l) => /--include-kept/.test(l)));
    const after = await readJournal(workDir, runId);
    assert.equal(after.resources.find((r) => r.id === id)?.state, "released");
  } finally {
    await setup.stop();
  }
});

Deno.test("cleanup --run --include-kept without --yes and without a terminal asks for --yes and keeps them", async () => {
  const setup = await setupSim();
  try {
    const { workDir, runId } = await killedRun(setup, ["c7i.large"]);
    const [id] = alive(setup);
    const journal = await RunJournal.open(workDir, runId);
    await journal.updateResource("ec2-instance", id, "kept");
    const lines: string[] = [];
    const code = await cleanupRunCommand({
      runId,
      workDir,
      yes: false,
      interactive: false,
      includeKept: true,
      endpoint: setup.sim.endpoint,
      timeScale: setup.sim.timeScale,
      print: (l) => lines.push(l),
    });
    assert.equal(code, EXIT.USAGE, lines.join("\n"));
    assert.ok(lines.some((l) => /pass --yes/.test(l)));
    assert.deepEqual(alive(setup), [id]);
  } finally {
    await setup.stop();
  }
});

Deno.test("sweep --region all looks in every enabled region, and a comma list in each listed one", async () => {
  const setup = await setupSim();
  try {
    const { runId } = await killedRun(setup, ["c7i.large"]);
    const sweeps = () =>
      setup.sim.requests().filter((r) =>
        r.action === "DescribeInstances" && r.params["Filter.1.Name"] === "tag:ptp-runner:tool"
      ).length;
    // The simulated account has 6 enabled regions (DescribeRegions).
    for (const [region, regions] of [["all", 6], ["us-east-1,eu-west-1", 2]] as const) {
      const before = sweeps();
      const lines: string[] = [];
      const code = await sweepCommand({
        region,
        yes: false,
        interactive: false,
        endpoint: setup.sim.endpoint,
        timeScale: setup.sim.timeScale,
        print: (l) => lines.push(l),
      });
      assert.equal(code, EXIT.OK, `${region}: ${lines.join("\n")}`);
      assert.ok(
        lines.some((l) => l.startsWith("us-east-1") && l.includes(runId)),
        `${region}: ${lines.join("\n")}`,
      );
      assert.equal(sweeps() - before, regions, region);
    }
  } finally {
    await setup.stop();
  }
});

Deno.test("sweep --region with a name that is not a region exits 2 naming the flag and asks AWS nothing", async () => {
  for (const region of ["nowhere-1", "all,us-east-1", "us-east-1,bogus"]) {
    const lines: string[] = [];
    const code = await sweepCommand({
      region,
      yes: true,
      interactive: false,
      endpoint: "http://127.0.0.1:9",
      print: (l) => lines.push(l),
    });
    assert.equal(code, EXIT.USAGE, region);
    assert.match(lines.join("\n"), /^error: --region: /, region);
  }
});
