/**
 * runner/resume.ts and the executor's resume: the fingerprint of a run's
 * pipeline file and inputs (no value in clear, changes named), the refusals
 * of planResume, and a resumed run that goes on from the failed step of the
 * failed target only, running steps that hold live state again.
 */
import assert from "node:assert/strict";
import { RESUME_SKIP_REASON } from "../../runner/executor.ts";
import { type JournalData, readJournal, RunJournal } from "../../runner/journal.ts";
import {
  canonicalJson,
  fingerprintChanges,
  planResume,
  runFingerprint,
} from "../../runner/resume.ts";
import type { StepPlugin } from "../../runner/types.ts";
import { pipeline, plugin, runRecorded, step, trace } from "./helpers.ts";

const SECRET = "hunter2-'quoted'";

Deno.test("canonicalJson is the same whatever the key order", () => {
  assert.equal(
    canonicalJson({ b: [1, { d: 1, c: 2 }], a: "x" }),
    canonicalJson({ a: "x", b: [1, { c: 2, d: 1 }] }),
  );
  assert.notEqual(canonicalJson({ a: 1 }), canonicalJson({ a: "1" }));
});

Deno.test("runFingerprint holds no input value and names each changed input", () => {
  const inputs = {
    values: { apply: "reload", types: ["c7i.large"], token: SECRET },
    secrets: ["token"],
  };
  const recorded = runFingerprint("name: p\n", inputs);
  assert.ok(!JSON.stringify(recorded).includes("hunter2"), "the secret is not in the fingerprint");
  assert.ok(!JSON.stringify(recorded).includes("reload"));
  const same = runFingerprint("name: p\n", inputs, recorded.key);
  assert.deepEqual(same, recorded);
  assert.notEqual(
    runFingerprint("name: p\n", inputs).inputs.apply,
    recorded.inputs.apply,
    "keyed by a random key",
  );

  const changed = {
    values: { apply: "reboot", types: ["c7i.large"], token: "other" },
    secrets: ["token"],
  };
  const lines = fingerprintChanges(
    {
      fingerprint: recorded,
      inputs: { apply: "reload", types: ["c7i.large"], token: "***" },
      file: "/p.yaml",
    },
    {
      fingerprint: runFingerprint("name: q\n", changed, recorded.key),
      inputs: { apply: "reboot", types: ["c7i.large"], token: "***" },
      secrets: ["token"],
    },
  );
  assert.equal(lines.length, 3, lines.join("\n"));
  assert.match(
    lines[0],
    /^pipeline file changed \(was \/p\.yaml, sha256 [0-9a-f]{12}; now sha256 [0-9a-f]{12}\)$/,
  );
  assert.equal(lines[1], 'input apply: was "reload", now "reboot"');
  assert.equal(lines[2], "input token (secret): changed");
});

Deno.test("fingerprintChanges names inputs added and removed", () => {
  const was = runFingerprint("x", { values: { a: 1 }, secrets: [] });
  const now = runFingerprint("x", { values: { b: 1 }, secrets: [] }, was.key);
  assert.deepEqual(
    fingerprintChanges({ fingerprint: was, inputs: { a: 1 }, file: "f" }, {
      fingerprint: now,
      inputs: { b: 1 },
      secrets: [],
    }),
    ["input a: the pipeline no longer has it", "input b: new since the run"],
  );
});

/** A pipeline step that adds targets `a` and `b` and declares it (like launch). */
const addTargets: StepPlugin = {
  ...plugin("add", "pipeline", (ctx) => {
    ctx.addTargets([{ id: "a", label: "a" }, { id: "b", label: "b" }]);
    return { added: 2 };
  }),
  writes: ["targets"],
};

/** A target step that holds a live session (like connect). */
function sessionStep(opened: string[]): StepPlugin {
  return {
    ...plugin("session", "target", (ctx) => {
      opened.push(ctx.target!.id);
      return { open: true };
    }),
    writes: ["services.session:<target>"],
  };
}

function journalData(over: Partial<JournalData>): JournalData {
  return {
    version: 1,
    runId: "20260101-000000-test",
    pipeline: { name: "test", file: "/tmp/test-pipeline.yaml" },
    startedAt: "",
    updatedAt: "",
    status: "failed",
    inputs: {},
    outputs: {},
    targets: [],
    resources: [],
    values: {},
    ...over,
  };
}

Deno.test("planResume refuses a live run, a succeeded run, one without targets and one with nothing left", () => {
  const p = pipeline([step("add", addTargets), step("t", plugin("t", "target", () => ({})))]);
  const problems = (data: JournalData) => {
    const plan = planResume(data, p);
    return "problems" in plan ? plan.problems.join("\n") : "";
  };
  assert.match(
    problems(journalData({ status: "running", pid: 42, host: "h" })),
    /still running \(process 42 on h\)/,
  );
  assert.match(
    problems(journalData({ status: "succeeded" })),
    /succeeded: there is nothing to resume/,
  );
  assert.match(
    problems(journalData({ status: "interrupted" })),
    /ended before step "add" gave it its targets/,
  );
  const done = {
    id: "a",
    label: "a",
    status: "done" as const,
    verdict: "functional" as const,
    launchedByRun: true,
    facts: {},
    outputs: { t: {} },
    diagnostics: [],
    warnings: [],
  };
  assert.match(
    problems(journalData({ outputs: { add: {} }, targets: [done] })),
    /every target of run \S+ finished/,
  );
});

