import assert from "node:assert/strict";
import {
  ClockChoiceSchema,
  clockNameMatches,
  parseClockChoice,
} from "../../plugins/ptp/clock-choice.ts";
import { findChosenClock, refclockUdevRule } from "../../plugins/ptp/chosen-clock.ts";
import type { PhcSnapshot } from "../../plugins/ptp/phc-clock.ts";
import type { CommandResult } from "../../plugins/ssh/types.ts";

Deno.test("the clock choice schema accepts ena, primary-nic and clock_name:<glob>, default ena", () => {
  assert.equal(ClockChoiceSchema.parse(undefined), "ena");
  assert.deepEqual(parseClockChoice("ena"), { kind: "ena" });
  assert.deepEqual(parseClockChoice("primary-nic"), { kind: "primary-nic" });
  assert.deepEqual(parseClockChoice("clock_name:ena-ptp-*"), {
    kind: "clock_name",
    glob: "ena-ptp-*",
  });
});

for (
  const bad of ["", "ENA", "nic", "clock_name:", "clock_name: ", "/dev/ptp0", 'clock_name:a"b']
) {
  Deno.test(`the clock choice schema refuses ${JSON.stringify(bad)} naming the allowed forms`, () => {
    const result = ClockChoiceSchema.safeParse(bad);
    assert.equal(result.success, false);
    const message = result.error?.issues[0].message ?? "";
    assert.match(message, /^clock: /);
    assert.match(message, /"ena", "primary-nic" or "clock_name:<glob>"/);
  });
}

Deno.test("clockNameMatches is an anchored, case-sensitive glob like udev's", () => {
  assert.equal(clockNameMatches("ena-ptp-*", "ena-ptp-05"), true);
  assert.equal(clockNameMatches("ena-ptp-*", "xena-ptp-05"), false);
  assert.equal(clockNameMatches("ENA-*", "ena-ptp-05"), false);
  assert.equal(clockNameMatches("52540012345?", "525400123456"), true);
  assert.equal(clockNameMatches("KVM*PTP", "KVM virtual PTP"), true);
  assert.equal(clockNameMatches("ptp[0-9]", "ptp7"), true);
  assert.equal(clockNameMatches("a.b", "axb"), false);
});

const result = (command: string, stdout = ""): CommandResult => ({
  command,
  stdout,
  stderr: "",
  exitCode: 0,
  durationMs: 1,
});

function snapshot(clocks: [number, string][], ethtoolIndex: number | null): PhcSnapshot {
  const list = clocks.map(([index, clockName]) => ({ index, device: `ptp${index}`, clockName }));
  return {
    phcEnable: null,
    phcEnableResult: result("cat /sys/module/ena/parameters/phc_enable"),
    clocks: list,
    clocksResult: result("probe"),
    enaClock: list.find((c) => c.clockName.startsWith("ena-ptp-")) ?? null,
    ethtoolIndex,
    ethtoolResult: result("ethtool -T eth0"),
    symlinkTarget: null,
    symlinkResult: result("readlink /dev/ptp_ena"),
  };
}

Deno.test("findChosenClock: primary-nic takes the clock ethtool -T names, whatever its name", () => {
  const s = snapshot([[0, "KVM virtual PTP"], [1, "525400123456"]], 1);
  const chosen = findChosenClock({ kind: "primary-nic" }, s, "eth0", "10.0.0.5");
  assert.equal(chosen.found, true);
  if (!chosen.found) return;
  assert.equal(chosen.clock.clockName, "525400123456");
  assert.equal(chosen.device, "/dev/ptp_refclock");
});

Deno.test("findChosenClock: no PHC on the primary NIC is unsupported, naming input and host", () => {
  const chosen = findChosenClock(
    { kind: "primary-nic" },
    snapshot([], null),
    "eth0",
    "10.0.0.5",
  );
  assert.equal(chosen.found, false);
  if (chosen.found) return;
  assert.equal(chosen.verdict, "unsupported");
  assert.match(chosen.reason, /clock=primary-nic.*eth0 of 10\.0\.0\.5 has no PTP hardware clock/);
});

Deno.test("findChosenClock: a glob matching no clock, or two, is misconfigured", () => {
  const s = snapshot([[0, "KVM virtual PTP"], [1, "ena-ptp-05"]], 1);
  const none = findChosenClock({ kind: "clock_name", glob: "igb*" }, s, "ens5", "h1");
  assert.equal(none.found, false);
  if (!none.found) {
    assert.equal(none.verdict, "misconfigured");
    assert.match(none.reason, /clock=clock_name:igb\*: no PTP clock of h1.*ptp0=KVM virtual PTP/);
  }
  const two = findChosenClock({ kind: "clock_name", glob: "*" }, s, "ens5", "h1");
  assert.equal(two.found, false);
  if (!two.found) assert.match(two.reason, /2 clocks of h1 match/);
  const ena = findChosenClock({ kind: "clock_name", glob: "ena-ptp-*" }, s, "ens5", "h1");
  assert.equal(ena.found && ena.clock.device, "ptp1");
});

Deno.test("refclockUdevRule matches the exact clock name, escaping udev glob characters", () => {
  const rule = refclockUdevRule("clock[1]*");
  assert.match(rule, /^# Written by ptp-runner/);
  assert.ok(
    rule.includes(
      'SUBSYSTEM=="ptp", ATTR{clock_name}=="clock\\[1\\]\\*", SYMLINK += "ptp_refclock"',
    ),
  );
});
