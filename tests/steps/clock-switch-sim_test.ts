/**
 * Simulator: configure-chrony going back to the ENA clock after a run with
 * another clock choice removes the `/dev/ptp_refclock` udev rule it wrote
 * then (and udev drops the link); `--dry-run` only plans the removal; a
 * further run with nothing to change restarts and reloads nothing.
 */
import assert from "node:assert/strict";
import configureChrony from "../../steps/configure-chrony.ts";
import enableHwts from "../../steps/enable-hwts.ts";
import verify from "../../steps/verify.ts";
import { REFCLOCK_UDEV_RULE_PATH } from "../../plugins/ptp/chosen-clock.ts";
import { runStep } from "../ptp/step-harness.ts";
import { sentCommands, simulatedTarget } from "../helpers/sim-target.ts";
import type { RemoteShell } from "../../plugins/ssh/types.ts";
import type { TargetTestContext } from "../helpers/context.ts";

const SIM = { sanitizeResources: false, sanitizeOps: false };
/** A non-ENA clock choice (kind `clock_name`) that finds the ENA clock under its own name. */
const BY_NAME = "clock_name:ena-ptp-*";
const DROP_IN = "/etc/chrony.d/ptp-runner.conf";

async function out(shell: RemoteShell, command: string): Promise<string> {
  const r = await shell.run(command, { sudo: true });
  return `${r.exitCode}:${r.stdout}`;
}

/** Commands sent from `from` on that change the host (restart, udev reload, writes, rm). */
const changing = (ctx: TargetTestContext, from: number) =>
  sentCommands(ctx).slice(from).filter((c) => /restart|udevadm|tee |rm -f/.test(c));

/** A simulated ENA host with its PHC on, chrony reading it through `/dev/ptp_refclock`. */
async function hostOnRefclock(address: string, profile: Record<string, unknown> = {}) {
  const sim = await simulatedTarget(profile, address);
  const enabled = await runStep(enableHwts, sim.ctx, { settle_timeout: 30, poll_interval: 1 });
  assert.equal(enabled.state, "enabled", JSON.stringify(sim.target.diagnostics));
  const first = await runStep(configureChrony, sim.ctx, { clock: BY_NAME, settle_seconds: 2 });
  assert.equal(first.device, "/dev/ptp_refclock", JSON.stringify(sim.target.diagnostics));
  assert.match(
    await out(sim.shell, `cat ${REFCLOCK_UDEV_RULE_PATH}`),
    /^0:[^]*ATTR\{clock_name\}=="ena-ptp-/,
  );
  assert.match(await out(sim.shell, "readlink /dev/ptp_refclock"), /^0:ptp\d+\n$/);
  return sim;
}

Deno.test({
  name: "configure-chrony back to clock ena removes the refclock udev rule, then stays unchanged",
  ...SIM,
}, async () => {
  const { ctx, target, shell, stop } = await hostOnRefclock("127.0.0.79");
  try {
    const recordedBefore = target.facts.changes?.length ?? 0;
    const back = await runStep(configureChrony, ctx, { clock: "ena", settle_seconds: 2 });
    assert.equal(back.changed, true, JSON.stringify(target.diagnostics, null, 1));
    assert.equal(back.device, "/dev/ptp_ena");
    assert.equal(await out(shell, `test -e ${REFCLOCK_UDEV_RULE_PATH}; echo $?`), "0:1\n");
    assert.equal(await out(shell, "test -e /dev/ptp_refclock; echo $?"), "0:1\n", "link gone");
    assert.match(await out(shell, `cat ${DROP_IN}`), /^refclock PHC \/dev\/ptp_ena /m);
    const changes = (target.facts.changes ?? []).slice(recordedBefore);
    assert.deepEqual(changes.map((c) => [c.kind, c.summary, c.applied]), [
      ["file", `update ${DROP_IN}`, true],
      ["action", "restart chronyd", true],
      ["remove", `remove ${REFCLOCK_UDEV_RULE_PATH}`, true],
      ["action", "reload udev rules and trigger PTP devices", true],
    ]);
    assert.match(changes[2].diff ?? "", /^-SUBSYSTEM=="ptp", ATTR\{clock_name\}=="ena-ptp-/m);
    const verdict = await runStep(verify, ctx, { clock: "ena", timeout: 60, interval: 2 });
    assert.equal(verdict.verdict, "functional", JSON.stringify(target.diagnostics, null, 1));

    const sent = sentCommands(ctx).length;
    const again = await runStep(configureChrony, ctx, { clock: "ena" });
    assert.equal(again.changed, false);
    assert.deepEqual(changing(ctx, sent), [], "no restart, no udev reload, no write");
    assert.equal(target.facts.changes?.length, recordedBefore + 4, "nothing new recorded");
  } finally {
    await stop();
  }
});

Deno.test({
  name: "--dry-run of configure-chrony back to clock ena plans the rule's removal, leaves it",
  ...SIM,
}, async () => {
  const { ctx, target, shell, stop } = await hostOnRefclock("127.0.0.80");
  try {
    const recordedBefore = target.facts.changes?.length ?? 0;
    const rule = await out(shell, `cat ${REFCLOCK_UDEV_RULE_PATH}`);
    const conf = await out(shell, `cat ${DROP_IN}`);
    ctx.settings.dryRun = true;
    const sent = sentCommands(ctx).length;
    const planned = await runStep(configureChrony, ctx, { clock: "ena" });
    assert.equal(planned.changed, true);
    assert.equal(planned.check_mode, true);
    assert.deepEqual(changing(ctx, sent), [], "nothing applied");
    assert.equal(await out(shell, `cat ${REFCLOCK_UDEV_RULE_PATH}`), rule);
    assert.equal(await out(shell, `cat ${DROP_IN}`), conf);
    assert.match(await out(shell, "readlink /dev/ptp_refclock"), /^0:ptp\d+\n$/);
    const changes = (target.facts.changes ?? []).slice(recordedBefore);
    assert.deepEqual(changes.map((c) => [c.kind, c.summary, c.applied]), [
      ["file", `update ${DROP_IN}`, false],
      ["action", "validate with chronyd -p, restart chronyd", false],
      ["remove", `remove ${REFCLOCK_UDEV_RULE_PATH}`, false],
      ["action", "reload udev rules and trigger PTP devices", false],
    ]);
  } finally {
    await stop();
  }
});

Deno.test({
  name: "a refclock rule that cannot be removed: chrony rolled back to /dev/ptp_refclock, active",
  ...SIM,
}, async () => {
  const { ctx, target, shell, stop } = await hostOnRefclock("127.0.0.81", {
    overrides: [{
      regex: "^rm -f /etc/udev/rules\\.d/",
      stderr: "rm: cannot remove: Read-only file system\n",
      exit: 1,
    }],
  });
  try {
    const conf = await out(shell, `cat ${DROP_IN}`);
    const error = await runStep(configureChrony, ctx, { clock: "ena", settle_seconds: 2 })
      .catch((e) => e);
    assert.ok(error instanceof Error);
    assert.match(error.message, /cannot remove \/etc\/udev\/rules\.d\/52-ptp-runner-refclock/);
    assert.equal(await out(shell, `cat ${DROP_IN}`), conf, "chrony reads /dev/ptp_refclock again");
    assert.match(await out(shell, "readlink /dev/ptp_refclock"), /^0:ptp\d+\n$/);
    assert.match(await out(shell, "systemctl show -p ActiveState chronyd"), /ActiveState=active/);
    assert.equal(target.facts.chrony?.rolledBack, true);
  } finally {
    await stop();
  }
});
