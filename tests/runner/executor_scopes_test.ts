import assert from "node:assert/strict";
import { addTargetsStep, deferred, pipeline, plugin, runRecorded, step, trace } from "./helpers.ts";

Deno.test("a pipeline step runs once and a target step once per target", async () => {
  const seen: string[] = [];
  const perTarget = plugin("per-target", "target", (ctx) => {
    seen.push(ctx.target!.id);
    return { id: ctx.target!.id };
  });
  const once = plugin("once", "pipeline", () => {
    seen.push("once");
    return {};
  });
  const { result } = await runRecorded(
    pipeline([addTargetsStep(["a", "b", "c"]), step("t", perTarget), step("p", once)]),
  );
  assert.deepEqual(seen.sort(), ["a", "b", "c", "once"]);
  assert.deepEqual(result.targets.map((t) => t.outputs.t), [{ id: "a" }, { id: "b" }, { id: "c" }]);
  assert.deepEqual(result.outputs.add, { count: 3 });
  assert.equal(result.exitCode, 0);
  assert.deepEqual(result.targets.map((t) => t.status), ["done", "done", "done"]);
});

Deno.test("a pipeline step is a barrier: it starts after every target finished the segment", async () => {
  const t = plugin("t", "target", () => ({}));
  const barrier = plugin("barrier", "pipeline", () => ({}));
  const { events } = await runRecorded(
    pipeline([addTargetsStep(["a", "b"]), step("t1", t), step("mid", barrier), step("t2", t)]),
  );
  const order = trace(events);
  const midStart = order.indexOf("start:mid");
  assert.ok(order.indexOf("end:t1@a") < midStart);
  assert.ok(order.indexOf("end:t1@b") < midStart);
  assert.ok(order.indexOf("start:t2@a") > order.indexOf("end:mid"));
  assert.ok(order.indexOf("start:t2@b") > order.indexOf("end:mid"));
});

Deno.test("concurrency 1 runs each target's whole segment before the next target starts", async () => {
  const t = plugin("t", "target", () => ({}));
  const { events } = await runRecorded(
    pipeline([addTargetsStep(["a", "b"]), step("s1", t), step("s2", t)], { concurrency: 1 }),
  );
  assert.deepEqual(trace(events).filter((x) => x.includes("@")), [
    "start:s1@a",
    "end:s1@a",
    "start:s2@a",
    "end:s2@a",
    "start:s1@b",
    "end:s1@b",
    "start:s2@b",
    "end:s2@b",
  ]);
});

Deno.test("concurrency 2 overlaps targets and a fast target goes on without waiting for a slow one", async () => {
  // Target b's first step only finishes once target a has finished its second
  // step: this completes only if a does not wait for b between s1 and s2.
  const aDone = deferred();
  const s1 = plugin("s1", "target", async (ctx) => {
    if (ctx.target!.id === "b") await aDone.promise;
    return {};
  });
  const s2 = plugin("s2", "target", (ctx) => {
    if (ctx.target!.id === "a") aDone.resolve();
    return {};
  });
  const { events, result } = await runRecorded(
    pipeline([addTargetsStep(["a", "b"]), step("s1", s1), step("s2", s2)], { concurrency: 2 }),
  );
  const order = trace(events);
  assert.ok(order.indexOf("start:s1@b") < order.indexOf("end:s1@a"), "b started while a ran");
  assert.ok(order.indexOf("end:s2@a") < order.indexOf("end:s1@b"), "a finished s2 before b s1");
  assert.equal(result.exitCode, 0);
});

Deno.test("concurrency caps how many targets run at once", async () => {
  let running = 0;
  let peak = 0;
  const t = plugin("t", "target", async () => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setTimeout(r, 1));
    running--;
    return {};
  });
  await runRecorded(
    pipeline([addTargetsStep(["a", "b", "c", "d", "e"]), step("t", t)], { concurrency: 2 }),
  );
  assert.equal(peak, 2);
});

