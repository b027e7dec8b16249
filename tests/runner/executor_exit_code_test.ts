import assert from "node:assert/strict";
import { EXIT, StepError } from "../../runner/errors.ts";
import { exitCodeOf } from "../../runner/executor.ts";
import type { FailureRecord } from "../../runner/types.ts";
import { makeTarget } from "../helpers/context.ts";
import { pipeline, plugin, runRecorded, step } from "./helpers.ts";

const usageFailure: FailureRecord = {
  stepId: "launch",
  stepType: "launch",
  kind: "usage",
  message: "needs confirmation: pass --yes",
};

Deno.test("a run stopped by a usage step error exits 1: exit 2 is only for runs refused before they start", async () => {
  const refuse = plugin("launch", "pipeline", () => {
    throw new StepError("usage", "launching 6 instances needs confirmation: pass --yes");
  });
  const always = plugin("report", "pipeline", () => ({}));
  const { result } = await runRecorded(
    pipeline([step("launch", refuse), step("report", always, { always: true })]),
  );
  assert.equal(result.failures[0].kind, "usage");
  assert.equal(result.exitCode, EXIT.FAILED);
});

Deno.test("a usage error together with another failure exits 1", async () => {
  const refuse = plugin("launch", "pipeline", () => {
    throw new StepError("usage", "pass --yes");
  });
  const broken = plugin("report", "pipeline", () => {
    throw new StepError("internal", "could not write the report");
  });
  const { result } = await runRecorded(
    pipeline([step("launch", refuse), step("report", broken, { always: true })]),
  );
  assert.equal(result.exitCode, EXIT.FAILED);
});

Deno.test("exitCodeOf never gives 2: a usage failure in a started run is a failure like any other", () => {
  const base = { interrupted: false, leftBehind: [], targets: [], failures: [usageFailure] };
  assert.equal(exitCodeOf(base), EXIT.FAILED);
  assert.equal(
    exitCodeOf({ ...base, failures: [{ ...usageFailure, kind: "config" }] }),
    EXIT.FAILED,
  );
  const erroredTarget = makeTarget({ id: "a", label: "a", status: "done", verdict: "error" });
  assert.equal(exitCodeOf({ ...base, targets: [erroredTarget] }), EXIT.FAILED);
  assert.equal(exitCodeOf({ ...base, interrupted: true }), EXIT.INTERRUPTED);
  assert.equal(exitCodeOf({ ...base, failures: [] }), EXIT.OK);
});
