/**
 * End to end, fleets of existing instances (issue 15, part 2): the CLI runs
 * `pipelines/existing-hosts.yaml` as a subprocess against a simulator that
 * holds tagged instances in two regions from the start.
 *
 * - `batch` runs the targets in batches: no target of a batch starts before
 *   the previous batch ended, and the simulator never sees SSH connections
 *   to more hosts at once than a batch holds (sessions close as each target
 *   ends); only the tagged instances of both regions are touched.
 * - `max_fail` stops starting batches once the failed share of the attempted
 *   targets exceeds it: the rest are `not-attempted` in the recap and every
 *   report file, and the run exits 1.
 * - `--dry-run` rolls out the same way and changes nothing: a real run
 *   afterwards still makes every change.
 * - bad `batch` / `max_fail` values exit 2 naming the file, line and key.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type SimulatorHandle, startSimulator } from "../../sim/mod.ts";
import {
  E2E_SPEED,
  EXISTING_HOSTS_PIPELINE,
  type JsonEvent,
  makeWorkDir,
  readEvents,
  runCli,
  runIdFrom,
} from "./helpers.ts";
import type { Report } from "../../plugins/report/model.ts";

/** The run's `report.json`. */
async function readReport(cwd: string, runId: string): Promise<Report> {
  return JSON.parse(await Deno.readTextFile(join(cwd, "reports", runId, "report.json")));
}

const TAGS = '{"fleet":"timing"}';

/** Polls the simulator: the most hosts with an open SSH connection at any one time. */
function watchConnections(sim: SimulatorHandle): { stop(): number } {
  let most = 0;
  const timer = setInterval(() => {
    const busy = sim.instances().filter((i) => i.connections > 0).length;
    most = Math.max(most, busy);
  }, 5);
  return {
    stop() {
      clearInterval(timer);
      return most;
    },
  };
}

/** Per target: when its first target step started and its last one finished (ms). */
function targetSpans(events: JsonEvent[]): Map<string, { start: number; end: number }> {
  const spans = new Map<string, { start: number; end: number }>();
  for (const e of events) {
    if (typeof e.targetId !== "string") continue;
    if (e.type !== "step-started" && e.type !== "step-finished") continue;
    const t = Date.parse(String(e.time));
    const span = spans.get(e.targetId) ?? { start: t, end: t };
    span.start = Math.min(span.start, t);
    span.end = Math.max(span.end, t);
    spans.set(e.targetId, span);
  }
  return spans;
}

function args(sim: SimulatorHandle, events: string, extra: string[]): string[] {
  return [
    "run",
    EXISTING_HOSTS_PIPELINE,
    "--yes",
    "--set",
    `tags=${TAGS}`,
    "--set",
    "regions=us-east-1,eu-west-1",
    "--set",
    `private_key=${sim.privateKeyPath}`,
    "--set",
    "host_key_policy=tofu",
    "--log-json",
    events,
    ...extra,
  ];
}

