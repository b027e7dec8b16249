import assert from "node:assert/strict";
import { EXIT } from "../../runner/errors.ts";
import {
  effectiveStatus,
  formatLeftBehind,
  journalPath,
  listRuns,
  readJournal,
  RUN_LOCK_FILE,
  RunJournal,
  runLiveness,
} from "../../runner/journal.ts";
import { addTargetsStep, pipeline, plugin, runRecorded, step } from "./helpers.ts";

const RUN = "20260101-000000-jrnl";

Deno.test("the journal is on disk and re-readable after each step, with outputs and targets", async () => {
  const workDir = await Deno.makeTempDir({ prefix: "ptp-journal-" });
  const snapshots: unknown[] = [];
  const peek = plugin("peek", "target", async (ctx) => {
    const j = await readJournal(ctx.settings.workDir, ctx.runId);
    snapshots.push({ outputs: j.outputs, targets: j.targets.map((t) => [t.id, t.outputs]) });
    return { peeked: true };
  });
  const first = plugin("first", "pipeline", () => ({ answer: 42 }));
  const { result } = await runRecorded(
    pipeline([step("first", first), addTargetsStep(["a"]), step("peek", peek)]),
    { workDir, runId: RUN },
  );
  assert.deepEqual(snapshots, [{
    outputs: { first: { answer: 42 }, add: { count: 1 } },
    targets: [["a", {}]],
  }]);
  const final = await readJournal(workDir, RUN);
  assert.equal(final.status, "succeeded");
  assert.equal(final.exitCode, 0);
  assert.deepEqual(final.targets[0].outputs.peek, { peeked: true });
  assert.equal(final.targets[0].status, "done");
  assert.equal(result.journalDir, `${workDir}/.ptp-runner/runs/${RUN}`);
});

Deno.test("a resource left created makes exit 3 and is listed with its release command", async () => {
  const workDir = await Deno.makeTempDir({ prefix: "ptp-journal-" });
  const launch = plugin("launch", "pipeline", async (ctx) => {
    await ctx.journal.recordResource({
      kind: "ec2-instance",
      id: "i-0abc",
      region: "us-east-1",
      state: "created",
      releaseCommand: "aws ec2 terminate-instances --instance-ids i-0abc",
    });
    await ctx.journal.recordResource({ kind: "ec2-instance", id: "i-0def", state: "created" });
    await ctx.journal.updateResource("ec2-instance", "i-0def", "released");
    return {};
  });
  const { result, events } = await runRecorded(pipeline([step("launch", launch)]), {
    workDir,
    runId: RUN,
  });
  assert.equal(result.exitCode, EXIT.LEFT_BEHIND);
  assert.deepEqual(result.leftBehind.map((r) => r.id), ["i-0abc"]);
  const errors = events.flatMap((e) => e.type === "log" && e.level === "error" ? [e.message] : []);
  assert.equal(errors.length, 1);
  assert.match(errors[0], /i-0abc.*\n.*aws ec2 terminate-instances --instance-ids i-0abc/);
  assert.match(errors[0], /ptp-runner cleanup --run 20260101-000000-jrnl/);
  const j = await readJournal(workDir, RUN);
  assert.equal(j.status, "left-behind");
  const resourceEvents = events.flatMap((e) =>
    e.type === "resource" ? [`${e.resource.id}:${e.resource.state}`] : []
  );
  assert.deepEqual(resourceEvents, ["i-0abc:created", "i-0def:created", "i-0def:released"]);
  assert.deepEqual(j.resources.map((r) => [r.id, r.state]), [["i-0abc", "created"], [
    "i-0def",
    "released",
  ]]);
});

Deno.test("journal writes are atomic: concurrent saves always leave a complete file and no temp files", async () => {
  const workDir = await Deno.makeTempDir({ prefix: "ptp-journal-" });
  const journal = await RunJournal.create(workDir, {
    runId: RUN,
    pipeline: { name: "p", file: "/p.yaml" },
    inputs: {},
  });
  const writes = Array.from(
    { length: 40 },
    (_, i) => journal.recordResource({ kind: "ec2-instance", id: `i-${i}`, state: "created" }),
  );
  let reads = 0;
  while (reads < 40) {
    const text = await Deno.readTextFile(journalPath(workDir, RUN));
    JSON.parse(text); // never a half-written file
    reads++;
    await new Promise((r) => setTimeout(r, 0));
  }
  await Promise.all(writes);
  const j = await readJournal(workDir, RUN);
  assert.equal(j.resources.length, 40);
  const names = [...Deno.readDirSync(journal.dir)].map((e) => e.name);
  assert.deepEqual(names, ["journal.json"]);
});

