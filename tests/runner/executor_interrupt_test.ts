import assert from "node:assert/strict";
import { EXIT, StepError } from "../../runner/errors.ts";
import {
  addTargetsStep,
  deferred,
  NO_RETRY,
  pipeline,
  plugin,
  runRecorded,
  step,
} from "./helpers.ts";

Deno.test("an interrupt aborts running steps, skips the rest and runs always steps, exit 130", async () => {
  const controller = new AbortController();
  const started = deferred();
  let reason: unknown;
  const slow = plugin("slow", "target", (_ctx, _input, signal) => {
    started.resolve();
    return new Promise((_, reject) =>
      signal.addEventListener("abort", () => {
        reason = signal.reason;
        reject(signal.reason);
      })
    );
  });
  const later = plugin("later", "target", () => ({}));
  const alwaysRuns: { id: string; interrupted: boolean; signalAborted: boolean }[] = [];
  const record = (scope: "target" | "pipeline") =>
    plugin(`record-${scope}`, scope, (ctx, _input, signal) => {
      alwaysRuns.push({
        id: ctx.target ? `${ctx.step.id}@${ctx.target.id}` : ctx.step.id,
        interrupted: ctx.interrupted,
        signalAborted: signal.aborted,
      });
      return {};
    });
  const notAlways = plugin("report", "pipeline", () => ({}));
  started.promise.then(() => controller.abort(new DOMException("run interrupted", "AbortError")));
  const { result, events } = await runRecorded(
    pipeline([
      addTargetsStep(["a"]),
      step("slow", slow),
      step("later", later),
      step("gather", record("target"), { always: true }),
      step("report", notAlways),
      step("cleanup", record("pipeline"), { always: true }),
    ]),
    { interrupt: controller.signal },
  );
  assert.equal((reason as DOMException).name, "AbortError");
  assert.deepEqual(alwaysRuns, [
    { id: "gather@a", interrupted: true, signalAborted: false },
    { id: "cleanup", interrupted: true, signalAborted: false },
  ]);
  const skipped = events.flatMap((e) => e.type === "step-skipped" ? [e.stepId] : []);
  assert.deepEqual(skipped, ["later", "report"]);
  const slowEnd = events.find((e) => e.type === "step-finished" && e.stepId === "slow");
  assert.equal(slowEnd?.type === "step-finished" && slowEnd.status, "cancelled");
  assert.equal(result.targets[0].status, "cancelled");
  assert.equal(result.interrupted, true);
  assert.equal(result.exitCode, EXIT.INTERRUPTED);
  const finished = events.at(-1);
  assert.equal(finished?.type === "run-finished" && finished.exitCode, 130);
});

Deno.test("an interrupt during a retry delay stops retrying", async () => {
  const controller = new AbortController();
  let calls = 0;
  const flaky = plugin("flaky", "pipeline", () => {
    calls++;
    queueMicrotask(() => controller.abort(new DOMException("run interrupted", "AbortError")));
    throw new StepError("not-ready", "not yet");
  });
  const { result } = await runRecorded(
    pipeline([
      step("verify", flaky, {
        retry: { ...NO_RETRY, attempts: 5, delaySeconds: 1, maxDelaySeconds: 1 },
      }),
    ]),
    { interrupt: controller.signal },
  );
  assert.equal(calls, 1);
  assert.equal(result.exitCode, 130);
});

Deno.test("an interrupt once only always steps are left changes nothing: the run's result stands", async () => {
  const controller = new AbortController();
  const work = plugin("work", "target", () => ({}));
  const seen: boolean[] = [];
  // The signal arrives while the cleanup step runs, after every target finished its work.
  const cleanup = plugin("cleanup", "pipeline", (ctx) => {
    controller.abort(new DOMException("run interrupted", "AbortError"));
    seen.push(ctx.interrupted);
    return {};
  });
  const report = plugin("report", "pipeline", (ctx) => {
    seen.push(ctx.interrupted);
    return {};
  });
  const { result, events } = await runRecorded(
    pipeline([
      addTargetsStep(["a", "b"]),
      step("work", work),
      step("cleanup", cleanup, { always: true }),
      step("report", report, { always: true }),
    ]),
    { interrupt: controller.signal },
  );
  assert.deepEqual(seen, [false, false]);
  assert.equal(result.interrupted, false);
  assert.equal(result.exitCode, EXIT.OK);
  assert.deepEqual(result.targets.map((t) => t.status), ["done", "done"]);
  const finished = events.at(-1);
  assert.equal(finished?.type === "run-finished" && finished.exitCode, 0);
  const noted = events.some((e) =>
    e.type === "log" && /signal after the run's work was done/.test(e.message)
  );
  assert.ok(noted, "the late signal is noted in the log");
});

Deno.test("an interrupt while a work step runs still interrupts the run, even if the always steps follow", async () => {
  const controller = new AbortController();
  const last = plugin("last", "pipeline", () => {
    controller.abort(new DOMException("run interrupted", "AbortError"));
    return {};
  });
  const cleanup = plugin("cleanup", "pipeline", () => ({}));
  const { result } = await runRecorded(
    pipeline([step("last", last), step("cleanup", cleanup, { always: true })]),
    { interrupt: controller.signal },
  );
  assert.equal(result.interrupted, true);
  assert.equal(result.exitCode, EXIT.INTERRUPTED);
});
