/**
 * End to end: `--keep functional` keeps exactly the functional instances; the
 * existing-hosts pipeline then finds them already configured (nothing changed);
 * `ptp-runner sweep --yes` terminates them.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startSimulator } from "../../sim/mod.ts";
import {
  activeInstances,
  E2E_SPEED,
  EXISTING_HOSTS_PIPELINE,
  makeWorkDir,
  pollFor,
  ptpRunArgs,
  readEvents,
  readReport,
  requestsOf,
  runCli,
  runIdFrom,
  scanSimHostKeys,
} from "./helpers.ts";
import { iamActionOf, readIamPolicy, statementsAllowing } from "./iam.ts";

/** m7a.large as built in (driver without phc_enable), but building the driver fails. */
const FAILING_BUILD_PROFILE = `
instance_types:
  m7a.large:
    architecture: x86_64
    vcpus: 2
    memory_mib: 8192
    phc_support: supported
    placement_strategies: [cluster, partition, spread, precision-time]
    kernel: 6.1.27-43.48.amzn2023.x86_64
    ena: { version: 2.8.3g, phc_parameter: false, pci_slot: "05" }
    ptp_clock_config: m
    faults:
      driver_build: true
`;

Deno.test("--keep functional keeps exactly the functional instances, which existing-hosts finds unchanged and sweep terminates", async (t) => {
  const cwd = await makeWorkDir();
  const profilesFile = join(cwd, "profiles.yaml");
  await Deno.writeTextFile(profilesFile, FAILING_BUILD_PROFILE);
  const sim = await startSimulator({ speed: E2E_SPEED, profilesFile });
  try {
    const run = await runCli(
      ptpRunArgs(sim, "c7i.large:2,m7a.large", [
        "--keep",
        "functional",
      ]),
      { cwd, env: sim.env },
    );
    const runId = runIdFrom(run.stdout);
    const report = await readReport(cwd, runId);
    const functionalIds = report.targets.filter((target) => target.verdict === "functional")
      .map((target) => target.instance_id!).sort();

    await t.step("the run keeps the functional instances and terminates the failed one", () => {
      // m7a.large's driver build fails: a target failed, so the exit code is 1.
      assert.equal(run.code, 1, run.stdout + run.stderr);
      assert.equal(functionalIds.length, 2, JSON.stringify(report.targets));
      const m7a = report.targets.find((target) => target.instance_type === "m7a.large")!;
      assert.notEqual(m7a.verdict, "functional");
      assert.deepEqual(
        activeInstances(sim).map((i) => i.instanceId).sort(),
        functionalIds,
        "exactly the functional instances still run",
      );
      assert.deepEqual(report.cleanup.kept.map((k) => k.instance_id).sort(), functionalIds);
      assert.deepEqual(report.cleanup.terminated.map((k) => k.instance_id), [m7a.instance_id]);
      // Release at the verdict: the failed m7a.large goes alone, the functional ones
      // (which --keep functional may keep) are never in a TerminateInstances.
      const terminated = requestsOf(sim, "TerminateInstances").map((r) =>
        Object.entries(r.params).filter(([key]) => key.startsWith("InstanceId."))
          .map(([, value]) => String(value))
      );
      assert.deepEqual(terminated, [[m7a.instance_id]], "only m7a.large is terminated");
      const keptSection = run.stdout.slice(run.stdout.indexOf("kept running"));
      for (const id of functionalIds) assert.ok(keptSection.includes(id), `${id} listed as kept`);
    });

    await t.step(
      "existing-hosts on the kept instances changes nothing and finds them functional",
      async () => {
        const events = join(cwd, "existing.jsonl");
        // Hosts that already run are checked against known_hosts (the default policy there).
        const knownHosts = join(cwd, "known_hosts");
        await scanSimHostKeys(sim, functionalIds, knownHosts);
        const again = await runCli([
          "run",
          EXISTING_HOSTS_PIPELINE,
          "--yes",
          "--region",
          "us-east-1",
          "--set",
          `instance_ids=${functionalIds.join(",")}`,
          "--set",
          `private_key=${sim.defaultInputs.private_key}`,
          "--set",
          `known_hosts_file=${knownHosts}`,
          "--log-json",
          events,
        ], { cwd, env: sim.env });
        assert.equal(again.code, 0, again.stdout + again.stderr);
        const hostSteps = (await readEvents(events)).filter((e) =>
          e.type === "step-finished" && typeof e.targetId === "string"
        );
        assert.ok(hostSteps.length >= 2 * 6, `host steps ran: ${hostSteps.length}`);
        const changed = hostSteps.filter((e) => e.changed !== false).map((e) =>
          `${e.targetId} ${e.stepId} changed=${e.changed} status=${e.status}`
        );
        assert.deepEqual(changed, [], "every host step reports changed: false");
        const second = await readReport(cwd, runIdFrom(again.stdout));
        assert.deepEqual(
          second.targets.map((target) => [target.instance_id, target.verdict]).sort(),
          functionalIds.map((id) => [id, "functional"]),
        );
        assert.equal(activeInstances(sim).length, 2, "existing-hosts terminates nothing");
        // The recap says so: nothing changed, every host step unchanged.
        assert.match(again.stdout, /\n {2}total +ok=(\d+) +changed=0 +unchanged=\d+ /);
        assert.match(again.stdout, /2 functional, 0 unsupported, 0 failed in [\d.]+ s \(exit 0\)/);
      },
    );

    await t.step("ptp-runner sweep --yes terminates them", async () => {
      const sweep = await runCli(["sweep", "--yes"], { cwd, env: sim.env });
      assert.equal(sweep.code, 0, sweep.stdout + sweep.stderr);
      for (const id of functionalIds) assert.ok(sweep.stdout.includes(id), `${id} in the sweep`);
      await pollFor(
        "no instance pending or running",
        () => activeInstances(sim).length === 0 ? true : undefined,
        5_000,
      );
    });

    await t.step(
      "existing-hosts and sweep use only actions docs/iam-policy.json allows",
      async () => {
        const policy = await readIamPolicy();
        const actions = [...new Set(sim.requests().map(iamActionOf))];
        assert.deepEqual(actions.filter((a) => statementsAllowing(policy, a).length === 0), []);
      },
    );
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});
