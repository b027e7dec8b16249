/**
 * Simulator: configure-chrony, verify and enable-hwts on simulated hosts
 * over real SSH, for the clock choices (`primary-nic`, `clock_name:<glob>`,
 * `ena`), the Debian layout, a chrony.conf without confdir (real `chronyd -p`
 * of the simulator), check mode, idempotence and rollback.
 */
import assert from "node:assert/strict";
import { hostFactsOf } from "../../plugins/host/distribution.ts";
import type { RemoteShell } from "../../plugins/ssh/types.ts";
import type { StepBindableShell } from "../../plugins/ssh/shell-registry.ts";
import configureChrony from "../../steps/configure-chrony.ts";
import enableHwts from "../../steps/enable-hwts.ts";
import verify from "../../steps/verify.ts";
import { chronydJournalTail } from "../../plugins/ptp/chronyd-service.ts";
import { runStep } from "../ptp/step-harness.ts";
import { sentCommands, simulatedTarget } from "../helpers/sim-target.ts";
import type { Target } from "../../runner/types.ts";
import type { TargetTestContext } from "../helpers/context.ts";

const SIM = { sanitizeResources: false, sanitizeOps: false };
const RULE = "/etc/udev/rules.d/52-ptp-runner-refclock.rules";
const MARKER = "# ptp-runner: PHC refclock (the next line; remove both lines to undo)";
/** Debian's sshd PATH lacks /usr/sbin; putting it on the login PATH is the SSH plugin's job. */
const DEBIAN_IGB = { distribution: "debian-12", nic_driver: "igb", sbin_on_user_path: true };

async function out(shell: RemoteShell, command: string): Promise<string> {
  const r = await shell.run(command, { sudo: true });
  return `${r.exitCode}:${r.stdout}`;
}

/** Records `facts.host` from the host's /etc/os-release, as detect-arch does. */
async function detectHost(target: Target, shell: RemoteShell): Promise<void> {
  target.facts.host = hostFactsOf((await shell.run("cat /etc/os-release")).stdout);
}

/** What check mode must leave byte for byte: files, links, chrony's invocation. */
async function hostSnapshot(shell: RemoteShell, unit: string): Promise<string[]> {
  return await Promise.all([
    "cat /etc/chrony/chrony.conf /etc/chrony.conf",
    "ls /etc/chrony/conf.d /etc/chrony.d /etc/udev/rules.d /etc/modprobe.d",
    "readlink /dev/ptp_refclock /dev/ptp_ena",
    "cat /sys/module/ena/parameters/phc_enable",
    `systemctl show -p ActiveState,InvocationID ${unit}`,
  ].map((c) => out(shell, c)));
}

const restarts = (ctx: TargetTestContext) =>
  ctx.events.filter((e) => e.type === "command" && /systemctl restart/.test(e.command)).length;

Deno.test({
  name:
    "Debian 12 with an igb PHC and clock primary-nic: functional, then unchanged without restart",
  ...SIM,
}, async () => {
  const { ctx, target, shell, stop } = await simulatedTarget(DEBIAN_IGB, "127.0.0.71");
  try {
    await detectHost(target, shell);
    assert.equal(target.facts.host?.layout?.chrony_unit, "chrony");
    const first = await runStep(configureChrony, ctx, { clock: "primary-nic", settle_seconds: 2 });
    assert.equal(first.changed, true, JSON.stringify(target.diagnostics, null, 1));
    assert.equal(first.method, "drop-in");
    assert.equal(first.file, "/etc/chrony/conf.d/ptp-runner.conf");
    assert.equal(first.device, "/dev/ptp_refclock");
    const name = (await shell.run("cat /sys/class/ptp/ptp0/clock_name")).stdout.trim();
    assert.equal(first.clock_name, name);
    assert.match(await out(shell, `cat ${RULE}`), new RegExp(`ATTR\\{clock_name\\}=="${name}"`));
    assert.equal(await out(shell, "readlink /dev/ptp_refclock"), "0:ptp0\n");
    assert.ok(
      (await out(shell, "cat /etc/chrony/chrony.conf")).includes("confdir /etc/chrony/conf.d"),
    );

    const verdict = await runStep(verify, ctx, { clock: "primary-nic", timeout: 60, interval: 2 });
    assert.equal(verdict.verdict, "functional", JSON.stringify(target.diagnostics, null, 1));
    assert.equal(verdict.device, "/dev/ptp_refclock");
    assert.equal((verdict.quality as { reference_name: string }).reference_name, "PHC0");
    const recorded = (target.facts.changes ?? []).map((c) => [c.summary, c.applied]);
    assert.deepEqual(recorded, [
      [`create ${RULE}`, true],
      ["reload udev rules and trigger PTP devices", true],
      ["create /etc/chrony/conf.d/ptp-runner.conf", true],
      ["restart chrony", true],
    ]);

    const before = await out(shell, "systemctl show -p InvocationID chrony");
    const restartsBefore = restarts(ctx);
    const second = await runStep(configureChrony, ctx, { clock: "primary-nic" });
    assert.equal(second.changed, false);
    assert.equal((await runStep(verify, ctx, { clock: "primary-nic" })).verdict, "functional");
    assert.equal(restarts(ctx), restartsBefore, "no restart on the second run");
    assert.equal(await out(shell, "systemctl show -p InvocationID chrony"), before);
    assert.equal(target.facts.changes?.length, 4, "nothing new recorded");
  } finally {
    await stop();
  }
});

