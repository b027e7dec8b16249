/**
 * End to end over SSM Run Command: `ptp-runner run` as a subprocess against a
 * simulator started in this process. The ptp pipeline with `transport=ssm`
 * reaches the same verdicts as over SSH without any SSH session; a driver
 * reload takes the agent offline and the run waits for it; Ctrl-C cancels a
 * running command on the host; output beyond GetCommandInvocation's limit is
 * reported as truncated.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ListCommandInvocationsCommand, SSMClient } from "@aws-sdk/client-ssm";
import { parse, stringify } from "yaml";
import { type SimulatorHandle, startSimulator } from "../../sim/mod.ts";
import {
  activeInstances,
  E2E_SPEED,
  makeWorkDir,
  pollFor,
  PTP_PIPELINE,
  readEvents,
  readReport,
  requestsOf,
  ROOT,
  runCli,
  runIdFrom,
  spawnCli,
  startE2eSimulator,
  waitAllTerminated,
} from "./helpers.ts";
import { iamActionOf, isDenied, readIamPolicy, statementsAllowing } from "./iam.ts";
import { EXPECTED_VERDICTS, MIXED_FLEET } from "./mixed-fleet.ts";

/** The fixture pipeline: launch one instance for SSM, connect over SSM, run `command`. */
const REMOTE_COMMAND_PIPELINE = join(ROOT, "tests/fixtures/pipelines/ssm-remote-command.yaml");
/** Simulated seconds c7i.large's NIC (and so its agent) stays down after the ENA reload. */
const LONG_NIC_OUTAGE_SECONDS = 60;

/** `--set` arguments of an SSM run: subnet, groups and placement group of the simulator, no key. */
function ssmSetArgs(sim: SimulatorHandle): string[] {
  const inputs = sim.defaultInputs;
  return [
    "--set",
    `subnet_id=${inputs.subnet_id}`,
    "--set",
    `placement_group=${inputs.placement_group}`,
    "--set",
    "transport=ssm",
    "--set",
    "iam_instance_profile=ssm-core",
  ];
}

/** The default profiles with c7i.large's NIC down for {@link LONG_NIC_OUTAGE_SECONDS} after a reload. */
async function profilesWithLongReload(dir: string): Promise<string> {
  const profiles = parse(await Deno.readTextFile(join(ROOT, "sim/profiles/default.yaml")));
  profiles.instance_types["c7i.large"].nic_up_seconds = LONG_NIC_OUTAGE_SECONDS;
  const file = join(dir, "profiles.yaml");
  await Deno.writeTextFile(file, stringify(profiles));
  return file;
}

