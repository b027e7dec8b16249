import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import launch, { LaunchInputSchema } from "../../steps/launch.ts";
import { killedRun, setupSim } from "./helpers/sim-setup.ts";

const main = fileURLToPath(new URL("../../main.ts", import.meta.url));
const config = fileURLToPath(new URL("../../deno.json", import.meta.url));

async function cli(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-P=cli", "--config", config, main, ...args],
    env: { NO_COLOR: "1", CI: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("ptp-runner sweep without --yes in CI lists the tagged instances and exits 0", async () => {
  const setup = await setupSim();
  try {
    const ctx = setup.context({ id: "launch", type: "launch" });
    const input = LaunchInputSchema.parse({
      ...setup.sim.defaultInputs,
      instance_types: ["c7i.large"],
    });
    await launch.run(ctx, input, new AbortController().signal);
    const result = await cli(
      ["sweep", "--region", "us-east-1", "--endpoint", setup.sim.endpoint],
      setup.sim.env,
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      new RegExp(`${ctx.targets[0].instanceId}\\s+c7i\\.large\\s+running`),
    );
    assert.match(result.stdout, /listed only: pass --yes/);
    assert.equal(setup.sim.instances()[0].state, "running");
  } finally {
    await setup.stop();
  }
});

Deno.test("ptp-runner cleanup --run with an unknown run exits 2", async () => {
  const dir = await Deno.makeTempDir();
  const result = await cli([
    "cleanup",
    "--run",
    "20260101-000000-abcd",
    "--work-dir",
    dir,
    "--region",
    "eu-west-1",
    "--yes",
  ]);
  assert.equal(result.code, 2);
  assert.match(result.stdout, /no journal for run 20260101-000000-abcd/);
  assert.match(
    result.stdout,
    /ptp-runner:run-id tag: ptp-runner sweep --run 20260101-000000-abcd --region eu-west-1\n/,
  );
});

Deno.test("ptp-runner cleanup with a bad --wait-timeout exits 2 naming the flag", async () => {
  const result = await cli(["cleanup", "--run", "20260101-000000-abcd", "--wait-timeout", "soon"]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /--wait-timeout: "soon" is not a positive number of seconds/);
});

Deno.test("ptp-runner sweep --region nowhere-1 exits 2 naming the flag", async () => {
  const result = await cli(["sweep", "--region", "nowhere-1", "--endpoint", "http://127.0.0.1:9"]);
  assert.equal(result.code, 2, result.stdout + result.stderr);
  assert.match(result.stdout, /error: --region: "nowhere-1" is not a region name/);
});

Deno.test("ptp-runner cleanup --run --include-kept --yes terminates the instances the run kept", async () => {
  const setup = await setupSim();
  try {
    const { workDir, runId, journal, targets } = await killedRun(setup, ["c7i.large"]);
    const id = targets[0].instanceId!;
    await journal.updateResource("ec2-instance", id, "kept");
    const base = ["cleanup", "--run", runId, "--work-dir", workDir, "--yes"];
    const listed = await cli([...base, "--endpoint", setup.sim.endpoint], setup.sim.env);
    assert.equal(listed.code, 0, listed.stdout + listed.stderr);
    assert.match(listed.stdout, new RegExp(`kept by the run: ${id} .*pass --include-kept`));
    assert.equal(setup.sim.instances()[0].state, "running");
    const result = await cli(
      [...base, "--include-kept", "--endpoint", setup.sim.endpoint],
      setup.sim.env,
    );
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /terminated 1 instance/);
    assert.notEqual(setup.sim.instances()[0].state, "running");
  } finally {
    await setup.stop();
  }
});