Deno.test({
  name:
    "a chrony.conf without confdir: the marker-line method passes the simulator's real chronyd -p",
  ...SIM,
}, async () => {
  const { ctx, target, shell, stop } = await simulatedTarget(
    { distribution: "rhel-9", nic_driver: "igb" },
    "127.0.0.72",
  );
  try {
    await detectHost(target, shell);
    const name = (await shell.run("cat /sys/class/ptp/ptp0/clock_name")).stdout.trim();
    const clock = `clock_name:${name.slice(0, 6)}*`;
    const conf = (await shell.run("cat /etc/chrony.conf")).stdout;
    assert.doesNotMatch(conf, /^(confdir|include) /m);
    const done = await runStep(configureChrony, ctx, { clock, settle_seconds: 2 });
    assert.equal(done.method, "line", JSON.stringify(target.diagnostics, null, 1));
    assert.equal(done.file, "/etc/chrony.conf");
    const after = (await shell.run("cat /etc/chrony.conf")).stdout;
    assert.equal(
      after,
      `${conf}${MARKER}\nrefclock PHC /dev/ptp_refclock poll 0 delay 0.000010 prefer\n`,
    );
    assert.equal((await shell.run("chronyd -p -f /etc/chrony.conf", { sudo: true })).exitCode, 0);
    const verdict = await runStep(verify, ctx, { clock, timeout: 60, interval: 2 });
    assert.equal(verdict.verdict, "functional", JSON.stringify(target.diagnostics, null, 1));
    assert.equal((await runStep(configureChrony, ctx, { clock })).changed, false);
  } finally {
    await stop();
  }
});

Deno.test({
  name: "--dry-run on a Debian igb host changes nothing and records the diffs it would apply",
  ...SIM,
}, async () => {
  const { ctx, target, shell, stop } = await simulatedTarget(DEBIAN_IGB, "127.0.0.73", {
    dryRun: true,
  });
  try {
    await detectHost(target, shell);
    const before = await hostSnapshot(shell, "chrony");
    const planned = await runStep(configureChrony, ctx, { clock: "primary-nic" });
    assert.equal(planned.changed, true);
    assert.equal(planned.check_mode, true);
    const verdict = await runStep(verify, ctx, { clock: "primary-nic" });
    assert.equal(verdict.verdict, null);
    assert.equal(target.verdict, undefined);
    assert.match(target.verdictReason ?? "", /check mode \(--dry-run\): no verdict; 4 host change/);
    assert.deepEqual(await hostSnapshot(shell, "chrony"), before);
    const changes = target.facts.changes ?? [];
    assert.ok(changes.every((c) => !c.applied));
    assert.deepEqual(changes.map((c) => c.summary), [
      `create ${RULE}`,
      "reload udev rules and trigger PTP devices",
      "create /etc/chrony/conf.d/ptp-runner.conf",
      "validate with chronyd -p, restart chrony",
    ]);
    assert.match(
      changes[2].diff ?? "",
      /^\+refclock PHC \/dev\/ptp_refclock poll 0 delay 0\.000010 prefer$/m,
    );
    const commands = ctx.events.flatMap((e) => e.type === "command" ? [e.command] : []);
    assert.equal(commands.some((c) => /tee|restart|udevadm|chronyd -p|rm |mkdir/.test(c)), false);
  } finally {
    await stop();
  }
});

