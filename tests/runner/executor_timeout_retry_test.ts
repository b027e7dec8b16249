import assert from "node:assert/strict";
import { StepError } from "../../runner/errors.ts";
import type { RetryPolicy } from "../../runner/pipeline/model.ts";
import { isRetryable, retryDelaySeconds } from "../../runner/retry.ts";
import { NO_RETRY, pipeline, plugin, runRecorded, step } from "./helpers.ts";

Deno.test("a timeout aborts the plugin's signal and fails the step with kind timeout", async () => {
  let sawAbort: unknown;
  const slow = plugin("slow", "pipeline", (_ctx, _input, signal) =>
    new Promise((_, reject) => {
      signal.addEventListener("abort", () => {
        sawAbort = signal.reason;
        reject(signal.reason);
      });
    }));
  const { result, events } = await runRecorded(
    pipeline([step("slow", slow, { timeoutSeconds: 0.02 })]),
  );
  assert.ok(sawAbort instanceof DOMException);
  assert.equal((sawAbort as DOMException).name, "TimeoutError");
  assert.equal(result.failures[0].kind, "timeout");
  const finished = events.find((e) => e.type === "step-finished");
  assert.equal(finished?.type === "step-finished" && finished.status, "failed");
  assert.equal(result.exitCode, 1);
});

Deno.test("a plugin ignoring its signal is abandoned after the grace with kind timeout", async () => {
  let release!: () => void;
  const stubborn = plugin(
    "stubborn",
    "pipeline",
    () => new Promise<object>((r) => (release = () => r({}))),
  );
  const { result } = await runRecorded(
    pipeline([step("stubborn", stubborn, { timeoutSeconds: 0.01 })]),
    { abortGraceSeconds: 0.01 },
  );
  release();
  assert.equal(result.failures[0].kind, "timeout");
  assert.match(result.failures[0].message, /did not stop within 0.01s/);
});

const policy = (over: Partial<RetryPolicy>): RetryPolicy => ({ ...NO_RETRY, ...over });

Deno.test("retry makes the configured attempts with exponential delays and emits step-retry", async () => {
  let calls = 0;
  const flaky = plugin("flaky", "pipeline", () => {
    calls++;
    if (calls < 4) throw new StepError("not-ready", `not yet (${calls})`);
    return { calls };
  });
  const { result, events } = await runRecorded(
    pipeline([
      step("verify", flaky, {
        retry: policy({ attempts: 5, backoff: "exponential", delaySeconds: 1, maxDelaySeconds: 3 }),
      }),
    ]),
  );
  assert.equal(calls, 4);
  assert.deepEqual(result.outputs.verify, { calls: 4 });
  const retries = events.filter((e) => e.type === "step-retry");
  assert.deepEqual(
    retries.map((e) => e.type === "step-retry" && [e.attempt, e.delayMs]),
    [[2, 1000], [3, 2000], [4, 3000]],
  );
  const starts = events.filter((e) => e.type === "step-started");
  assert.deepEqual(starts.map((e) => e.type === "step-started" && e.attempt), [1, 2, 3, 4]);
  assert.equal(result.exitCode, 0);
});

Deno.test("retry stops after the last attempt and keeps the last error", async () => {
  let calls = 0;
  const never = plugin("never", "pipeline", () => {
    calls++;
    throw new StepError("connection", `refused ${calls}`);
  });
  const { result } = await runRecorded(
    pipeline([step("connect", never, { retry: policy({ attempts: 3, on: ["connection"] }) })]),
  );
  assert.equal(calls, 3);
  assert.equal(result.failures[0].message, "refused 3");
  assert.equal(result.failures[0].kind, "connection");
});

Deno.test("retry only retries the kinds listed in on", async () => {
  let calls = 0;
  const commandFails = plugin("cmd", "pipeline", () => {
    calls++;
    throw new StepError("command", "exit 1");
  });
  const { result } = await runRecorded(
    pipeline([step("build", commandFails, { retry: policy({ attempts: 3, on: ["connection"] }) })]),
  );
  assert.equal(calls, 1);
  assert.equal(result.failures[0].kind, "command");
});

Deno.test("retry delays: constant, exponential capped by max delay, jitter as a fraction", () => {
  const constant = policy({ backoff: "constant", delaySeconds: 5, maxDelaySeconds: 60 });
  assert.deepEqual([1, 2, 3].map((n) => retryDelaySeconds(constant, n)), [5, 5, 5]);
  const exp = policy({ backoff: "exponential", delaySeconds: 2, maxDelaySeconds: 10 });
  assert.deepEqual([1, 2, 3, 4].map((n) => retryDelaySeconds(exp, n)), [2, 4, 8, 10]);
  const jitter = policy({ backoff: "constant", delaySeconds: 4, maxDelaySeconds: 60, jitter: 0.5 });
  assert.equal(retryDelaySeconds(jitter, 1, () => 0.5), 5);
  assert.equal(retryDelaySeconds(jitter, 1, () => 0), 4);
});

Deno.test("cancelled is never retryable, any retries every other kind", () => {
  const any = policy({ on: "any" });
  assert.equal(isRetryable(any, "cancelled"), false);
  assert.equal(isRetryable(any, "throttled"), true);
  assert.equal(isRetryable(policy({ on: ["capacity"] }), "throttled"), false);
});

Deno.test("retry delays go through the scaled sleep: timeScale 0 makes a long backoff instant", async () => {
  let calls = 0;
  const flaky = plugin("flaky", "pipeline", () => {
    if (++calls < 2) throw new StepError("throttled", "slow down");
    return {};
  });
  // One hour of backoff at timeScale 0 (testSettings) must not wait.
  const { result } = await runRecorded(
    pipeline([
      step("s", flaky, {
        retry: policy({ attempts: 2, delaySeconds: 3600, maxDelaySeconds: 3600 }),
      }),
    ]),
  );
  assert.equal(result.exitCode, 0);
  assert.equal(calls, 2);
});