Deno.test("ptp over SSM: the mixed fleet's verdicts as over SSH, no SSH session, the agent waited for after the reload", async (t) => {
  const cwd = await makeWorkDir();
  const sim = await startSimulator({
    speed: E2E_SPEED,
    profilesFile: await profilesWithLongReload(cwd),
  });
  try {
    const events = join(cwd, "ssm.jsonl");
    const result = await runCli([
      "run",
      PTP_PIPELINE,
      "--yes",
      ...ssmSetArgs(sim),
      "--set",
      `instance_types=${MIXED_FLEET}`,
      "--log-json",
      events,
    ], { cwd, env: sim.env });
    const requests = sim.requests();
    const runId = runIdFrom(result.stdout);

    await t.step("exits 0 with the verdicts the SSH run gets", async () => {
      assert.equal(result.code, 0, result.stdout + result.stderr);
      const report = await readReport(cwd, runId);
      assert.deepEqual(
        Object.fromEntries(report.targets.map((target) => [target.id, target.verdict])),
        EXPECTED_VERDICTS,
      );
    });

    await t.step("no SSH session was opened and the instances got no key pair", () => {
      const launched = sim.instances();
      assert.equal(launched.length, 5);
      for (const instance of launched) {
        assert.equal(instance.firstSessionAt, undefined, `${instance.instanceId}: no SSH client`);
      }
      for (const run of requestsOf(sim, "RunInstances")) {
        assert.equal(run.params.KeyName, undefined);
        if (run.params.DryRun === "true") continue;
        assert.equal(run.params["IamInstanceProfile.Name"], "ssm-core");
      }
    });

    await t.step("every host command went through AWS-RunShellScript", () => {
      const sends = requests.filter((r) => r.action === "SendCommand");
      assert.ok(sends.length >= 5 * 5, `${sends.length} SendCommand`);
      assert.ok(sends.every((r) => r.params.DocumentName === "AWS-RunShellScript"));
      const polls = requests.filter((r) => r.action === "GetCommandInvocation").length;
      // The interval grows to 5 s and commands are short: a few polls per command, not hundreds.
      assert.ok(polls <= sends.length * 10, `${polls} polls for ${sends.length} commands`);
    });

    await t.step("each SendCommand is attributed to the host step that ran it", async () => {
      const steps = new Set(
        (await readEvents(events)).filter((e) =>
          e.type === "aws-call" && e.operation === "SendCommand"
        ).map((e) => String(e.stepId)),
      );
      for (const step of ["detect-arch", "enable-hwts", "configure-chrony", "verify"]) {
        assert.ok(steps.has(step), `${step} in ${[...steps]}`);
      }
      assert.ok(!steps.has("connect"), "connect only waits for the agent");
    });

    await t.step(
      "the ENA reload took c7i.large's agent offline and enable-hwts waited for it",
      async () => {
        const logs = (await readEvents(events)).filter((e) =>
          e.type === "log" && e.stepId === "enable-hwts" &&
          /SSM agent of i-\S+ is online again after \d+s \(was ConnectionLost\)/.test(
            String(e.message),
          )
        );
        const waited = new Set(logs.map((e) => String(e.targetId)));
        assert.ok(waited.has("c7i.large-1") && waited.has("c7i.large-2"), [...waited].join(", "));
      },
    );

    await t.step("every AWS action of the SSM run is allowed by docs/iam-policy.json", async () => {
      const policy = await readIamPolicy();
      const actions = [...new Set(requests.map(iamActionOf))].sort();
      for (
        const used of [
          "ssm:SendCommand",
          "ssm:GetCommandInvocation",
          "ssm:DescribeInstanceInformation",
        ]
      ) {
        assert.ok(actions.includes(used), `${used} was called`);
      }
      const notAllowed = actions.filter((a) => statementsAllowing(policy, a).length === 0);
      assert.deepEqual(notAllowed, [], `actions the policy does not allow: ${notAllowed}`);
      assert.deepEqual(actions.filter((a) => isDenied(policy, a)), []);
      assert.ok(statementsAllowing(policy, "iam:PassRole").length > 0, "the profile's role");
    });

    await t.step("nothing is left running", async () => {
      assert.deepEqual(activeInstances(sim), []);
      await waitAllTerminated(sim);
    });
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("Ctrl-C while an SSM command runs cancels it on the host before the run exits", async () => {
  const sim = await startE2eSimulator();
  const cwd = await makeWorkDir();
  const ssm = new SSMClient({
    region: sim.region,
    endpoint: sim.endpoint,
    credentials: {
      accessKeyId: sim.env.AWS_ACCESS_KEY_ID,
      secretAccessKey: sim.env.AWS_SECRET_ACCESS_KEY,
    },
  });
  try {
    const cli = spawnCli([
      "run",
      REMOTE_COMMAND_PIPELINE,
      "--yes",
      ...ssmSetArgs(sim),
      "--set",
      "command=sleep 3600",
    ], { cwd, env: sim.env });
    const isSleep = (r: { action: string; params: Record<string, unknown> }) =>
      r.action === "SendCommand" && JSON.stringify(r.params.Parameters).includes("sleep 3600");
    // Sent, and polled at least twice since: the script runs on the host.
    await pollFor("the sleep to run", () => {
      const requests = sim.requests();
      const sent = requests.findIndex(isSleep);
      const polls = requests.slice(sent + 1).filter((r) => r.action === "GetCommandInvocation");
      return sent >= 0 && polls.length >= 2 ? true : undefined;
    }, 30_000);
    cli.child.kill("SIGINT");
    const result = await cli.finished();
    assert.equal(result.code, 130, result.stdout + result.stderr);
    const cancels = sim.requests().filter((r) => r.action === "CancelCommand");
    assert.equal(cancels.length, 1, result.stdout + result.stderr);
    assert.ok(statementsAllowing(await readIamPolicy(), "ssm:CancelCommand").length > 0);
    const listed = await ssm.send(new ListCommandInvocationsCommand({}));
    const sleep = (listed.CommandInvocations ?? []).find((i) =>
      (i.Comment ?? "").includes("remote-command")
    );
    assert.equal(sleep?.Status, "Cancelled", JSON.stringify(listed.CommandInvocations));
    assert.deepEqual(activeInstances(sim), [], "cleanup still ran");
  } finally {
    ssm.destroy();
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("stdout beyond GetCommandInvocation's 24,000 characters fails the step as truncated", async () => {
  const sim = await startE2eSimulator();
  const cwd = await makeWorkDir();
  try {
    const line = "0123456789".repeat(9); // 91 characters with its newline
    const count = Array.from({ length: 300 }, (_, i) => i + 1).join(" ");
    const result = await runCli([
      "run",
      REMOTE_COMMAND_PIPELINE,
      "--yes",
      ...ssmSetArgs(sim),
      "--set",
      `command=for i in ${count}; do echo ${line}; done`,
    ], { cwd, env: sim.env });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const report = await readReport(cwd, runIdFrom(result.stdout));
    const [target] = report.targets;
    assert.equal(target.verdict, "error");
    assert.match(
      JSON.stringify(target),
      /more than the 24,000 characters of stdout SSM GetCommandInvocation returns.*truncated/,
    );
    assert.deepEqual(activeInstances(sim), []);
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("SSM throttling in the region is absorbed: the run still reaches its verdicts", async () => {
  const sim = await startE2eSimulator();
  // One SSM request per simulated second after a burst of 3: far below what two targets ask.
  sim.ssm.requests_per_second = 1;
  sim.ssm.burst = 3;
  const cwd = await makeWorkDir();
  try {
    const result = await runCli([
      "run",
      PTP_PIPELINE,
      "--yes",
      ...ssmSetArgs(sim),
      "--set",
      "instance_types=c7i.large:2",
    ], { cwd, env: sim.env });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const report = await readReport(cwd, runIdFrom(result.stdout));
    assert.deepEqual(report.targets.map((target) => target.verdict), ["functional", "functional"]);
    const throttled = sim.requests().filter((r) => r.errorCode === "ThrottlingException");
    assert.ok(throttled.length > 0, "the simulator did throttle");
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("an instance profile that cannot work is reported clearly: unknown before launching, without SSM core after the agent wait", async () => {
  const sim = await startE2eSimulator();
  const cwd = await makeWorkDir();
  try {
    const unknown = await runCli([
      "run",
      REMOTE_COMMAND_PIPELINE,
      "--yes",
      ...ssmSetArgs(sim),
      "--set",
      "iam_instance_profile=no-such-profile",
      "--set",
      "command=true",
    ], { cwd, env: sim.env });
    assert.equal(unknown.code, 1, unknown.stdout + unknown.stderr);
    assert.match(
      unknown.stdout + unknown.stderr,
      /iam_instance_profile no-such-profile cannot be used/,
    );
    assert.equal(sim.instances().length, 0, "nothing was launched");

    const noCore = await runCli([
      "run",
      REMOTE_COMMAND_PIPELINE,
      "--yes",
      ...ssmSetArgs(sim),
      "--set",
      "iam_instance_profile=no-ssm",
      "--set",
      "command=true",
    ], { cwd, env: sim.env });
    assert.equal(noCore.code, 1, noCore.stdout + noCore.stderr);
    assert.match(
      noCore.stdout + noCore.stderr,
      /did not register within 300s .*no-ssm grants AmazonSSMManagedInstanceCore/,
    );
    assert.deepEqual(activeInstances(sim), []);
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});
