import assert from "node:assert/strict";
import { parseChronydStatus, stayedUp } from "../../plugins/ptp/chronyd-service.ts";

const show = (stdout: string) =>
  parseChronydStatus({
    command:
      "systemctl show -p ActiveState,SubState,InvocationID,ActiveEnterTimestamp,NRestarts chrony",
    stdout,
    stderr: "",
    exitCode: 0,
    durationMs: 1,
  });

const RUNNING_A = show(
  "ActiveState=active\nSubState=running\nInvocationID=4f1c0a7e9b2d4c3e8a1b2c3d4e5f6a7b\n" +
    "ActiveEnterTimestamp=Mon 2026-12-07 00:41:01 UTC\nNRestarts=0\n",
);

Deno.test("parseChronydStatus reads ActiveState, SubState, InvocationID and NRestarts", () => {
  assert.equal(RUNNING_A.active, "active");
  assert.equal(RUNNING_A.subState, "running");
  assert.equal(RUNNING_A.invocationId, "4f1c0a7e9b2d4c3e8a1b2c3d4e5f6a7b");
  assert.equal(RUNNING_A.activeEnter, "Mon 2026-12-07 00:41:01 UTC");
  assert.equal(RUNNING_A.nRestarts, 0);
  const never = show("ActiveState=inactive\nSubState=dead\nInvocationID=\nNRestarts=0\n");
  assert.equal(never.invocationId, null);
});

Deno.test("stayedUp: the same InvocationID after the settle time means no restart", () => {
  assert.deepEqual(stayedUp(RUNNING_A, RUNNING_A), { ok: true, reason: "" });
});

Deno.test("stayedUp: a new InvocationID is a restart even when NRestarts stays 0 (real systemd)", () => {
  const again = show(
    "ActiveState=active\nSubState=running\nInvocationID=9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b\n" +
      "ActiveEnterTimestamp=Mon 2026-12-07 00:41:03 UTC\nNRestarts=0\n",
  );
  const verdict = stayedUp(RUNNING_A, again);
  assert.equal(verdict.ok, false);
  assert.match(verdict.reason, /restarted during the settle time/);
});

Deno.test("stayedUp: failed after the restart or after the settle time is not up", () => {
  const failed = show("ActiveState=failed\nSubState=failed\nInvocationID=\nNRestarts=0\n");
  assert.match(stayedUp(failed, failed).reason, /failed\/failed right after the restart/);
  assert.match(stayedUp(RUNNING_A, failed).reason, /failed\/failed after the settle time/);
  const noId = show("ActiveState=active\nSubState=running\nNRestarts=0\n");
  assert.equal(stayedUp(noId, noId).ok, false);
});
