/**
 * The console's end of run (runner/recap-text.ts through runner/console.ts):
 * the recap per target in input order with step counts, the failed pipeline
 * step, one verdict line; a step's `name:` shown instead of its id.
 */
import assert from "node:assert/strict";
import { ConsoleRenderer } from "../../runner/console.ts";
import type { RecapSeed } from "../../runner/recap.ts";
import type { RunEvent, RunEventInput } from "../../runner/types.ts";

function ev(e: RunEventInput): RunEvent {
  return { ...e, time: "2026-01-01T10:15:00.000Z", runId: "20260101-101500-abcd" } as RunEvent;
}

function render(events: RunEventInput[], failOn?: string[], recapSeed?: RecapSeed): string {
  let out = "";
  const r = new ConsoleRenderer({
    write: (t) => (out += t),
    isTTY: false,
    color: false,
    verbose: false,
    failOn,
    recapSeed,
  });
  for (const e of events) r.handle(ev(e));
  return out;
}

const step = (stepId: string, targetId: string, extra: Partial<RunEventInput> = {}) =>
  ({
    type: "step-finished",
    stepId,
    stepType: stepId,
    targetId,
    status: "ok",
    durationMs: 1000,
    ...extra,
  }) as RunEventInput;

const RUN: RunEventInput[] = [
  {
    type: "run-started",
    pipeline: "ptp",
    file: "ptp.yaml",
    inputs: { instance_types: ["c7i.large", "t3.micro", "m7a.large"] },
  },
  {
    type: "target-added",
    targetId: "t3.micro-1",
    label: "t3.micro 1 of 1",
    instanceType: "t3.micro",
  },
  {
    type: "target-added",
    targetId: "m7a.large-1",
    label: "m7a.large 1 of 1",
    instanceType: "m7a.large",
  },
  {
    type: "target-added",
    targetId: "c7i.large-1",
    label: "c7i.large 1 of 1",
    instanceType: "c7i.large",
  },
  {
    type: "step-started",
    stepId: "chrony",
    stepType: "configure-chrony",
    stepName: "Point chrony at the PHC",
    targetId: "c7i.large-1",
    attempt: 1,
  },
  step("chrony", "c7i.large-1", { changed: true }),
  step("verify", "c7i.large-1", { changed: false }),
  step("ena-check", "m7a.large-1"),
  step("verify", "m7a.large-1", { status: "failed", error: "chrony never selects the PHC" }),
  {
    type: "step-skipped",
    stepId: "verify",
    stepType: "verify",
    targetId: "t3.micro-1",
    reason: "target skipped",
  },
  {
    type: "target-finished",
    targetId: "c7i.large-1",
    label: "c7i.large 1 of 1",
    status: "done",
    verdict: "functional",
  },
  {
    type: "target-finished",
    targetId: "t3.micro-1",
    label: "t3.micro 1 of 1",
    status: "skipped",
    verdict: "unsupported",
  },
  {
    type: "target-finished",
    targetId: "m7a.large-1",
    label: "m7a.large 1 of 1",
    status: "done",
    verdict: "misconfigured",
  },
  { type: "run-finished", exitCode: 1, durationMs: 4400, interrupted: false },
];

Deno.test("the run ends on a recap in input order and one verdict line", () => {
  const lines = render(RUN).split("\n");
  const recap = lines.findIndex((l) => l.endsWith("RECAP"));
  assert.ok(recap > 0, lines.join("\n"));
  const rows = lines.slice(recap + 1, recap + 6);
  assert.match(
    rows[0],
    /^ {2}c7i\.large 1 of 1 +functional +ok=2 +changed=1 +unchanged=1 +skipped=0 +failed=0 +2\.0s$/,
  );
  assert.match(rows[1], /^ {2}t3\.micro 1 of 1 +unsupported +ok=0 .*skipped=1 +failed=0/);
  assert.match(rows[2], /^ {2}m7a\.large 1 of 1 +misconfigured +ok=1 .*failed=1/);
  assert.match(rows[3], /^ {2}\(pipeline steps\) +ok=0/);
  assert.match(rows[4], /^ {2}total +ok=3 +changed=1 +unchanged=1 +skipped=1 +failed=1 +4\.0s$/);
  assert.equal(lines.at(-2), "1 functional, 1 unsupported, 1 failed in 4.4 s (exit 1)");
});

Deno.test("--fail-on unsupported: the verdict line counts each target once and says the unsupported one fails the run", () => {
  const lines = render(RUN, ["unsupported"]).split("\n");
  assert.equal(
    lines.at(-2),
    "1 functional, 1 unsupported (failing the run: --fail-on unsupported), 1 failed in 4.4 s " +
      "(exit 1)",
  );
});