Deno.test("a rollout with batch runs the tagged fleet of two regions in batches, at most a batch connected at once", async () => {
  const sim = await startSimulator({
    speed: E2E_SPEED,
    existingInstances: [
      {
        instance_type: "c7i.large",
        count: 12,
        regions: ["us-east-1", "eu-west-1"],
        tags: { fleet: "timing" },
      },
      { instance_type: "c7i.large", count: 2, tags: { fleet: "other" } },
    ],
  });
  const cwd = await makeWorkDir();
  try {
    const file = join(cwd, "events.jsonl");
    const watch = watchConnections(sim);
    const run = await runCli(args(sim, file, ["--set", "batch=25%"]), { cwd, env: sim.env });
    const most = watch.stop();
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const report = await readReport(cwd, runIdFrom(run.stdout));
    assert.equal(report.targets.length, 12);
    assert.deepEqual(new Set(report.targets.map((t) => t.verdict)), new Set(["functional"]));
    assert.deepEqual(
      new Set(report.targets.map((t) => t.region)),
      new Set(["us-east-1", "eu-west-1"]),
    );
    // 25% of 12 = 3 per batch: 4 batches, announced on the console.
    assert.match(run.stdout, /batch 4 of 4: 3 target\(s\) \(batch 25% of 12\)/);
    const spans = targetSpans(await readEvents(file));
    const order = report.targets.map((t) => spans.get(t.id)!);
    for (let b = 1; b < 4; b++) {
      const previousEnd = Math.max(...order.slice((b - 1) * 3, b * 3).map((s) => s.end));
      const start = Math.min(...order.slice(b * 3, b * 3 + 3).map((s) => s.start));
      assert.ok(start >= previousEnd, `batch ${b + 1} starts after batch ${b} ended`);
    }
    assert.ok(most >= 1 && most <= 3, `at most 3 hosts connected at once, saw ${most}`);
    const instances = sim.instances();
    assert.deepEqual(
      instances.filter((i) => i.connections > 0).map((i) => i.instanceId),
      [],
      "every SSH session closed",
    );
    const untouched = instances.filter((i) => i.tags.fleet === "other");
    assert.deepEqual(untouched.map((i) => i.firstSessionAt), [undefined, undefined]);
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

Deno.test("a rollout with max_fail stops starting batches once exceeded; the rest are not attempted, exit 1", async () => {
  const cwd = await makeWorkDir();
  const profiles = join(cwd, "profiles.yaml");
  await Deno.writeTextFile(profiles, FAILING_PROFILE);
  const fleet = { fleet: "timing" };
  const sim = await startSimulator({
    speed: E2E_SPEED,
    profilesFile: profiles,
    existingInstances: [
      { instance_type: "c7i.large", count: 4, tags: fleet },
      { instance_type: "m7i.large", count: 2, tags: fleet },
      { instance_type: "c7i.large", count: 10, tags: fleet },
    ],
  });
  try {
    const file = join(cwd, "events.jsonl");
    const run = await runCli(
      args(sim, file, ["--set", "batch=4", "--set", "max_fail=10%"]),
      { cwd, env: sim.env },
    );
    assert.equal(run.code, 1, run.stdout + run.stderr);
    // Batch 1: 4 functional; batch 2: 2 misconfigured of 8 attempted (25% > 10%): stop.
    assert.match(
      run.stdout,
      /the rollout stopped before batch 3 of 4: 2 of 8 attempted target\(s\) failed \(25%\), more than max_fail 10%; 8 target\(s\) not attempted/,
    );
    assert.match(
      run.stdout,
      /6 functional, 0 unsupported, 2 failed, 8 not attempted in [\d.]+ s \(exit 1\)/,
    );
    assert.match(run.stdout, /\n {2}c7i\.large i-[0-9a-f]+ +not attempted +ok=0 /);
    const runId = runIdFrom(run.stdout);
    const report = await readReport(cwd, runId);
    const verdicts = report.targets.map((t) => t.verdict);
    assert.deepEqual(verdicts, [
      ...Array(4).fill("functional"),
      "misconfigured",
      "misconfigured",
      ...Array(2).fill("functional"),
      ...Array(8).fill("not-attempted"),
    ]);
    const dir = join(cwd, "reports", runId);
    const json = JSON.parse(await Deno.readTextFile(join(dir, "report.json")));
    assert.equal(json.summary.not_attempted, 8);
    assert.equal(json.run.exit_code, 1);
    assert.equal(json.run.failures[0].step_id, "rollout");
    assert.equal(json.targets[15].status, "not-attempted");
    assert.match(json.targets[15].verdict_reason, /^the rollout stopped before batch 3/);
    const junit = await Deno.readTextFile(join(dir, "junit.xml"));
    assert.equal(
      [...junit.matchAll(/<skipped message="the rollout stopped before batch 3 of 4/g)].length,
      8,
    );
    assert.match(junit, /classname="pipeline" name="step rollout \(rollout\)"/);
    const md = await Deno.readTextFile(join(dir, "report.md"));
    assert.match(md, /\| not-attempted \|/);
    assert.match(md, /### 8 target\(s\) not attempted/);
    assert.match(
      run.stdout,
      /\n {2}8 target\(s\) not-attempted: the rollout stopped before batch 3/,
    );
    assert.match(md, /step rollout \(rollout\) failed, kind max-fail/);
    const html = await Deno.readTextFile(join(dir, "report.html"));
    assert.match(html, /class="v-not-attempted"/);
    // The not-attempted hosts saw no SSH connection at all.
    const touched = sim.instances().filter((i) => i.firstSessionAt !== undefined);
    assert.equal(touched.length, 8);
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("a --dry-run rollout goes batch by batch and changes nothing", async () => {
  const sim = await startSimulator({
    speed: E2E_SPEED,
    existingInstances: [{ instance_type: "c7i.large", count: 6, tags: { fleet: "timing" } }],
  });
  const cwd = await makeWorkDir();
  try {
    const dry = await runCli(
      args(sim, join(cwd, "dry.jsonl"), ["--set", "batch=2", "--dry-run"]),
      { cwd, env: sim.env },
    );
    assert.match(dry.stdout, /batch 3 of 3: 2 target\(s\) \(batch 2 of 6\)/, dry.stdout);
    const dryReport = await readReport(cwd, runIdFrom(dry.stdout));
    assert.equal(dryReport.targets.length, 6);
    for (const t of dryReport.targets) {
      assert.ok(t.changes.length > 0, `${t.id} lists changes`);
      assert.deepEqual(t.changes.filter((c) => c.applied), [], `${t.id} applied nothing`);
    }
    // Nothing was applied: a real run still makes every change.
    const real = await runCli(args(sim, join(cwd, "real.jsonl"), ["--set", "batch=2"]), {
      cwd,
      env: sim.env,
    });
    assert.equal(real.code, 0, real.stdout + real.stderr);
    const realReport = await readReport(cwd, runIdFrom(real.stdout));
    for (const [i, t] of realReport.targets.entries()) {
      assert.equal(t.verdict, "functional");
      assert.deepEqual(t.changes.map((c) => c.applied), t.changes.map(() => true));
      // The same changes (the dry run's last one also names the chronyd -p check it skipped).
      const summaries = (r: Report["targets"][number]) => r.changes.map((c) => c.summary);
      assert.deepEqual(summaries(t).slice(0, -1), summaries(dryReport.targets[i]).slice(0, -1));
      assert.equal(t.changes.length, dryReport.targets[i].changes.length);
    }
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("bad batch and max_fail values exit 2 naming the file, line and key", async () => {
  const cwd = await makeWorkDir();
  try {
    for (
      const [set, key] of [
        ["batch=0", "rollout.batch"],
        ["batch=150%", "rollout.batch"],
        ["max_fail=-1", "rollout.max_fail"],
      ]
    ) {
      const run = await runCli([
        "run",
        EXISTING_HOSTS_PIPELINE,
        "--yes",
        "--set",
        "hosts=127.0.0.1:1",
        "--set",
        `private_key=${join(cwd, "none")}`,
        "--set",
        set,
      ], { cwd, env: { PTP_RUNNER_TIME_SCALE: "0.01" } });
      assert.equal(run.code, 2, run.stdout + run.stderr);
      const output = run.stdout + run.stderr;
      assert.match(
        output,
        new RegExp(`existing-hosts\\.yaml:\\d+:\\d+: ${key.replace(".", "\\.")}: `),
      );
      assert.match(
        output,
        /comes from input "(batch|max_fail)" \(from --set (batch|max_fail)=[^)]*\)/,
      );
    }
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
