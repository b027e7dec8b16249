import assert from "node:assert/strict";
import { clockTime, ConsoleRenderer } from "../../runner/console.ts";
import type { RunEvent, RunEventInput } from "../../runner/types.ts";

const TIME = "2026-01-01T10:15:00.000Z";
const at = clockTime(TIME);

function ev(e: RunEventInput): RunEvent {
  return { ...e, time: TIME, runId: "20260101-101500-abcd" } as RunEvent;
}

function renderer(over: { isTTY?: boolean; color?: boolean; verbose?: boolean } = {}) {
  let out = "";
  let now = 0;
  const r = new ConsoleRenderer({
    write: (t) => (out += t),
    isTTY: over.isTTY ?? false,
    color: over.color ?? false,
    verbose: over.verbose ?? false,
    columns: 80,
    clock: () => now,
  });
  return { r, text: () => out, advance: (ms: number) => (now += ms) };
}

const TARGET_EVENTS: RunEventInput[] = [
  { type: "step-started", stepId: "launch", stepType: "launch", attempt: 1 },
  { type: "target-added", targetId: "c7i-1", label: "c7i.large 1 of 2" },
  { type: "step-finished", stepId: "launch", stepType: "launch", status: "ok", durationMs: 1500 },
  { type: "step-started", stepId: "verify", stepType: "verify", targetId: "c7i-1", attempt: 1 },
  {
    type: "step-finished",
    stepId: "verify",
    stepType: "verify",
    targetId: "c7i-1",
    status: "ok",
    durationMs: 12300,
  },
];

Deno.test("plain mode prints timestamped lines for pipeline and target steps", () => {
  const { r, text } = renderer();
  for (const e of TARGET_EVENTS) r.handle(ev(e));
  assert.equal(
    text(),
    [
      `${at} step launch started`,
      `${at} [c7i.large 1 of 2] target added`,
      `${at} step launch ok 1.5s`,
      `${at} [c7i.large 1 of 2] verify started`,
      `${at} [c7i.large 1 of 2] verify ok 12.3s`,
      "",
    ].join("\n"),
  );
  assert.match(at, /^\d\d:\d\d:\d\d$/);
});

Deno.test("plain mode shows failures with their error and warnings with a prefix", () => {
  const { r, text } = renderer();
  r.handle(ev({
    type: "step-finished",
    stepId: "connect",
    stepType: "connect",
    status: "failed",
    durationMs: 300,
    error: "connection refused",
  }));
  r.handle(ev({ type: "log", level: "warn", message: "slow host", stepId: "connect" }));
  assert.equal(
    text(),
    `${at} step connect failed 0.3s: connection refused\n${at} warning: connect: slow host\n`,
  );
});

Deno.test("debug logs and command events are shown only when verbose", () => {
  const events: RunEventInput[] = [
    { type: "log", level: "debug", message: "details" },
    { type: "command", command: "uname -m", exitCode: 0, durationMs: 20 },
    { type: "aws-call", service: "ec2", operation: "RunInstances", durationMs: 150 },
  ];
  const quiet = renderer();
  for (const e of events) quiet.r.handle(ev(e));
  assert.equal(quiet.text(), "");
  const loud = renderer({ verbose: true });
  for (const e of events) loud.r.handle(ev(e));
  assert.equal(
    loud.text(),
    `${at} details\n${at} $ uname -m (exit 0, 0.0s)\n${at} aws ec2 RunInstances 0.1s\n`,
  );
});

Deno.test("the renderer colours statuses only when colour is enabled", () => {
  const failed: RunEventInput = {
    type: "step-finished",
    stepId: "x",
    stepType: "x",
    status: "failed",
    durationMs: 1,
  };
  const plain = renderer({ color: false });
  plain.r.handle(ev(failed));
  assert.ok(!plain.text().includes("\x1b["));
  const coloured = renderer({ color: true });
  coloured.r.handle(ev(failed));
  assert.ok(coloured.text().includes("\x1b[31mfailed\x1b[39m"));
});

Deno.test("TTY mode keeps one live line per target, redrawn in place", () => {
  const { r, text, advance } = renderer({ isTTY: true });
  for (const e of TARGET_EVENTS.slice(0, 3)) r.handle(ev(e));
  r.handle(
    ev({
      type: "step-started",
      stepId: "verify",
      stepType: "verify",
      targetId: "c7i-1",
      attempt: 1,
    }),
  );
  advance(7000);
  r.handle(ev({ type: "log", level: "warn", message: "pipeline-level warning" }));
  const out = text();
  // The block is erased (cursor up 1 line, clear) before new lines are printed above it.
  assert.ok(out.includes("\x1b[1A\x1b[J"));
  const frames = out.split("\x1b[1A\x1b[J");
  const last = frames.at(-1)!;
  assert.match(last, /warning: pipeline-level warning\n/);
  assert.match(last, /c7i\.large 1 of 2\s+verify\s+7s\s+added\n$/);
  // Target step starts are not printed as lines in TTY mode.
  assert.ok(!out.includes("verify started"));
  r.stop();
});

Deno.test("withConsole erases the live block and holds output back until the prompt ends", async () => {
  const { r, text } = renderer({ isTTY: true });
  r.handle(ev({ type: "target-added", targetId: "a", label: "a" }));
  let during = "";
  await r.withConsole(() => {
    during = text();
    r.handle(ev({ type: "log", level: "error", message: "held back" }));
    assert.ok(!text().includes("held back"));
    return Promise.resolve();
  });
  // The block is the progress line and the target's line: 2 lines erased.
  assert.ok(during.endsWith("\x1b[2A\x1b[J"));
  assert.match(text(), /error: held back\n\[0\/1 done\][^\n]*\n {2}a/);
});