Deno.test("journal put/get persist values and open() updates an existing run", async () => {
  const workDir = await Deno.makeTempDir({ prefix: "ptp-journal-" });
  const journal = await RunJournal.create(workDir, {
    runId: RUN,
    pipeline: { name: "p", file: "/p.yaml" },
    inputs: { n: 1 },
  });
  await journal.put("host-keys", { a: "SHA256:xyz" });
  await journal.recordResource({ kind: "placement-group", id: "pg-1", state: "created" });
  const reopened = await RunJournal.open(workDir, RUN);
  assert.deepEqual(reopened.get("host-keys"), { a: "SHA256:xyz" });
  await reopened.updateResource("placement-group", "pg-1", "released");
  assert.equal((await readJournal(workDir, RUN)).resources[0].state, "released");
  await assert.rejects(
    reopened.updateResource("ec2-instance", "i-x", "released"),
    /no ec2-instance i-x/,
  );
});

Deno.test("listRuns lists runs newest first with their open resource count", async () => {
  const workDir = await Deno.makeTempDir({ prefix: "ptp-journal-" });
  for (const id of ["20260101-000000-aaaa", "20260102-000000-bbbb"]) {
    const j = await RunJournal.create(workDir, {
      runId: id,
      pipeline: { name: "ptp", file: "/p.yaml" },
      inputs: {},
    });
    await j.recordResource({ kind: "ec2-instance", id: `i-${id}`, state: "created" });
  }
  await Deno.mkdir(`${workDir}/.ptp-runner/runs/not-a-run`);
  const runs = await listRuns(workDir);
  assert.deepEqual(runs.map((r) => [r.runId, r.openResources]), [
    ["20260102-000000-bbbb", 1],
    ["20260101-000000-aaaa", 1],
  ]);
  assert.deepEqual(await listRuns(`${workDir}/nowhere`), []);
});

Deno.test("readJournal names the missing file and rejects malformed run ids", async () => {
  const workDir = await Deno.makeTempDir({ prefix: "ptp-journal-" });
  await assert.rejects(
    readJournal(workDir, RUN),
    /no journal for run .*journal\.json does not exist/,
  );
  await assert.rejects(readJournal(workDir, "../etc"), /not a run id/);
});

Deno.test("formatLeftBehind is empty without resources", () => {
  assert.equal(formatLeftBehind([], RUN), "");
});

/** Creates a journal of run `runId` and rewrites its file with `patch` (a run of another process). */
async function journalOf(
  workDir: string,
  runId: string,
  patch: Record<string, unknown> = {},
): Promise<RunJournal> {
  const journal = await RunJournal.create(workDir, {
    runId,
    pipeline: { name: "ptp", file: "/p.yaml" },
    inputs: {},
  });
  if (Object.keys(patch).length > 0) {
    await Deno.writeTextFile(journal.path, JSON.stringify({ ...journal.data, ...patch }));
  }
  return journal;
}

Deno.test("a new journal records the run's pid and host", async () => {
  const workDir = await Deno.makeTempDir({ prefix: "ptp-journal-" });
  await journalOf(workDir, RUN);
  const j = await readJournal(workDir, RUN);
  assert.equal(j.pid, Deno.pid);
  assert.equal(j.host, Deno.hostname());
  assert.equal(j.status, "running", "no run lock: liveness unknown, status as recorded");
});

Deno.test("a running journal whose run lock is free reads and lists as abandoned", async () => {
  const workDir = await Deno.makeTempDir({ prefix: "ptp-journal-" });
  const dead = await journalOf(workDir, "20260101-000000-dead");
  await dead.holdRunLock();
  dead.releaseRunLock(); // as the OS does when the process dies
  const live = await journalOf(workDir, "20260101-000000-live");
  await live.holdRunLock();
  const away = await journalOf(workDir, "20260101-000000-away", { host: "another-host" });
  await away.holdRunLock();
  away.releaseRunLock();
  const done = await journalOf(workDir, "20260101-000000-done", { status: "succeeded" });
  await done.holdRunLock();
  done.releaseRunLock();
  try {
    assert.equal(await runLiveness(live.dir), "alive");
    assert.equal(await runLiveness(dead.dir), "gone");
    const statuses = Object.fromEntries(
      (await listRuns(workDir)).map((r) => [r.runId, r.status]),
    );
    assert.deepEqual(statuses, {
      "20260101-000000-dead": "abandoned",
      "20260101-000000-live": "running",
      "20260101-000000-away": "running",
      "20260101-000000-done": "succeeded",
    });
    assert.equal((await readJournal(workDir, "20260101-000000-dead")).status, "abandoned");
  } finally {
    live.releaseRunLock();
  }
});