Deno.test({
  name: "--dry-run of enable-hwts and configure-chrony on an ENA host: no reload, plan reported",
  ...SIM,
}, async () => {
  const { ctx, target, shell, stop } = await simulatedTarget({}, "127.0.0.74", { dryRun: true });
  try {
    await detectHost(target, shell);
    const before = await hostSnapshot(shell, "chronyd");
    const enabled = await runStep(enableHwts, ctx);
    assert.equal(enabled.state, "planned");
    const chrony = await runStep(configureChrony, ctx, { clock: "ena" });
    assert.equal(chrony.changed, true, String(chrony.skipped_reason));
    assert.equal(chrony.file, "/etc/chrony.d/ptp-runner.conf");
    assert.deepEqual(await hostSnapshot(shell, "chronyd"), before);
    assert.deepEqual((target.facts.changes ?? []).map((c) => [c.summary, c.applied]), [
      ["create /etc/modprobe.d/ptp-runner-ena.conf", false],
      ["reload ena (detached)", false],
      ["create /etc/chrony.d/ptp-runner.conf", false],
      ["validate with chronyd -p, restart chronyd", false],
    ]);
    assert.ok(ctx.events.some((e) => e.type === "log" && /does not exist yet/.test(e.message)));
  } finally {
    await stop();
  }
});

Deno.test({
  name:
    "a clock choice udev cannot link is rolled back: chrony active and untouched, files as before",
  ...SIM,
}, async () => {
  const { ctx, target, shell, stop } = await simulatedTarget({
    ...DEBIAN_IGB,
    overrides: [{
      command: "udevadm trigger --subsystem-match=ptp",
      stdout: "",
      stderr: "",
      exit: 0,
    }],
  }, "127.0.0.75");
  try {
    await detectHost(target, shell);
    const before = await hostSnapshot(shell, "chrony");
    const error = await runStep(configureChrony, ctx, { clock: "primary-nic" }).catch((e) => e);
    assert.ok(error instanceof Error);
    assert.match(error.message, /\/dev\/ptp_refclock does not point to ptp0/);
    assert.deepEqual(await hostSnapshot(shell, "chrony"), before);
    assert.equal(target.facts.chrony?.rolledBack, true);
    assert.ok(
      target.diagnostics.some((d) => /previous chrony configuration restored/.test(d.summary)),
    );
    assert.equal(restarts(ctx), 0);
  } finally {
    await stop();
  }
});

Deno.test({
  name:
    "a clock_name glob matching no clock: misconfigured naming the input and host, nothing changed",
  ...SIM,
}, async () => {
  const { ctx, target, shell, stop } = await simulatedTarget(DEBIAN_IGB, "127.0.0.76");
  try {
    await detectHost(target, shell);
    const before = await hostSnapshot(shell, "chrony");
    const clock = "clock_name:ena-ptp-*";
    const skipped = await runStep(configureChrony, ctx, { clock });
    assert.equal(skipped.changed, false);
    assert.match(
      String(skipped.skipped_reason),
      /clock=clock_name:ena-ptp-\*: no PTP clock of 127\.0\.0\.76/,
    );
    const verdict = await runStep(verify, ctx, { clock, timeout: 2, interval: 1 });
    assert.equal(verdict.verdict, "misconfigured");
    assert.match(target.verdictReason ?? "", /clock=clock_name:ena-ptp-\*.*127\.0\.0\.76/);
    assert.deepEqual(
      target.diagnostics.map((d) => d.layer),
      ["driver"],
      "only the missing clock is diagnosed, not chrony's consequences",
    );
    assert.deepEqual(await hostSnapshot(shell, "chrony"), before);
    assert.deepEqual(target.facts.changes ?? [], []);

    const nic = await runStep(verify, ctx, { clock: "ena", timeout: 2, interval: 1 });
    assert.notEqual(nic.verdict, "functional");
  } finally {
    await stop();
  }
});