Deno.test("one target failing does not stop the others; it skips its steps except always ones", async () => {
  const flaky = plugin("flaky", "target", (ctx) => {
    if (ctx.target!.id === "bad") throw new Error("boom on bad");
    return {};
  });
  const next = plugin("next", "target", (ctx) => ({ ran: ctx.target!.id }));
  const { result, events } = await runRecorded(
    pipeline([
      addTargetsStep(["good", "bad"]),
      step("flaky", flaky),
      step("next", next),
      step("collect", next, { always: true }),
    ]),
  );
  const [good, bad] = result.targets;
  assert.equal(good.status, "done");
  assert.deepEqual(good.outputs.next, { ran: "good" });
  assert.equal(bad.status, "failed");
  assert.equal(bad.verdict, "error");
  const { stack, ...failure } = bad.failure!;
  assert.match(stack ?? "", /^Error: boom on bad\n\s+at /);
  assert.deepEqual(failure, {
    stepId: "flaky",
    stepType: "flaky",
    kind: "internal",
    message: "boom on bad",
  });
  assert.equal(bad.outputs.next, undefined);
  assert.deepEqual(bad.outputs.collect, { ran: "bad" });
  const skipped = events.filter((e) => e.type === "step-skipped");
  assert.deepEqual(
    skipped.map((e) => e.type === "step-skipped" && `${e.stepId}@${e.targetId}`),
    ["next@bad"],
  );
  assert.equal(result.exitCode, 1);
});

Deno.test("a target given the verdict unsupported skips its remaining steps except always ones", async () => {
  const judge = plugin("judge", "target", (ctx) => {
    if (ctx.target!.id === "odd") {
      ctx.target!.verdict = "unsupported";
      ctx.target!.verdictReason = "unsupported: distribution Obscurix 1";
    } else {
      // Every target reaches a verdict: a run with verdicts fails on a target without one.
      ctx.target!.verdict = "functional";
    }
    return {};
  });
  const next = plugin("next", "target", (ctx) => ({ ran: ctx.target!.id }));
  const { result, events } = await runRecorded(
    pipeline([
      addTargetsStep(["plain", "odd"]),
      step("judge", judge),
      step("next", next),
      step("collect", next, { always: true }),
    ]),
  );
  const [plain, odd] = result.targets;
  assert.deepEqual(plain.outputs.next, { ran: "plain" });
  assert.equal(odd.outputs.next, undefined);
  assert.deepEqual(odd.outputs.collect, { ran: "odd" });
  assert.equal(odd.status, "done");
  assert.equal(odd.verdict, "unsupported");
  const skipped = events.flatMap((e) => e.type === "step-skipped" ? [e] : []);
  assert.deepEqual(skipped.map((e) => `${e.stepId}@${e.targetId}`), ["next@odd"]);
  assert.match(skipped[0].reason, /target unsupported \(unsupported: distribution Obscurix 1\)/);
  assert.equal(result.exitCode, 0);
});

Deno.test("a failing pipeline step fails the run: later steps are skipped except always ones", async () => {
  const ran: string[] = [];
  const ok = plugin("ok", "pipeline", (ctx) => {
    ran.push(ctx.step.id);
    return {};
  });
  const fail = plugin("fail", "pipeline", () => {
    throw new Error("launch failed");
  });
  const t = plugin("t", "target", (ctx) => {
    ran.push(`${ctx.step.id}@${ctx.target!.id}`);
    return {};
  });
  const { result } = await runRecorded(
    pipeline([
      addTargetsStep(["a"]),
      step("launch", fail),
      step("verify", t),
      step("gather", t, { always: true }),
      step("report", ok),
      step("cleanup", ok, { always: true }),
    ]),
  );
  assert.deepEqual(ran, ["gather@a", "cleanup"]);
  assert.equal(result.exitCode, 1);
  assert.equal(result.failures[0].stepId, "launch");
});

Deno.test("if: is evaluated per target against that target's outputs", async () => {
  const check = plugin("check", "target", (ctx) => ({ needs_build: ctx.target!.id === "old" }));
  const build = plugin("build", "target", () => ({ built: true }));
  const { result } = await runRecorded(
    pipeline([
      addTargetsStep(["old", "new"]),
      step("ena-check", check),
      step("ena-build", build, { if: "${{ steps.ena-check.outputs.needs_build }}" }),
    ]),
  );
  assert.deepEqual(result.targets[0].outputs["ena-build"], { built: true });
  assert.equal(result.targets[1].outputs["ena-build"], undefined);
  assert.equal(result.exitCode, 0);
});

