/**
 * End to end: `ptp-runner run pipelines/ptp.yaml` against a simulator started
 * in this process, on a mixed fleet, then a one-instance run on the same
 * simulator. One run feeds several checks (`t.step`) to keep the suite fast.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { AMZN_DRIVERS_VERSION } from "../../sim/host/model/ena-module.ts";
import { loadProfiles } from "../../sim/profiles.ts";
import { SIM_IMAGES } from "../../sim/state/seed.ts";
import type { RecordedRequest } from "../../sim/types.ts";
import {
  activeInstances,
  instanceTagsOf,
  makeWorkDir,
  ptpRunArgs,
  readEvents,
  readReport,
  requestsOf,
  runCli,
  runIdFrom,
  startE2eSimulator,
  waitAllTerminated,
} from "./helpers.ts";
import { EXPECTED_VERDICTS, MIXED_FLEET } from "./mixed-fleet.ts";
import {
  allowedResources,
  iamActionOf,
  isDenied,
  matchesIamPattern,
  readIamPolicy,
  statementsAllowing,
} from "./iam.ts";

/** DescribeInstances calls between the first RunInstances and the first TerminateInstances. */
function waitingDescribeCalls(requests: RecordedRequest[]): number {
  const start = requests.findIndex((r) => r.action === "RunInstances");
  const end = requests.findIndex((r) => r.action === "TerminateInstances");
  assert.ok(start >= 0 && end > start, "a run launches and then terminates");
  return requests.slice(start, end).filter((r) => r.action === "DescribeInstances").length;
}

