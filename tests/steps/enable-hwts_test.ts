import assert from "node:assert/strict";
import { StepError } from "../../runner/errors.ts";
import enableHwts from "../../steps/enable-hwts.ts";
import { FakeHost } from "../ptp/fake-host.ts";
import { enaFacts, harness, runStep } from "../ptp/step-harness.ts";

const MODPROBE_CONF = "/etc/modprobe.d/ptp-runner-ena.conf";
const UDEV_RULE = "/etc/udev/rules.d/51-ptp-runner-ena-ptp.rules";

function assertNeverSetPhcHwts(host: FakeHost) {
  assert.equal(host.commands.some((c) => c.includes("--set-phc-hwts")), false);
}

Deno.test("enable-hwts leaves an already working PHC unchanged", async () => {
  const host = new FakeHost({ loadedPhcEnable: 1 });
  const { ctx, target } = harness(host, { ena: enaFacts({ phcEnable: 1 }) });
  const out = await runStep(enableHwts, ctx);
  assert.deepEqual(out, {
    changed: false,
    check_mode: false,
    state: "enabled",
    device: "/dev/ptp_ena",
    clock_name: "ena-ptp-05",
    index: 0,
  });
  assert.equal(host.commands.some((c) => /tee|systemd-run|modprobe|udevadm/.test(c)), false);
  assert.equal(target.facts.phc?.state, "enabled");
  assertNeverSetPhcHwts(host);
});