Deno.test("a resumed run goes on from the failed step of the failed target only, opening its session again", async () => {
  const opened: string[] = [];
  let failB = true;
  const ran: string[] = [];
  const record = (id: string) =>
    plugin(id, "target", (ctx) => {
      ran.push(`${id}@${ctx.target!.id}`);
      if (id === "s2" && ctx.target!.id === "b" && failB) throw new Error("s2 failed on b");
      return { ran: true };
    });
  const p = pipeline([
    step("add", addTargets),
    step("session", sessionStep(opened)),
    step("s1", record("s1")),
    step("s2", record("s2")),
    step("report", plugin("report", "pipeline", (ctx) => ({ targets: ctx.targets.length })), {
      always: true,
    }),
  ]);
  const first = await runRecorded(p);
  assert.equal(first.result.exitCode, 1);
  assert.deepEqual(first.result.targets.map((t) => t.verdict), [undefined, "error"]);

  const data = await readJournal(first.workDir, first.result.runId);
  assert.equal(data.status, "failed");
  const plan = planResume(data, p);
  assert.ok("state" in plan, JSON.stringify(plan));
  assert.deepEqual(plan.state.resumedTargets, ["b"]);

  failB = false;
  opened.length = 0;
  ran.length = 0;
  const journal = await RunJournal.open(first.workDir, first.result.runId);
  journal.markResumed();
  const second = await runRecorded(p, { workDir: first.workDir, journal, resume: plan.state });
  assert.equal(second.result.exitCode, 0, JSON.stringify(second.result.failures));
  assert.equal(second.result.runId, first.result.runId);
  assert.deepEqual(opened, ["b"], "only the resumed target opens its session again");
  assert.deepEqual(ran, ["s2@b"], "s1 is not run again; target a runs nothing");
  assert.deepEqual(second.result.targets.map((t) => [t.id, t.status]), [["a", "done"], [
    "b",
    "done",
  ]]);
  assert.equal(second.result.outputs.report.targets, 2, "the report step sees every target");
  const skipped = second.events.filter((e) =>
    e.type === "step-skipped" && e.reason === RESUME_SKIP_REASON
  );
  assert.deepEqual(
    skipped.map((e) =>
      `${(e as { stepId: string }).stepId}@${(e as { targetId?: string }).targetId ?? ""}`
    ),
    ["add@", "s1@b"],
  );
  assert.deepEqual(
    second.events.filter((e) => e.type === "target-added").map((e) =>
      (e as { targetId: string }).targetId
    ),
    ["a", "b"],
    "the journal's targets are announced, so the console labels them and counts them in its recap",
  );
  assert.ok(trace(second.events).includes("start:report"));
  // Each step counts once per target: session (opened again) and s2 replace
  // b's first results, report the pipeline's; a keeps its counts.
  const ok = (n: number, rerun = 0) => ({ ok: n, failed: 0, skipped: 0, rerun });
  const figures = ({ ok, failed, skipped, rerun }: typeof second.result.recap.pipeline) => ({
    ok,
    failed,
    skipped,
    rerun,
  });
  assert.equal(second.result.recap.targets.b.ok, 3, "session, s1, s2 once each");
  assert.equal(second.result.recap.pipeline.ok, 2, "add, report once each");
  assert.deepEqual(figures(second.result.recap.targets.a), ok(3));
  assert.deepEqual(figures(second.result.recap.targets.b), ok(3, 2));
  assert.deepEqual(figures(second.result.recap.pipeline), ok(2, 1));
  assert.equal(first.result.recap.targets.b.failed, 1);
  const after = await readJournal(first.workDir, first.result.runId);
  assert.equal(after.status, "succeeded");
  assert.equal(after.resumedAt?.length, 1);
});

Deno.test("a resumed run names addresses as the first run did: the journal keeps the numbering, not the addresses", async () => {
  let failB = true;
  const named: string[] = [];
  const p = pipeline([
    step("add", addTargets),
    step(
      "peer",
      plugin("peer", "target", (ctx) => {
        // First run: 10.0.0.1 is always named first; the resume names only 10.0.0.2.
        const text = failB ? "peer 10.0.0.1 10.0.0.2" : "peer 10.0.0.2";
        named.push(`${ctx.target!.id} ${ctx.redactAddresses!(text)}`);
        if (ctx.target!.id === "b" && failB) throw new Error("b failed");
        return {};
      }),
    ),
  ]);
  const first = await runRecorded(p);
  assert.equal(first.result.exitCode, 1);
  assert.deepEqual(named.sort(), ["a peer [IPv4-1] [IPv4-2]", "b peer [IPv4-1] [IPv4-2]"]);
  const data = await readJournal(first.workDir, first.result.runId);
  assert.equal(Object.keys(data.addressNames?.names ?? {}).length, 2);
  assert.doesNotMatch(JSON.stringify(data.addressNames), /10\.0\.0/);
  const plan = planResume(data, p);
  assert.ok("state" in plan, JSON.stringify(plan));
  assert.deepEqual(plan.state.addressNames, data.addressNames);
  failB = false;
  named.length = 0;
  const journal = await RunJournal.open(first.workDir, first.result.runId);
  journal.markResumed();
  const second = await runRecorded(p, { workDir: first.workDir, journal, resume: plan.state });
  assert.equal(second.result.exitCode, 0);
  assert.deepEqual(named, ["b peer [IPv4-2]"]);
});
