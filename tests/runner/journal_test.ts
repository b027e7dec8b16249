import assert from "node:assert/strict";
import { EXIT } from "../../runner/errors.ts";
import {
  formatLeftBehind,
  journalPath,
  listRuns,
  readJournal,
  RunJournal,
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