Deno.test({
  name:
    "chrony that does not stay up after the change is rolled back, and the report never says restored",
  ...SIM,
}, async () => {
  const { ctx, target, shell, stop } = await simulatedTarget({
    ...DEBIAN_IGB,
    // Every status read after the restart sees a failed unit (as a crash loop would show).
    overrides: [{
      regex: "^systemctl show -p ActiveState,SubState,InvocationID",
      stdout: "ActiveState=failed\nSubState=failed\nInvocationID=\nNRestarts=0\n",
      stderr: "",
      exit: 0,
    }],
  }, "127.0.0.77");
  try {
    await detectHost(target, shell);
    const files = () =>
      out(shell, "cat /etc/chrony/chrony.conf; ls /etc/chrony/conf.d /etc/udev/rules.d");
    const before = await files();
    const error = await runStep(configureChrony, ctx, { clock: "primary-nic" }).catch((e) => e);
    assert.ok(error instanceof Error);
    assert.equal(await files(), before, "files as before");
    assert.equal(restarts(ctx), 2, "the change's restart and the rollback's");
    const summaries = target.diagnostics.map((d) => d.summary).join("\n");
    assert.match(summaries, /files restored, but chrony is NOT running after the rollback/);
    assert.doesNotMatch(summaries, /configuration restored and/);
    assert.ok(
      (target.facts.changes ?? []).some((c) => c.kind === "remove" && c.applied),
      "the restore is recorded",
    );
  } finally {
    await stop();
  }
});

Deno.test({
  name:
    "Ctrl-C while configure-chrony waits after the restart: rolled back, chrony valid and active",
  ...SIM,
}, async () => {
  const { ctx, target, shell, stop } = await simulatedTarget(DEBIAN_IGB, "127.0.0.78");
  try {
    await detectHost(target, shell);
    const files = () =>
      out(shell, "cat /etc/chrony/chrony.conf; ls /etc/chrony/conf.d /etc/udev/rules.d");
    const before = await files();
    const controller = new AbortController();
    const reason = new DOMException("interrupted (Ctrl-C)", "AbortError");
    const sleep = ctx.sleep;
    ctx.sleep = (seconds, signal) => {
      // The first sleep is the settle time after the restart: interrupt there.
      if (!controller.signal.aborted) controller.abort(reason);
      return sleep(seconds, signal);
    };
    const error = await runStep(configureChrony, ctx, { clock: "primary-nic" }, controller.signal)
      .catch((e) => e);
    assert.equal(error.kind, "cancelled");
    assert.equal(error.cause, reason);
    assert.match(
      error.message,
      /^interrupted \(Ctrl-C\); configure-chrony was aborted: previous chrony configuration restored/,
      "the report's message says the rollback restored chrony",
    );
    assert.equal(await files(), before, "files as before");
    assert.equal(restarts(ctx), 2, "the change's restart and the rollback's");
    assert.match(await out(shell, "systemctl show -p ActiveState chrony"), /ActiveState=active/);
    assert.equal(
      (await shell.run("chronyd -p -f /etc/chrony/chrony.conf", { sudo: true })).exitCode,
      0,
    );
    assert.ok(
      target.diagnostics.some((d) =>
        /aborted: previous chrony configuration restored and chrony active again/.test(d.summary)
      ),
      JSON.stringify(target.diagnostics),
    );
  } finally {
    await stop();
  }
});

Deno.test({
  name:
    "chronydJournalTail reads the unit's journal with sudo: the login user alone sees no entries",
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  const { shell, stop } = await simulatedTarget({}, "127.0.0.66");
  try {
    const tail = await chronydJournalTail(shell, "chronyd", undefined);
    assert.match(tail.command, /^sudo -n journalctl -u chronyd /);
    assert.match(tail.output, /chronyd\[\d+\]: /);
    assert.doesNotMatch(tail.output, /No entries/);
  } finally {
    await stop();
  }
});

Deno.test({
  name: "clock primary-nic without an IPv4 default route: the host's only link is the primary NIC",
  ...SIM,
}, async () => {
  const { ctx, target, shell, stop } = await simulatedTarget(
    { ...DEBIAN_IGB, default_route: false },
    "127.0.0.67",
  );
  try {
    await detectHost(target, shell);
    assert.equal((await shell.run("ip -4 route show default")).stdout, "", "no default route");
    const clock = "primary-nic";
    const chrony = await runStep(configureChrony, ctx, { clock, settle_seconds: 2 });
    assert.equal(chrony.changed, true, JSON.stringify(target.diagnostics, null, 1));
    const verdict = await runStep(verify, ctx, { clock, timeout: 60, interval: 2 });
    assert.equal(verdict.verdict, "functional", JSON.stringify(target.diagnostics, null, 1));
    assert.equal(verdict.interface, "eth0");
  } finally {
    await stop();
  }
});

