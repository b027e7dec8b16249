import assert from "node:assert/strict";
import { Services } from "../../runner/services.ts";
import { EventBus } from "../../runner/events.ts";
import { addTargetsStep, deferred, pipeline, plugin, runRecorded, step } from "./helpers.ts";

Deno.test("services are created once per key, even by concurrent gets", async () => {
  const services = new Services();
  let made = 0;
  const create = async () => {
    await Promise.resolve();
    return { n: ++made };
  };
  const [a, b] = await Promise.all([services.get("k", create), services.get("k", create)]);
  assert.equal(a, b);
  assert.equal(made, 1);
});

Deno.test("a failed creation is not cached", async () => {
  const services = new Services();
  await assert.rejects(
    services.get("k", () => {
      throw new Error("no session");
    }),
    /no session/,
  );
  assert.deepEqual(await services.get("k", () => "ok"), "ok");
});

Deno.test("closeAll closes close() and asyncDispose services and logs close errors", async () => {
  const closed: string[] = [];
  const errors: string[] = [];
  const services = new Services((key) => errors.push(key));
  await services.get("a", () => ({ close: () => closed.push("a") }));
  await services.get(
    "b",
    () => ({ [Symbol.asyncDispose]: () => Promise.resolve(void closed.push("b")) }),
  );
  await services.get("c", () => ({
    close: () => {
      throw new Error("already gone");
    },
  }));
  await services.get("plain", () => 42);
  await services.closeAll();
  assert.deepEqual(closed, ["b", "a"]);
  assert.deepEqual(errors, ["c"]);
  assert.deepEqual(services.keys(), []);
});

Deno.test("the executor closes services at the end of the run", async () => {
  let closed = false;
  const open = plugin("open", "pipeline", async (ctx) => {
    await ctx.services.get("conn", () => ({ close: () => (closed = true) }));
    return {};
  });
  await runRecorded(pipeline([step("open", open)]));
  assert.equal(closed, true);
});

Deno.test("a target's own services (key ending :<target id>) close when the target finishes", async () => {
  const closed: string[] = [];
  const open = plugin("open", "target", async (ctx) => {
    const id = ctx.target!.id;
    await ctx.services.get(`session:${id}`, () => ({ close: () => closed.push(`session:${id}`) }));
    await ctx.services.get("shared", () => ({ close: () => closed.push("shared") }));
    return {};
  });
  let seenByLaterStep: string[] = [];
  const later = plugin("later", "pipeline", () => {
    seenByLaterStep = [...closed];
    return {};
  });
  const { result } = await runRecorded(
    pipeline([addTargetsStep(["a", "b"]), step("open", open), step("later", later)]),
  );
  assert.equal(result.exitCode, 0);
  assert.deepEqual(seenByLaterStep.sort(), ["session:a", "session:b"]);
  assert.ok(closed.includes("shared"), "shared services close at the end of the run");
  assert.equal(closed.at(-1), "shared");
});

Deno.test("a target's session stays open while its abandoned step still runs (a rollback after Ctrl-C)", async () => {
  const order: string[] = [];
  const rollback = deferred();
  const interrupt = new AbortController();
  const rollingBack = plugin("rolling-back", "target", async (ctx, _input, signal) => {
    const id = ctx.target!.id;
    await ctx.services.get(`session:${id}`, () => ({ close: () => order.push("session closed") }));
    interrupt.abort(new DOMException("run interrupted (SIGINT)", "AbortError"));
    // Ignores the abort beyond its grace: the rollback's commands still use the session.
    assert.ok(signal.aborted);
    await rollback.promise;
    order.push("rollback done");
    return {};
  });
  const bus = new EventBus("20260101-000000-test");
  bus.subscribe((e) => {
    if (e.type === "step-finished" && e.stepId === "rolling-back") {
      order.push("abandoned");
      setTimeout(() => rollback.resolve(), 5); // well within the second grace (1 s)
    }
  });
  const { result } = await runRecorded(
    pipeline([addTargetsStep(["a"]), step("rolling-back", rollingBack)]),
    { abortGraceSeconds: 1, interrupt: interrupt.signal, bus },
  );
  assert.equal(result.targets[0].status, "cancelled");
  assert.match(result.failures[0].message, /did not stop within 1s and was abandoned/);
  assert.deepEqual(order, ["abandoned", "rollback done", "session closed"]);
});
