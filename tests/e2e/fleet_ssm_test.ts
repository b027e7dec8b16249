/**
 * End to end, fleets of existing instances over SSM Run Command (issue 15):
 * the CLI runs `pipelines/existing-hosts.yaml --set transport=ssm` as a
 * subprocess against a simulator whose tagged instances in two regions carry
 * the `ssm-core` instance profile (agents online from the start).
 *
 * - every target reaches its verdict through SendCommand alone: no host sees
 *   an SSH connection, and no key or known_hosts file is given;
 * - `max_fail` stops starting batches once exceeded: the rest are
 *   `not-attempted` and no SendCommand ever names them;
 * - `--dry-run` over SSM lists the changes and applies none.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type SimulatorHandle, startSimulator } from "../../sim/mod.ts";
import { E2E_SPEED, EXISTING_HOSTS_PIPELINE, makeWorkDir, runCli, runIdFrom } from "./helpers.ts";
import type { Report } from "../../plugins/report/model.ts";

/** The run's `report.json`. */
async function readReport(cwd: string, runId: string): Promise<Report> {
  return JSON.parse(await Deno.readTextFile(join(cwd, "reports", runId, "report.json")));
}

const FLEET = { fleet: "timing" };

function ssmArgs(extra: string[]): string[] {
  return [
    "run",
    EXISTING_HOSTS_PIPELINE,
    "--yes",
    "--set",
    "transport=ssm",
    "--set",
    `tags=${JSON.stringify(FLEET)}`,
    "--set",
    "regions=us-east-1,eu-west-1",
    ...extra,
  ];
}

/** Instance ids named by the SendCommand requests the simulator answered. */
function sentTo(sim: SimulatorHandle): Set<string> {
  const ids = new Set<string>();
  for (const r of sim.requests()) {
    if (r.service !== "ssm" || r.action !== "SendCommand") continue;
    const named = r.params.InstanceIds;
    for (const id of Array.isArray(named) ? named : []) ids.add(String(id));
  }
  return ids;
}

/** The simulator's environment without an ssh-agent: SSM needs no key at all. */
function envWithoutAgent(sim: SimulatorHandle): Record<string, string> {
  return { ...sim.env, SSH_AUTH_SOCK: "" };
}