/** The udev rule file configure-chrony writes, and udev's reload as slow as on a busy host. */
const SLOW_UDEV_SETTLE = {
  ...DEBIAN_IGB,
  overrides: [{ command: "udevadm settle", delay_seconds: 30 }],
};

/**
 * Aborts `controller` with `reason` shortly after a command matching `pattern`
 * starts (while the simulated host is still running it), whichever step's view
 * of the target's shell sends it.
 */
function abortWhenSent(
  shell: RemoteShell,
  controller: AbortController,
  pattern: RegExp,
  reason: unknown,
): void {
  const bindable = shell as StepBindableShell;
  const forStep = bindable.forStep.bind(bindable);
  bindable.forStep = (stepCtx) => {
    const view = forStep(stepCtx);
    const run = view.run.bind(view);
    view.run = (command, options) => {
      if (pattern.test(command) && !controller.signal.aborted) {
        setTimeout(() => controller.abort(reason), 20);
      }
      return run(command, options);
    };
    return view;
  };
}

Deno.test({
  name: "Ctrl-C during configure-chrony's udev reload: the rollback removes the rule and completes",
  ...SIM,
}, async () => {
  const { ctx, target, shell, stop } = await simulatedTarget(SLOW_UDEV_SETTLE, "127.0.0.68");
  try {
    await detectHost(target, shell);
    const files = () =>
      out(shell, "cat /etc/chrony/chrony.conf; ls /etc/chrony/conf.d /etc/udev/rules.d");
    const before = await files();
    const invocation = await out(shell, "systemctl show -p InvocationID chrony");
    const controller = new AbortController();
    const reason = new DOMException("run interrupted (SIGINT)", "AbortError");
    // Ctrl-C lands while `udevadm settle` (30 simulated seconds) is in flight.
    abortWhenSent(shell, controller, /udevadm settle/, reason);
    const error = await runStep(configureChrony, ctx, { clock: "primary-nic" }, controller.signal)
      .catch((e) => e);
    assert.equal(error.kind, "cancelled", String(error));
    assert.match(error.message, /^run interrupted \(SIGINT\); configure-chrony was aborted: /);
    assert.doesNotMatch(error.message, /FAILED/);
    assert.ok(
      sentCommands(ctx).filter((c) => c.includes("udevadm settle")).length === 2,
      "the change's udev reload (killed) and the rollback's (completed)",
    );
    assert.equal(await files(), before, "the rule file is gone, chrony's files as before");
    assert.equal(await out(shell, `test -e ${RULE}; echo $?`), "0:1\n");
    assert.equal(
      await out(shell, "systemctl show -p InvocationID chrony"),
      invocation,
      "chrony was never restarted",
    );
  } finally {
    await stop();
  }
});

Deno.test({
  name: "Ctrl-C during configure-chrony and a rollback that fails: the step's message says so",
  ...SIM,
}, async () => {
  const { ctx, target, shell, stop } = await simulatedTarget({
    ...SLOW_UDEV_SETTLE,
    overrides: [
      ...SLOW_UDEV_SETTLE.overrides,
      {
        regex: "^rm -f /etc/udev/rules\\.d/",
        stderr: "rm: cannot remove: Read-only file system\n",
        exit: 1,
      },
    ],
  }, "127.0.0.69");
  try {
    await detectHost(target, shell);
    const controller = new AbortController();
    const reason = new DOMException("run interrupted (SIGINT)", "AbortError");
    abortWhenSent(shell, controller, /udevadm settle/, reason);
    const error = await runStep(configureChrony, ctx, { clock: "primary-nic" }, controller.signal)
      .catch((e) => e);
    assert.equal(error.kind, "cancelled", String(error));
    assert.match(
      error.message,
      /run interrupted \(SIGINT\); configure-chrony was aborted: rollback FAILED, the previous chrony configuration is NOT restored \(cannot restore \/etc\/udev\/rules\.d\/.*Read-only/,
    );
  } finally {
    await stop();
  }
});
