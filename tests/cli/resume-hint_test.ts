/** cli/resume-hint.ts: a stopped run with running instances ends with the --resume command. */
import assert from "node:assert/strict";
import { resumeHint } from "../../cli/resume-hint.ts";
import type { ResourceRecord, TargetStatus } from "../../runner/types.ts";

function instance(state: ResourceRecord["state"]): ResourceRecord {
  return {
    kind: "ec2-instance",
    id: "i-0123456789abcdef0",
    state,
    createdAt: "2026-12-07T00:00:00Z",
  };
}

function hint(statuses: TargetStatus[], states: ResourceRecord["state"][], extra = {}) {
  return resumeHint({
    runId: "20261207-000000-abcd",
    file: "pipelines/ptp.yaml",
    targets: statuses.map((status) => ({ status })),
    resources: states.map(instance),
    dryRun: false,
    simulated: false,
    ...extra,
  });
}

Deno.test("resume hint: a cancelled target with a kept instance gives the --resume command", () => {
  assert.equal(
    hint(["done", "cancelled"], ["released", "kept"]),
    "to go on where each target stopped: ptp-runner run pipelines/ptp.yaml --resume " +
      "20261207-000000-abcd (with the same --set and --config)",
  );
  assert.match(hint(["failed"], ["created"]) ?? "", /--resume 20261207-000000-abcd/);
});

Deno.test("resume hint: none when every target finished, no instance runs, or a check or simulated run", () => {
  assert.equal(hint(["done", "skipped"], ["kept"]), undefined);
  assert.equal(hint(["cancelled"], ["released"]), undefined);
  assert.equal(hint(["cancelled"], ["kept"], { dryRun: true }), undefined);
  assert.equal(hint(["cancelled"], ["kept"], { simulated: true }), undefined);
});