Deno.test("a run lock held by a killed process is free: the run reads as abandoned", async () => {
  const workDir = await Deno.makeTempDir({ prefix: "ptp-journal-" });
  const journal = await journalOf(workDir, RUN);
  const lock = `${journal.dir}/${RUN_LOCK_FILE}`;
  const holder = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `const f = await Deno.open(${JSON.stringify(lock)}, { write: true, create: true });` +
      `await f.lock(true); console.log("locked"); setInterval(() => {}, 1000);`,
    ],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = holder.stdout.getReader();
  await reader.read(); // "locked"
  assert.equal((await readJournal(workDir, RUN)).status, "running");
  holder.kill("SIGKILL");
  await holder.status;
  reader.releaseLock();
  await holder.stdout.cancel();
  assert.equal((await readJournal(workDir, RUN)).status, "abandoned");
});

Deno.test("effectiveStatus calls a run abandoned only on its own host with the process gone", () => {
  const running = { status: "running" as const, host: "h1" };
  assert.equal(effectiveStatus(running, "gone", "h1"), "abandoned");
  assert.equal(effectiveStatus(running, "gone", "h2"), "running");
  assert.equal(effectiveStatus(running, "unknown", "h1"), "running");
  assert.equal(effectiveStatus(running, "alive", "h1"), "running");
  assert.equal(effectiveStatus({ status: "running" }, "gone", "h1"), "running", "old journal");
  assert.equal(effectiveStatus({ ...running, status: "failed" }, "gone", "h1"), "failed");
});

Deno.test("opening an abandoned run and saving it (cleanup --run) records abandoned", async () => {
  const workDir = await Deno.makeTempDir({ prefix: "ptp-journal-" });
  const dead = await journalOf(workDir, RUN);
  await dead.holdRunLock();
  dead.releaseRunLock();
  const journal = await RunJournal.open(workDir, RUN);
  await journal.put("cleanup-run", { terminated: [] });
  const raw = JSON.parse(await Deno.readTextFile(journalPath(workDir, RUN)));
  assert.equal(raw.status, "abandoned");
});

Deno.test("saveSync writes the journal at once, atomically, leaving no temp file", async () => {
  const workDir = await Deno.makeTempDir({ prefix: "ptp-journal-" });
  const journal = await journalOf(workDir, RUN);
  journal.update({ status: "interrupted", exitCode: EXIT.INTERRUPTED });
  journal.saveSync();
  const raw = JSON.parse(Deno.readTextFileSync(journalPath(workDir, RUN)));
  assert.equal(raw.status, "interrupted");
  assert.equal(raw.exitCode, 130);
  assert.deepEqual([...Deno.readDirSync(journal.dir)].map((e) => e.name), ["journal.json"]);
});

Deno.test("a resource recorded while a progress write waits is on disk when recordResource resolves", async () => {
  const workDir = await Deno.makeTempDir({ prefix: "ptp-journal-" });
  const journal = await RunJournal.create(workDir, {
    runId: RUN,
    pipeline: { name: "p", file: "/p.yaml" },
    inputs: {},
  });
  journal.update({ outputs: { a: { n: 1 } } });
  const progress = journal.save({ progress: true });
  journal.update({ outputs: { a: { n: 2 } } });
  const joined = journal.save({ progress: true });
  await journal.recordResource({ kind: "ec2-instance", id: "i-1", state: "created" });
  const onDisk = await readJournal(workDir, RUN);
  assert.deepEqual(onDisk.resources.map((r) => r.id), ["i-1"]);
  assert.deepEqual(onDisk.outputs, { a: { n: 2 } });
  await Promise.all([progress, joined]);
  assert.deepEqual((await readJournal(workDir, RUN)).outputs, { a: { n: 2 } });
});