Deno.test("a step's name: replaces its id in the log lines", () => {
  const text = render(RUN);
  assert.match(text, /\[c7i\.large 1 of 1\] Point chrony at the PHC started/);
  assert.match(text, /\[c7i\.large 1 of 1\] Point chrony at the PHC ok \(changed\) 1\.0s/);
});

Deno.test("a failed pipeline step is named before the verdict line", () => {
  const text = render([
    { type: "step-started", stepId: "launch", stepType: "launch", attempt: 1 },
    {
      type: "step-finished",
      stepId: "launch",
      stepType: "launch",
      status: "failed",
      durationMs: 300,
      error: "InvalidKeyPair.NotFound",
    },
    { type: "run-finished", exitCode: 1, durationMs: 500, interrupted: false },
  ]);
  assert.match(
    text,
    /run failed: step launch: InvalidKeyPair\.NotFound\n0 functional, 0 unsupported, 0 failed in 0\.5 s \(exit 1\)\n$/,
  );
});

Deno.test("under GitHub Actions each target's lines come as one group when it finishes", () => {
  let out = "";
  const r = new ConsoleRenderer({
    write: (t) => (out += t),
    isTTY: false,
    color: false,
    verbose: false,
    githubActions: true,
  });
  for (const e of RUN.slice(0, -1)) r.handle(ev(e));
  const lines = out.split("\n");
  const open = lines.findIndex((l) => l === "::group::c7i.large 1 of 1: functional");
  assert.ok(open >= 0, out);
  const close = lines.indexOf("::endgroup::", open);
  const group = lines.slice(open + 1, close);
  assert.ok(group.length >= 3, group.join("\n"));
  for (const line of group) assert.match(line, /\[c7i\.large 1 of 1\]/);
  assert.match(out, /::group::m7a\.large 1 of 1: misconfigured/);
});

Deno.test("a target's step error is printed once, not again when the target finishes", () => {
  const text = render([
    { type: "target-added", targetId: "h1", label: "host-1" },
    step("connect", "h1", { status: "failed", error: "SSH to host-1: ECONNREFUSED" }),
    {
      type: "target-finished",
      targetId: "h1",
      label: "host-1",
      status: "failed",
      verdict: "error",
      reason: 'step "connect" failed: SSH to host-1: ECONNREFUSED',
    },
  ]);
  assert.equal(text.split("ECONNREFUSED").length - 1, 1, text);
  assert.match(text, /\[host-1\] finished: failed, verdict error\n/);
});

Deno.test("a resumed run's recap counts each step once per target, noting those re-run on resume", () => {
  const seed: RecapSeed = {
    steps: {
      pipeline: {
        launch: { status: "ok", duration_ms: 1000 },
        report: { status: "ok", duration_ms: 1000 },
      },
      targets: {
        "c7i.large-1": {
          connect: { status: "ok", duration_ms: 1000 },
          chrony: { status: "ok", changed: true, duration_ms: 1000 },
          verify: { status: "failed", duration_ms: 1000 },
        },
      },
    },
    resumedTargets: new Set(["c7i.large-1"]),
    skipReason: "done before the run was resumed",
  };
  const resumed: RunEventInput[] = [
    {
      type: "target-added",
      targetId: "c7i.large-1",
      label: "c7i.large 1 of 1",
      instanceType: "c7i.large",
    },
    { type: "step-skipped", stepId: "launch", stepType: "launch", reason: seed.skipReason },
    step("connect", "c7i.large-1"),
    {
      type: "step-skipped",
      stepId: "chrony",
      stepType: "chrony",
      targetId: "c7i.large-1",
      reason: seed.skipReason,
    },
    step("verify", "c7i.large-1", { changed: false }),
    { type: "step-finished", stepId: "report", stepType: "report", status: "ok", durationMs: 1000 },
    {
      type: "target-finished",
      targetId: "c7i.large-1",
      label: "c7i.large 1 of 1",
      status: "done",
      verdict: "functional",
    },
    { type: "run-finished", exitCode: 0, durationMs: 3000, interrupted: false },
  ];
  const lines = render(resumed, undefined, seed).split("\n");
  const recap = lines.findIndex((l) => l.endsWith("RECAP"));
  assert.ok(recap > 0, lines.join("\n"));
  assert.match(
    lines[recap + 1],
    /^ {2}c7i\.large 1 of 1 +functional +ok=3 +changed=1 +unchanged=1 +skipped=0 +failed=0 +3\.0s \(2 re-run on resume\)$/,
  );
  assert.match(
    lines[recap + 2],
    /^ {2}\(pipeline steps\) +ok=2 .*failed=0 +2\.0s \(1 re-run on resume\)$/,
  );
  assert.match(lines[recap + 3], /^ {2}total +ok=5 .* 5\.0s$/);
});
