/**
 * End to end: invalid pipelines, inputs and flags exit 2 before anything talks
 * to AWS (the simulator records no request at all).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { makeWorkDir, PTP_PIPELINE, runCli, simSetArgs, startE2eSimulator } from "./helpers.ts";

/** A pipeline with an unknown step type on line 5. */
const UNKNOWN_STEP_PIPELINE = `name: broken
inputs: {}
steps:
  - uses: launch-everything
  - uses: report
`;

Deno.test("an invalid pipeline or flag exits 2 and the simulator records no request", async () => {
  const sim = await startE2eSimulator();
  const cwd = await makeWorkDir();
  try {
    const broken = join(cwd, "broken.yaml");
    await Deno.writeTextFile(broken, UNKNOWN_STEP_PIPELINE);
    const pipeline = await runCli(["run", broken, "--yes"], { cwd, env: sim.env });
    assert.equal(pipeline.code, 2, pipeline.stdout + pipeline.stderr);
    assert.match(pipeline.stdout + pipeline.stderr, /broken\.yaml:4:\d+.*launch-everything/);

    const flag = await runCli(
      ["run", PTP_PIPELINE, "--yes", ...simSetArgs(sim), "--concurrency", "0"],
      { cwd, env: sim.env },
    );
    assert.equal(flag.code, 2, flag.stdout + flag.stderr);
    assert.match(flag.stderr, /--concurrency/);

    const missing = await runCli(
      ["run", PTP_PIPELINE, "--yes", "--set", "instance_types=c7i.large"],
      { cwd, env: sim.env },
    );
    assert.equal(missing.code, 2, missing.stdout + missing.stderr);
    assert.match(missing.stdout + missing.stderr, /subnet_id/);

    assert.deepEqual(sim.requests(), []);
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test({
  name: "an instance count of 0 exits 2 before the run starts and makes no request",
  async fn() {
    const sim = await startE2eSimulator();
    const cwd = await makeWorkDir();
    try {
      const zero = await runCli(
        ["run", PTP_PIPELINE, "--yes", ...simSetArgs(sim), "--set", "instance_types=c7i.large:0"],
        { cwd, env: sim.env },
      );
      assert.equal(zero.code, 2, zero.stdout + zero.stderr);
      assert.deepEqual(sim.requests(), []);
    } finally {
      await sim.stop();
      await Deno.remove(cwd, { recursive: true });
    }
  },
});

Deno.test("a missing private key file exits 2 naming the file before any AWS request", async () => {
  const sim = await startE2eSimulator();
  const cwd = await makeWorkDir();
  try {
    const keyPath = join(cwd, "no-such-key.pem");
    const result = await runCli(
      ["run", PTP_PIPELINE, "--yes", ...simSetArgs(sim), "--set", `private_key=${keyPath}`],
      { cwd, env: sim.env },
    );
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.ok((result.stdout + result.stderr).includes(keyPath), result.stdout + result.stderr);
    assert.deepEqual(sim.requests(), []);
    assert.deepEqual(sim.instances(), []);
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});
