import assert from "node:assert/strict";
import {
  forcedExitNotice,
  installSignalHandlers,
  type RunSignal,
  SIGNAL_REPEAT_WINDOW_MS,
} from "../../runner/signals.ts";
import { isRunId, newRunId } from "../../runner/run-id.ts";

Deno.test("the first signal cancels, a second forces the exit, and dispose removes the listeners", () => {
  const handlers = new Map<RunSignal, () => void>();
  const calls: string[] = [];
  let clock = 0;
  const dispose = installSignalHandlers({
    onInterrupt: (s) => calls.push(`interrupt:${s}`),
    onForceExit: (s) => calls.push(`exit:${s}`),
    listen: (s, h) => handlers.set(s, h),
    unlisten: (s) => handlers.delete(s),
    now: () => clock,
  });
  assert.deepEqual([...handlers.keys()], ["SIGINT", "SIGTERM", "SIGHUP"]);
  handlers.get("SIGTERM")!();
  clock += SIGNAL_REPEAT_WINDOW_MS;
  handlers.get("SIGINT")!();
  assert.deepEqual(calls, ["interrupt:SIGTERM", "exit:SIGINT"]);
  dispose();
  assert.equal(handlers.size, 0);
});

Deno.test("SIGHUP (terminal closed) cancels the run like SIGTERM, and a later one forces the exit", () => {
  const handlers = new Map<RunSignal, () => void>();
  const calls: string[] = [];
  let clock = 0;
  installSignalHandlers({
    onInterrupt: (s) => calls.push(`interrupt:${s}`),
    onForceExit: (s) => calls.push(`exit:${s}`),
    listen: (s, h) => handlers.set(s, h),
    unlisten: (s) => handlers.delete(s),
    now: () => clock,
  });
  handlers.get("SIGHUP")!();
  assert.deepEqual(calls, ["interrupt:SIGHUP"]);
  clock += SIGNAL_REPEAT_WINDOW_MS;
  handlers.get("SIGHUP")!();
  assert.deepEqual(calls, ["interrupt:SIGHUP", "exit:SIGHUP"]);
});

Deno.test("a signal repeated within the window (deno task forwarding one Ctrl-C) is the same press", () => {
  const handlers = new Map<RunSignal, () => void>();
  const calls: string[] = [];
  let clock = 0;
  installSignalHandlers({
    onInterrupt: (s) => calls.push(`interrupt:${s}`),
    onForceExit: (s) => calls.push(`exit:${s}`),
    listen: (s, h) => handlers.set(s, h),
    unlisten: (s) => handlers.delete(s),
    now: () => clock,
  });
  handlers.get("SIGINT")!();
  clock += 5;
  handlers.get("SIGINT")!();
  assert.deepEqual(calls, ["interrupt:SIGINT"]);
  clock += SIGNAL_REPEAT_WINDOW_MS;
  handlers.get("SIGINT")!();
  assert.deepEqual(calls, ["interrupt:SIGINT", "exit:SIGINT"]);
});

Deno.test("the forced exit notice lists created resources with release and cleanup commands", () => {
  const text = forcedExitNotice([
    {
      kind: "ec2-instance",
      id: "i-1",
      state: "created",
      createdAt: "",
      releaseCommand: "aws ec2 terminate-instances --instance-ids i-1",
    },
    { kind: "ec2-instance", id: "i-2", state: "released", createdAt: "" },
  ], "20260101-000000-abcd");
  assert.match(text, /i-1/);
  assert.ok(!text.includes("i-2"));
  assert.match(text, /aws ec2 terminate-instances --instance-ids i-1/);
  assert.match(text, /ptp-runner cleanup --run 20260101-000000-abcd/);
  assert.match(forcedExitNotice([], "x"), /no resource left behind/);
});

Deno.test("the forced exit notice of a simulated run prints no release nor cleanup command", () => {
  const created = {
    kind: "ec2-instance",
    id: "i-1",
    state: "created",
    createdAt: "",
    releaseCommand: "aws ec2 terminate-instances --instance-ids i-1",
  } as const;
  const text = forcedExitNotice([created], "20260101-000000-abcd", { simulated: true });
  assert.match(text, /simulated/);
  assert.match(text, /nothing to release/);
  assert.ok(!text.includes("aws ec2"), text);
  assert.ok(!text.includes("ptp-runner cleanup"), text);
  assert.match(forcedExitNotice([], "x", { simulated: true }), /nothing to release/);
});

Deno.test("run ids are UTC time plus a random suffix", () => {
  const id = newRunId(new Date("2026-11-29T10:15:00Z"), () => 0.5);
  assert.match(id, /^20261129-101500-[0-9a-z]{4}$/);
  assert.equal(isRunId(id), true);
  assert.equal(isRunId("../../etc"), false);
  assert.notEqual(newRunId(), newRunId(new Date(), () => 0.99));
});
