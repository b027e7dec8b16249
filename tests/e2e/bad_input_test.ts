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

Deno.test("malformed ids, contradictory placement inputs, too many instances and unusable key files exit 2 before any AWS request", async () => {
  const sim = await startE2eSimulator();
  const cwd = await makeWorkDir();
  try {
    const empty = join(cwd, "empty.pem");
    await Deno.writeTextFile(empty, "");
    const garbage = join(cwd, "garbage.pem");
    await Deno.writeTextFile(garbage, "not a key at all\n");
    const publicOnly = join(cwd, "key.pub");
    await Deno.writeTextFile(publicOnly, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB me@host\n");
    const encrypted = join(cwd, "encrypted.pem");
    await Deno.writeTextFile(
      encrypted,
      "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n",
    );
    const cases: { set: string[]; expect: RegExp }[] = [
      { set: ["subnet_id=subnet 123"], expect: /subnet_id.*subnet- id/ },
      {
        set: ["security_group_ids=sg-0123456789abcdef0,sg_bad"],
        expect: /security_group_ids.*sg-/,
      },
      { set: ["ami_id=ami-XYZ"], expect: /ami_id.*ami- id/ },
      {
        set: ["placement_group=my-group", "create_placement_group=true"],
        expect: /create_placement_group.*cannot be combined with placement_group/,
      },
      { set: ["instance_types=c7i.large:99999999999999999999"], expect: /positive integer/ },
      { set: [`private_key=${empty}`], expect: /empty\.pem is empty/ },
      { set: [`private_key=${garbage}`], expect: /garbage\.pem is not a private key file/ },
      { set: [`private_key=${publicOnly}`], expect: /key\.pub holds a public key/ },
      { set: [`private_key=${encrypted}`], expect: /encrypted.*PTP_RUNNER_KEY_PASSPHRASE/ },
    ];
    for (const c of cases) {
      const result = await runCli(
        ["run", PTP_PIPELINE, "--yes", ...simSetArgs(sim), ...c.set.flatMap((s) => ["--set", s])],
        { cwd, env: sim.env },
      );
      const text = result.stdout + result.stderr;
      assert.equal(result.code, 2, `${c.set}: ${text}`);
      assert.match(text, c.expect, `${c.set}: ${text}`);
      assert.match(text, /ptp\.yaml:\d+/, `${c.set}: names the pipeline file and line`);
    }
    const tooMany = await runCli(
      ["run", PTP_PIPELINE, "--yes", ...simSetArgs(sim), "--set", "instance_types=c7i.large:51"],
      { cwd, env: sim.env },
    );
    assert.equal(tooMany.code, 2, tooMany.stdout + tooMany.stderr);
    assert.match(tooMany.stdout + tooMany.stderr, /more than 50 instances.*--max-instances 51/);
    const badFlag = await runCli(
      ["run", PTP_PIPELINE, "--yes", ...simSetArgs(sim), "--max-instances", "1e3"],
      { cwd, env: sim.env },
    );
    assert.equal(badFlag.code, 2, badFlag.stdout + badFlag.stderr);
    assert.match(badFlag.stderr, /--max-instances/);
    assert.deepEqual(sim.requests(), [], "no AWS request was made");
    assert.deepEqual(sim.instances(), []);
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});
