/**
 * `ptp-runner cleanup --run <id> --keep <instance-id>` as a subprocess: an id
 * the run does not own exits 2 before anything is terminated, listing the
 * run's instance ids; an owned id stays running (recorded kept) while the rest
 * is terminated. And `run --keep i-...` is refused (exit 2) before anything is
 * created: a new run's instance ids cannot be known.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { killedRun, setupSim } from "./helpers/sim-setup.ts";
import { RunJournal } from "../../runner/journal.ts";

const main = fileURLToPath(new URL("../../main.ts", import.meta.url));
const config = fileURLToPath(new URL("../../deno.json", import.meta.url));
const pipeline = fileURLToPath(new URL("../../pipelines/ptp.yaml", import.meta.url));

async function cli(args: string[], env: Record<string, string> = {}, cwd?: string) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-P=cli", "--config", config, main, ...args],
    env: { NO_COLOR: "1", CI: "1", ...env },
    ...(cwd ? { cwd } : {}),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("cleanup --run --keep: an id not in the run exits 2 listing the run's instances, terminating nothing", async () => {
  const setup = await setupSim();
  try {
    const { workDir, runId, targets } = await killedRun(setup, ["c7i.large", "m7i.xlarge"]);
    const ids = targets.map((t) => t.instanceId!).sort();
    const result = await cli([
      "cleanup",
      "--run",
      runId,
      "--work-dir",
      workDir,
      "--yes",
      "--keep",
      `${ids[0]},i-0123456789abcdef0`,
      "--endpoint",
      setup.sim.endpoint,
    ], setup.sim.env);
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.match(
      result.stdout,
      new RegExp(
        `error: --keep: i-0123456789abcdef0 is not an instance of run ${runId}; its instances: ` +
          `(${ids[0]}, ${ids[1]}|${ids[1]}, ${ids[0]}); nothing was terminated`,
      ),
    );
    assert.deepEqual(setup.sim.instances().map((i) => i.state), ["running", "running"]);
    assert.equal(
      setup.sim.requests().filter((r) => r.action === "TerminateInstances").length,
      0,
    );
  } finally {
    await setup.stop();
  }
});

Deno.test("cleanup --run --keep <id> keeps that instance (recorded kept) and terminates the rest", async () => {
  const setup = await setupSim();
  try {
    const { workDir, runId, targets } = await killedRun(setup, ["c7i.large", "m7i.xlarge"]);
    const [keep, drop] = targets.map((t) => t.instanceId!);
    const result = await cli([
      "cleanup",
      "--run",
      runId,
      "--work-dir",
      workDir,
      "--yes",
      "--keep",
      keep,
      "--endpoint",
      setup.sim.endpoint,
    ], setup.sim.env);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, new RegExp(`kept with --keep \\(not terminated\\): ${keep}`));
    assert.match(result.stdout, /terminated 1 instance/);
    const state = new Map(setup.sim.instances().map((i) => [i.instanceId, i.state]));
    assert.equal(state.get(keep), "running");
    assert.notEqual(state.get(drop), "running");
    const journal = await RunJournal.open(workDir, runId);
    const recorded = new Map(journal.data.resources.map((r) => [r.id, r.state]));
    assert.equal(recorded.get(keep), "kept");
    assert.equal(recorded.get(drop), "released");
    // A second cleanup lists it as kept and leaves it alone.
    const again = await cli(
      ["cleanup", "--run", runId, "--work-dir", workDir, "--yes", "--endpoint", setup.sim.endpoint],
      setup.sim.env,
    );
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, new RegExp(`kept by the run: ${keep} .*--include-kept`));
  } finally {
    await setup.stop();
  }
});

Deno.test("cleanup --run --keep with a keyword instead of ids exits 2 naming the form", async () => {
  const setup = await setupSim();
  try {
    const { workDir, runId } = await killedRun(setup, ["c7i.large"]);
    const result = await cli(
      ["cleanup", "--run", runId, "--work-dir", workDir, "--yes", "--keep", "functional"],
      setup.sim.env,
    );
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.match(result.stdout, /--keep: cleanup --run takes the instance ids to keep/);
    assert.equal(setup.sim.instances()[0].state, "running");
  } finally {
    await setup.stop();
  }
});

Deno.test("run --keep <instance-id> exits 2 before anything is created, pointing to the policies and cleanup --keep", async () => {
  const cwd = await Deno.makeTempDir({ prefix: "ptp-keep-" });
  try {
    const result = await cli(
      ["run", pipeline, "--simulate", "--yes", "--keep", "i-0123456789abcdef0"],
      {},
      cwd,
    );
    assert.equal(result.code, 2, result.stdout + result.stderr);
    const text = result.stdout + result.stderr;
    assert.match(text, /--keep: i-0123456789abcdef0: a new run's instance ids cannot be known/);
    assert.match(text, /functional, all or none/);
    assert.match(text, /ptp-runner cleanup --run <run-id> --keep <instance-id>/);
    // Nothing ran: no journal, no report.
    for (const dir of [".ptp-runner", "reports"]) {
      await assert.rejects(Deno.stat(join(cwd, dir)), Deno.errors.NotFound);
    }
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("run --simulate --keep all says the kept instances were simulated and gives no aws command", async () => {
  const cwd = await Deno.makeTempDir({ prefix: "ptp-keep-" });
  try {
    const result = await cli(
      [
        "run",
        pipeline,
        "--simulate",
        "--yes",
        "--keep",
        "all",
        "--set",
        "instance_types=c7i.large",
      ],
      {},
      cwd,
    );
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const text = result.stdout + result.stderr;
    assert.match(text, /kept \(simulated: gone with the simulator when this run ends/);
    assert.match(text, /it is simulated and ends with the simulator when this run ends/);
    assert.doesNotMatch(text, /aws ec2 terminate-instances/);
    assert.doesNotMatch(text, /billed until terminated/);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("cleanup --run --keep on a journal with no AWS account: an unknown id exits 2 before any AWS call", async () => {
  const workDir = await Deno.makeTempDir({ prefix: "ptp-keep-" });
  try {
    const runId = "20261129-101500-ab12";
    const journal = await RunJournal.create(workDir, {
      runId,
      pipeline: { name: "ptp", file: "/tmp/ptp.yaml" },
      inputs: {},
    });
    await journal.recordResource({
      kind: "ec2-instance",
      id: "i-0aaa1111bbbb2222c",
      region: "us-east-1",
      state: "created",
      releaseCommand: "aws ec2 terminate-instances --instance-ids i-0aaa1111bbbb2222c",
    });
    await journal.save();
    // An endpoint nobody listens on: any AWS call would fail with exit 1, not 2.
    const result = await cli(
      ["cleanup", "--run", runId, "--work-dir", workDir, "--yes", "--keep", "i-0fff"],
      { AWS_ENDPOINT_URL: "http://127.0.0.1:9", AWS_EC2_METADATA_DISABLED: "true" },
    );
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.match(
      result.stdout,
      new RegExp(
        `--keep: i-0fff is not an instance of run ${runId}; its instances: i-0aaa1111bbbb2222c; ` +
          "nothing was changed",
      ),
    );
  } finally {
    await Deno.remove(workDir, { recursive: true });
  }
});