Deno.test("enable-hwts persists phc_enable=1, reloads ena detached and reconnects", async () => {
  const host = new FakeHost();
  const { ctx, target } = harness(host);
  const out = await runStep(enableHwts, ctx);
  assert.equal(out.changed, true);
  assert.equal(out.state, "enabled");
  assert.equal(out.index, 0);
  const conf = host.files.get(MODPROBE_CONF) ?? "";
  assert.match(conf, /^# Written by ptp-runner/);
  assert.match(conf, /^options ena phc_enable=1$/m);
  const i = host.commands.findIndex((c) =>
    c.startsWith("sudo -n systemd-run --unit ptp-runner-ena-reload --no-block sh -c")
  );
  assert.ok(i >= 0, "reload runs through systemd-run");
  assert.match(host.commands[i], /modprobe -r ena; modprobe ena \|\| modprobe ena phc_enable=0/);
  assert.doesNotMatch(host.commands[i], /modprobe ptp/);
  assert.equal(host.runOptions[i].expectDisconnect, true);
  assert.equal(host.reconnects, 1);
  assert.equal(target.facts.phc?.clockName, "ena-ptp-05");
  assertNeverSetPhcHwts(host);
  // The same step runs over SSH and SSM: the log names no transport.
  const logged = ctx.events.flatMap((e) => e.type === "log" ? [String(e.message)] : []);
  const reloadLine = logged.find((m) => m.startsWith("reloading the ena driver"));
  assert.ok(reloadLine, logged.join("\n"));
  assert.doesNotMatch(reloadLine, /SSH|SSM|session/);

  const before = host.commands.length;
  const again = await runStep(enableHwts, ctx);
  assert.equal(again.changed, false);
  assert.equal(host.commands.slice(before).some((c) => /systemd-run|tee/.test(c)), false);
});

Deno.test("enable-hwts loads ptp first when CONFIG_PTP_1588_CLOCK=m", async () => {
  const host = new FakeHost();
  const { ctx } = harness(host, { ena: enaFacts({ ptpClockConfig: "m" }) });
  await runStep(enableHwts, ctx);
  const reload = host.commands.find((c) => c.includes("systemd-run"));
  assert.match(reload ?? "", /sh -c 'modprobe -r ena; modprobe ptp; modprobe ena/);
});

Deno.test("enable-hwts can apply by a detached reboot", async () => {
  const host = new FakeHost();
  const { ctx } = harness(host);
  const out = await runStep(enableHwts, ctx, { apply: "reboot" });
  assert.equal(out.state, "enabled");
  assert.ok(
    host.commands.some((c) =>
      /systemd-run --unit ptp-runner-reboot --no-block sh -c 'systemctl reboot'/.test(c)
    ),
  );
  assert.equal(host.commands.some((c) => c.includes("modprobe -r")), false);
  assert.equal(host.reconnects, 1);
});

Deno.test("enable-hwts on hardware without a PHC gives verdict unsupported, not an error", async () => {
  const host = new FakeHost({ phcHardware: false });
  const { ctx, target } = harness(host);
  const out = await runStep(enableHwts, ctx, { settle_timeout: 4, poll_interval: 1 });
  assert.equal(out.state, "unsupported");
  assert.equal(out.device, null);
  assert.equal(target.verdict, "unsupported");
  assert.match(target.verdictReason ?? "", /no ena-ptp-\* PTP clock/);
  assert.equal(target.facts.phc?.state, "unsupported");
  assert.ok(target.diagnostics.some((d) => d.layer === "hardware"));
  // polled for the clock: one read after reconnect plus three more polls
  assert.equal(
    host.commands.filter((c) => c === "cat /sys/module/ena/parameters/phc_enable").length,
    5,
  );
});

Deno.test("enable-hwts adds the udev rule when the symlink is missing but the clock exists", async () => {
  const host = new FakeHost({ loadedPhcEnable: 1, udevRuleShipped: false });
  const { ctx, target } = harness(host);
  assert.equal(host.symlink, null);
  const out = await runStep(enableHwts, ctx);
  assert.equal(out.changed, true);
  assert.equal(out.device, "/dev/ptp_ena");
  assert.match(
    host.files.get(UDEV_RULE) ?? "",
    /^SUBSYSTEM=="ptp", ATTR\{clock_name\}=="ena-ptp-\*", SYMLINK \+= "ptp_ena"$/m,
  );
  assert.ok(
    host.commands.some((c) =>
      c.startsWith(
        "sudo -n udevadm control --reload-rules && sudo -n udevadm trigger --subsystem-match=ptp",
      )
    ),
  );
  assert.equal(host.commands.some((c) => c.includes("ln -s")), false);
  assert.equal(host.symlink, "ptp0");
  assert.equal(target.facts.phc?.device, "/dev/ptp_ena");
  const again = await runStep(enableHwts, ctx);
  assert.equal(again.changed, false);
});

Deno.test("enable-hwts picks the ENA clock by name when ptp_kvm is ptp0", async () => {
  const host = new FakeHost({ ptpKvm: true });
  const { ctx, target } = harness(host);
  const out = await runStep(enableHwts, ctx);
  assert.equal(out.index, 1);
  assert.equal(out.clock_name, "ena-ptp-05");
  assert.equal(target.facts.phc?.ethtoolIndex, 1);
  assert.equal(target.diagnostics.length, 0);
});

Deno.test("enable-hwts diagnoses an ethtool index that differs from the ENA clock", async () => {
  const host = new FakeHost({ ptpKvm: true, loadedPhcEnable: 1, ethtoolIndexOverride: 0 });
  const { ctx, target } = harness(host);
  const out = await runStep(enableHwts, ctx);
  assert.equal(out.index, 1);
  const d = target.diagnostics.find((x) => x.layer === "driver");
  assert.ok(d);
  assert.match(d.summary, /PTP Hardware Clock 0, but the ENA clock ena-ptp-05 is ptp1/);
  assert.match(d.output ?? "", /PTP Hardware Clock: 0/);
  assert.equal(target.warnings.length, 1);
});

Deno.test("enable-hwts refuses a driver without phc_enable and points to ena-build", async () => {
  const host = new FakeHost({ driverHasParam: false });
  const { ctx, target } = harness(host, {
    ena: enaFacts({ hasPhcParameter: false, phcEnable: null }),
  });
  const error = await runStep(enableHwts, ctx).catch((e) => e);
  assert.ok(error instanceof StepError);
  assert.equal(error.kind, "config");
  assert.match(error.message, /run ena-build/);
  assert.equal(target.diagnostics[0].layer, "driver");
  assert.equal(host.commands.some((c) => c.includes("systemd-run")), false);
});

Deno.test("enable-hwts switches on hardware RX timestamping only when asked", async () => {
  const host = new FakeHost({ loadedPhcEnable: 1 });
  const { ctx, target } = harness(host);
  await runStep(enableHwts, ctx);
  assert.equal(host.commands.some((c) => c.includes("hwstamp_ctl")), false);
  const out = await runStep(enableHwts, ctx, { hw_rx_timestamping: true });
  assert.equal(out.changed, true);
  assert.ok(host.commands.includes("sudo -n hwstamp_ctl -i ens5 -r 1"));
  assert.equal(target.facts.phc?.hwRxTimestamping, "RX configuration: 1");
  const again = await runStep(enableHwts, ctx, { hw_rx_timestamping: true });
  assert.equal(again.changed, false);
});

Deno.test("enable-hwts rejects a bad settle_timeout naming the accepted forms", () => {
  const result = enableHwts.input.safeParse({ settle_timeout: "ten seconds" });
  assert.equal(result.success, false);
  assert.match(JSON.stringify(result.error?.issues), /500ms, 5s, 10m/);
  assert.equal(enableHwts.input.parse({ settle_timeout: "2m" }).settle_timeout, 120);
});
