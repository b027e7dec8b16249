import assert from "node:assert/strict";
import { createStepContext, type RunRuntime } from "../../runner/context.ts";
import { EventBus } from "../../runner/events.ts";
import { Services } from "../../runner/services.ts";
import type { RunEvent, RunSettings } from "../../runner/types.ts";
import { makeTestContext, testSettings } from "../helpers/context.ts";

function runtime(settings: Partial<RunSettings> = {}) {
  const events: RunEvent[] = [];
  const bus = new EventBus("20260101-000000-ctx1");
  bus.subscribe((e) => events.push(e));
  const order: string[] = [];
  const run: RunRuntime = {
    runId: bus.runId,
    pipelineName: "p",
    inputs: { a: 1 },
    outputs: {},
    targets: [],
    bus,
    services: new Services(),
    journal: makeTestContext().journal,
    settings: testSettings(settings),
    console: {
      withConsole: async (fn) => {
        order.push("pause");
        try {
          return await fn();
        } finally {
          order.push("resume");
        }
      },
    },
    isInterrupted: () => false,
  };
  return { run, events, order };
}

Deno.test("addTargets fills defaults, emits target-added and makes targets visible to later steps", () => {
  const { run, events } = runtime();
  const ctx = createStepContext(run, { id: "launch", type: "launch" });
  const [t] = ctx.addTargets([{
    id: "c7i-1",
    label: "c7i.large 1 of 1",
    instanceType: "c7i.large",
  }]);
  assert.equal(t.status, "pending");
  assert.equal(t.launchedByRun, false);
  assert.deepEqual([t.facts, t.outputs, t.diagnostics, t.warnings], [{}, {}, [], []]);
  assert.equal(run.targets[0], t);
  const added = events.find((e) => e.type === "target-added");
  assert.deepEqual(added?.type === "target-added" && [added.targetId, added.label], [
    "c7i-1",
    "c7i.large 1 of 1",
  ]);
  assert.throws(() => ctx.addTargets([{ id: "x", label: "x" }, { id: "x", label: "y" }]), /"x"/);
});

Deno.test("the logger binds the step and target to log events", () => {
  const { run, events } = runtime();
  const target = createStepContext(run, { id: "launch", type: "launch" }).addTargets([
    { id: "t1", label: "t1" },
  ])[0];
  const ctx = createStepContext(run, { id: "verify", type: "verify" }, target);
  ctx.log.warn("chrony not synced", { offsetNs: 12 });
  const log = events.find((e) => e.type === "log");
  assert.deepEqual(
    log?.type === "log" && [log.level, log.message, log.stepId, log.targetId, log.data],
    ["warn", "chrony not synced", "verify", "t1", { offsetNs: 12 }],
  );
});

Deno.test("ctx.sleep is scaled by timeScale and rejects with the signal's reason", async () => {
  const { run } = runtime({ timeScale: 0 });
  const ctx = createStepContext(run, { id: "s", type: "s" });
  await ctx.sleep(3600); // would take an hour at timeScale 1
  const controller = new AbortController();
  const slow = createStepContext(runtime({ timeScale: 1 }).run, { id: "s", type: "s" });
  const waiting = slow.sleep(3600, controller.signal);
  controller.abort(new DOMException("stop", "AbortError"));
  await assert.rejects(waiting, (e: unknown) => e instanceof DOMException && e.message === "stop");
});

Deno.test("withConsole pauses the console around the function and addSecret redacts later events", async () => {
  const { run, events, order } = runtime();
  const ctx = createStepContext(run, { id: "s", type: "s" });
  const answer = await ctx.withConsole(() => {
    order.push("prompt");
    return Promise.resolve(42);
  });
  assert.equal(answer, 42);
  assert.deepEqual(order, ["pause", "prompt", "resume"]);
  ctx.addSecret("passphrase-123");
  ctx.log.info("using passphrase-123");
  const log = events.findLast((e) => e.type === "log");
  assert.equal(log?.type === "log" && log.message, "using ***");
});