Deno.test("the ptp pipeline on a mixed fleet reaches a verdict per instance and leaves nothing running", async (t) => {
  const sim = await startE2eSimulator();
  const cwd = await makeWorkDir();
  try {
    const events = join(cwd, "mixed.jsonl");
    const result = await runCli(
      ptpRunArgs(sim, `${MIXED_FLEET}`, [
        "--log-json",
        events,
      ]),
      { cwd, env: sim.env },
    );
    const mixedRequests = sim.requests();
    const runId = runIdFrom(result.stdout);

    await t.step("exits 0 and writes the four report files under reports/<run-id>/", async () => {
      assert.equal(result.code, 0, result.stdout + result.stderr);
      for (const file of ["report.json", "report.yaml", "junit.xml", "report.md"]) {
        const info = await Deno.stat(join(cwd, "reports", runId, file));
        assert.ok(info.isFile && info.size > 0, `${file} is written`);
      }
    });

    await t.step(
      "report.json gives functional for supported types, incl. the built driver (and its version), and unsupported for t3.micro",
      async () => {
        const report = await readReport(cwd, runId);
        assert.equal(report.run_id, runId);
        assert.deepEqual(
          Object.fromEntries(report.targets.map((target) => [target.id, target.verdict])),
          EXPECTED_VERDICTS,
        );
        const built = await readEvents(events);
        assert.ok(
          built.some((e) =>
            e.type === "step-finished" && e.stepId === "ena-build" &&
            e.targetId === "m7a.large-1" &&
            e.status === "ok"
          ),
          "m7a.large went through ena-build",
        );
        // The report names the driver that runs after the build, not the bundled 2.8.3g.
        const m7a = report.targets.find((target) => target.id === "m7a.large-1");
        assert.equal(m7a?.ena_driver_version, AMZN_DRIVERS_VERSION);
      },
    );

    await t.step(
      "junit.xml has one testcase per instance, the unsupported one passed with its verdict property",
      async () => {
        const junit = await Deno.readTextFile(join(cwd, "reports", runId, "junit.xml"));
        const testcases = [...junit.matchAll(/<testcase\b[^>]*\bname="([^"]*)"/g)].map((m) => m[1]);
        assert.equal(testcases.length, Object.keys(EXPECTED_VERDICTS).length, junit);
        for (const label of ["c7i.large 1 of 2", "c7i.large 2 of 2", "r7g.large 1 of 1"]) {
          assert.ok(testcases.some((name) => name.startsWith(label)), `${label} in ${testcases}`);
        }
        assert.equal([...junit.matchAll(/<skipped\b/g)].length, 0);
        assert.equal(
          [...junit.matchAll(/<property name="verdict" value="unsupported"\/>/g)].length,
          1,
        );
        assert.doesNotMatch(junit, /<failure\b|<error\b/);
      },
    );

    await t.step("afterwards no instance is pending or running in the simulator", async () => {
      assert.equal(sim.instances().length, 5, "t3.micro was not launched");
      assert.deepEqual(activeInstances(sim), [], "nothing pending or running once the CLI exited");
      await waitAllTerminated(sim);
    });

    await t.step(
      "RunInstances carries IMDSv2 required, the run-id tag, the placement group and the AMI of the type's architecture",
      async () => {
        const profiles = await loadProfiles();
        const runs = requestsOf(sim, "RunInstances");
        assert.deepEqual(
          runs.map((r) => r.params.InstanceType).sort(),
          ["c7i.large", "c8i.large", "m7a.large", "r7g.large"],
        );
        for (const run of runs) {
          const type = String(run.params.InstanceType);
          assert.equal(run.params["MetadataOptions.HttpTokens"], "required", type);
          assert.equal(instanceTagsOf(run.params)["ptp-runner:run-id"], runId, type);
          assert.equal(run.params["Placement.GroupName"], sim.placementGroupName, type);
          const arch = profiles.instance_types[type].architecture;
          const image = SIM_IMAGES.find((i) => i.architecture === arch);
          assert.equal(run.params.ImageId, image?.imageId, `${type} (${arch})`);
        }
        const arm = runs.find((r) => r.params.InstanceType === "r7g.large")!;
        const x86 = runs.find((r) => r.params.InstanceType === "c7i.large")!;
        assert.notEqual(arm.params.ImageId, x86.params.ImageId);
        assert.equal(x86.params.MaxCount, "2");
      },
    );

    await t.step("every AWS action the run made is allowed by docs/iam-policy.json", async () => {
      const policy = await readIamPolicy();
      const actions = [...new Set(mixedRequests.map(iamActionOf))].sort();
      assert.ok(actions.includes("ec2:RunInstances") && actions.includes("sts:GetCallerIdentity"));
      const notAllowed = actions.filter((a) => statementsAllowing(policy, a).length === 0);
      assert.deepEqual(notAllowed, [], `actions the policy does not allow: ${notAllowed}`);
      assert.deepEqual(actions.filter((a) => isDenied(policy, a)), []);
      for (const get of mixedRequests.filter((r) => r.action === "GetParameter")) {
        const arn = `arn:aws:ssm:${sim.region}::parameter${get.params.Name}`;
        assert.ok(
          allowedResources(policy, "ssm:GetParameter").some((p) => matchesIamPattern(p, arn)),
          `${arn} is an allowed resource`,
        );
      }
      // TerminateInstances is allowed only on instances tagged ptp-runner:tool=ptp-runner.
      for (const terminate of requestsOf(sim, "TerminateInstances")) {
        const ids = Object.entries(terminate.params)
          .filter(([key]) => key.startsWith("InstanceId.")).map(([, id]) => id);
        for (const id of ids) {
          const instance = sim.instances().find((i) => i.instanceId === id);
          assert.equal(instance?.tags["ptp-runner:tool"], "ptp-runner", `${id} is tagged`);
        }
      }
    });

    await t.step(
      "the DescribeInstances calls of waiting do not grow with the fleet size",
      async () => {
        const single = await runCli(ptpRunArgs(sim, "c7i.large"), { cwd, env: sim.env });
        assert.equal(single.code, 0, single.stdout + single.stderr);
        const singleRequests = sim.requests().slice(mixedRequests.length);
        const fleetCalls = waitingDescribeCalls(mixedRequests);
        const singleCalls = waitingDescribeCalls(singleRequests);
        // A waiter per instance would make at least one call per instance (5 here).
        assert.ok(singleCalls >= 1, "the single run waits with DescribeInstances");
        assert.ok(
          fleetCalls <= singleCalls + 2 && fleetCalls < 5,
          `5 instances: ${fleetCalls} DescribeInstances calls; 1 instance: ${singleCalls}`,
        );
      },
    );
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test({
  name: "report.json records the PhcSupport that DescribeInstanceTypes gave each target",

  async fn() {
    const sim = await startE2eSimulator();
    const cwd = await makeWorkDir();
    try {
      const result = await runCli(ptpRunArgs(sim, "c7i.large,t3.micro,c8i.large"), {
        cwd,
        env: sim.env,
      });
      assert.equal(result.code, 0, result.stdout + result.stderr);
      const report = await readReport(cwd, runIdFrom(result.stdout));
      assert.deepEqual(
        Object.fromEntries(report.targets.map((t) => [t.instance_type, t.phc_support])),
        { "c7i.large": "supported", "t3.micro": "unsupported", "c8i.large": "unknown" },
      );
    } finally {
      await sim.stop();
      await Deno.remove(cwd, { recursive: true });
    }
  },
});