Deno.test("existing-hosts over SSM reaches verdicts in two regions with no SSH connection and no key", async () => {
  const sim = await startSimulator({
    speed: E2E_SPEED,
    existingInstances: [{
      instance_type: "c7i.large",
      count: 4,
      regions: ["us-east-1", "eu-west-1"],
      tags: FLEET,
      iam_instance_profile: "ssm-core",
    }],
  });
  const cwd = await makeWorkDir();
  try {
    const run = await runCli(ssmArgs(["--set", "batch=2"]), { cwd, env: envWithoutAgent(sim) });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const report = await readReport(cwd, runIdFrom(run.stdout));
    assert.equal(report.targets.length, 4);
    assert.deepEqual(report.targets.map((t) => t.verdict), Array(4).fill("functional"));
    const instances = sim.instances();
    assert.deepEqual(
      new Set(instances.map((i) => i.region)),
      new Set(["us-east-1", "eu-west-1"]),
    );
    assert.deepEqual(
      instances.filter((i) => i.firstSessionAt !== undefined).map((i) => i.instanceId),
      [],
      "no host saw an SSH session",
    );
    assert.deepEqual(sentTo(sim), new Set(instances.map((i) => i.instanceId)));
    const regions = new Set(
      sim.requests().filter((r) => r.action === "SendCommand").map((r) => r.region),
    );
    assert.deepEqual(regions, new Set(["us-east-1", "eu-west-1"]), "each in its own region");
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});

/** m7i.large whose chrony never selects the PHC: verify finds it misconfigured. */
const FAILING_PROFILE = `
instance_types:
  m7i.large:
    architecture: x86_64
    phc_support: supported
    placement_strategies: [cluster, partition, spread, precision-time]
    faults:
      chrony_never_selects: true
`;

Deno.test("a rollout over SSM with max_fail stops starting batches; the rest get no SendCommand", async () => {
  const cwd = await makeWorkDir();
  const profiles = join(cwd, "profiles.yaml");
  await Deno.writeTextFile(profiles, FAILING_PROFILE);
  const managed = { tags: FLEET, iam_instance_profile: "ssm-core" };
  const sim = await startSimulator({
    speed: E2E_SPEED,
    profilesFile: profiles,
    existingInstances: [
      { instance_type: "c7i.large", count: 4, ...managed },
      { instance_type: "m7i.large", count: 2, ...managed },
      { instance_type: "c7i.large", count: 6, ...managed },
    ],
  });
  try {
    const run = await runCli(
      ssmArgs(["--set", "batch=4", "--set", "max_fail=10%"]),
      { cwd, env: envWithoutAgent(sim) },
    );
    assert.equal(run.code, 1, run.stdout + run.stderr);
    // Batch 1: 4 functional; batch 2: 2 misconfigured of 8 attempted (25% > 10%): stop.
    assert.match(
      run.stdout,
      /the rollout stopped before batch 3 of 3: 2 of 8 attempted target\(s\) failed \(25%\), more than max_fail 10%; 4 target\(s\) not attempted/,
    );
    const report = await readReport(cwd, runIdFrom(run.stdout));
    assert.deepEqual(report.targets.map((t) => t.verdict), [
      ...Array(4).fill("functional"),
      "misconfigured",
      "misconfigured",
      ...Array(2).fill("functional"),
      ...Array(4).fill("not-attempted"),
    ]);
    const attempted = report.targets.slice(0, 8).map((t) => t.instance_id);
    const notAttempted = report.targets.slice(8).map((t) => t.instance_id);
    const sent = sentTo(sim);
    assert.deepEqual(
      attempted.filter((id) => !sent.has(id!)),
      [],
      "each attempted one got commands",
    );
    assert.deepEqual(notAttempted.filter((id) => sent.has(id!)), [], "no SendCommand to the rest");
    assert.equal(sim.instances().filter((i) => i.firstSessionAt !== undefined).length, 0);
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("a --dry-run rollout over SSM lists the changes and applies none", async () => {
  const sim = await startSimulator({
    speed: E2E_SPEED,
    existingInstances: [{
      instance_type: "c7i.large",
      count: 3,
      tags: FLEET,
      iam_instance_profile: "ssm-core",
    }],
  });
  const cwd = await makeWorkDir();
  try {
    const env = envWithoutAgent(sim);
    const dry = await runCli(ssmArgs(["--set", "batch=2", "--dry-run"]), { cwd, env });
    assert.match(dry.stdout, /batch 2 of 2: 1 target\(s\) \(batch 2 of 3\)/, dry.stdout);
    const dryReport = await readReport(cwd, runIdFrom(dry.stdout));
    assert.equal(dryReport.targets.length, 3);
    for (const t of dryReport.targets) {
      assert.ok(t.changes.length > 0, `${t.id} lists changes`);
      assert.deepEqual(t.changes.filter((c) => c.applied), [], `${t.id} applied nothing`);
    }
    // Nothing was applied: a real run over SSM still makes every change.
    const real = await runCli(ssmArgs(["--set", "batch=2"]), { cwd, env });
    assert.equal(real.code, 0, real.stdout + real.stderr);
    const realReport = await readReport(cwd, runIdFrom(real.stdout));
    for (const [i, t] of realReport.targets.entries()) {
      assert.equal(t.verdict, "functional");
      assert.equal(t.changes.length, dryReport.targets[i].changes.length);
      assert.deepEqual(t.changes.map((c) => c.applied), t.changes.map(() => true));
    }
    assert.equal(sim.instances().filter((i) => i.firstSessionAt !== undefined).length, 0);
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("transport ssm with hosts given by address exits 2 before the run, naming the key and what would work", async () => {
  const sim = await startSimulator({ speed: E2E_SPEED });
  const cwd = await makeWorkDir();
  try {
    for (const command of ["run", "validate"]) {
      const run = await runCli([
        command,
        EXISTING_HOSTS_PIPELINE,
        ...(command === "run" ? ["--yes"] : []),
        "--set",
        "hosts=10.0.1.12,ec2-user@10.0.1.13",
        "--set",
        "transport=ssm",
      ], { cwd, env: envWithoutAgent(sim) });
      const output = run.stdout + run.stderr;
      assert.equal(run.code, 2, output);
      assert.match(output, /existing-hosts\.yaml:\d+:\d+: steps\[1\]\.with\.transport: /);
      assert.match(output, /steps\[0\]\.with\.hosts gives 2 host\(s\) by address/);
      assert.match(
        output,
        /input "transport" \(from --set transport=ssm\), input "hosts" \(from --set hosts=\[IPv4\]/,
      );
      assert.match(output, /select the instances by id or tag .* or use transport ssh/);
    }
    assert.deepEqual(sim.requests(), [], "no AWS request");
    assert.deepEqual([...Deno.readDirSync(cwd)].map((e) => e.name), [], "no run journal or report");
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});