Deno.test("with: is evaluated against inputs, pipeline outputs and the target", async () => {
  const echo = plugin("echo", "target", (_ctx, input) => input);
  const { result } = await runRecorded(
    pipeline([
      addTargetsStep(["a"]),
      step("echo", echo, {
        with: {
          greeting: "${{ inputs.greeting }} ${{ target.label }}",
          count: "${{ steps.add.outputs.count }}",
        },
      }),
    ]),
    { inputs: { values: { greeting: "hello" } } },
  );
  assert.deepEqual(result.targets[0].outputs.echo, { greeting: "hello a label", count: 1 });
});

Deno.test("a with: value the input schema rejects fails the step with kind config naming the key", async () => {
  const { z } = await import("zod");
  const typed = plugin("typed", "pipeline", () => ({}), {
    input: z.object({ subnet_id: z.string() }),
  });
  const { result, events } = await runRecorded(
    pipeline([step("launch", typed, { with: { subnet_id: 42 } })]),
  );
  assert.equal(result.failures[0].kind, "config");
  assert.match(result.failures[0].message, /with\.subnet_id/);
  const finished = events.find((e) => e.type === "step-finished");
  assert.equal(finished?.type === "step-finished" && finished.errorKind, "config");
  assert.equal(result.exitCode, 1);
});

Deno.test("an output that violates the output schema is an internal error naming the step", async () => {
  const { z } = await import("zod");
  const liar = plugin("liar", "pipeline", () => ({ count: "three" }), {
    output: z.object({ count: z.number() }),
  });
  const { result } = await runRecorded(pipeline([step("launch", liar)]));
  assert.equal(result.failures[0].kind, "internal");
  assert.match(result.failures[0].message, /step "launch" \(liar\).*output schema.*count/);
  assert.equal(result.outputs.launch, undefined);
});

Deno.test("continue_on_error records a warning and the target goes on", async () => {
  const fail = plugin("fail", "target", () => {
    throw new Error("optional thing broke");
  });
  const after = plugin("after", "target", () => ({ ok: true }));
  const { result } = await runRecorded(
    pipeline([
      addTargetsStep(["a"]),
      step("optional", fail, { continueOnError: true }),
      step("after", after),
    ]),
  );
  const [a] = result.targets;
  assert.equal(a.status, "done");
  assert.deepEqual(a.outputs.after, { ok: true });
  assert.equal(a.warnings.length, 1);
  assert.match(a.warnings[0], /optional thing broke/);
  assert.equal(result.exitCode, 0);
});

Deno.test("zero targets and no errors exit 0", async () => {
  const t = plugin("t", "target", () => ({}));
  const { result } = await runRecorded(pipeline([addTargetsStep([]), step("t", t)]));
  assert.equal(result.exitCode, 0);
  assert.equal(result.targets.length, 0);
});

Deno.test("addTargets rejects a target id already used in the run", async () => {
  const { result } = await runRecorded(
    pipeline([addTargetsStep(["a"], "first"), addTargetsStep(["a"], "second")]),
  );
  assert.equal(result.failures[0].stepId, "second");
  assert.match(result.failures[0].message, /"a".*already used/);
  assert.equal(result.targets.length, 1);
});

Deno.test("targets are final before the pipeline steps that follow the last target step", async () => {
  const seen: string[] = [];
  const report = plugin("report", "pipeline", (ctx) => {
    seen.push(...ctx.targets.map((t) => `${t.id}:${t.status}`));
    return {};
  });
  const t = plugin("t", "target", () => ({}));
  await runRecorded(pipeline([addTargetsStep(["a"]), step("t", t), step("report", report)]));
  await runRecorded(pipeline([addTargetsStep(["b"]), step("report", report)]));
  assert.deepEqual(seen, ["a:done", "b:done"]);
});
