import assert from "node:assert/strict";
import {
  clockNamesProbeCommand,
  parseClockNamesProbe,
  parsePhcEnable,
} from "../../plugins/ptp/phc-clock.ts";
import { hwRxTimestampingOn, setsPhcEnable } from "../../plugins/ptp/managed-files.ts";
import { findEnaClock } from "../../plugins/parsers/ptp-devices.ts";

Deno.test("the clock probe picks the ENA clock by name when ptp_kvm owns ptp0", () => {
  const out = [
    "/sys/class/ptp/ptp0/clock_name:KVM virtual PTP",
    "/sys/class/ptp/ptp1/clock_name:ena-ptp-05",
    "/sys/class/ptp/ptp2/clock_name:",
  ].join("\n");
  const clocks = parseClockNamesProbe(out);
  assert.equal(clocks.length, 2);
  assert.deepEqual(findEnaClock(clocks), { device: "ptp1", index: 1, clockName: "ena-ptp-05" });
});

Deno.test("the clock probe command reads every ptpN clock_name without globbing", () => {
  const cmd = clockNamesProbeCommand(3);
  assert.equal(cmd.includes("*"), false);
  assert.match(cmd, /cat \/sys\/class\/ptp\/ptp2\/clock_name 2>\/dev\/null/);
});

Deno.test("parsePhcEnable maps 1, 0 and a missing file", () => {
  assert.equal(parsePhcEnable("1\n"), 1);
  assert.equal(parsePhcEnable("0"), 0);
  assert.equal(parsePhcEnable(null), null);
});

Deno.test("setsPhcEnable only counts an active options line for ena", () => {
  assert.equal(setsPhcEnable("options ena phc_enable=1\n"), true);
  assert.equal(setsPhcEnable("# options ena phc_enable=1\n"), false);
  assert.equal(setsPhcEnable("options ena phc_enable=0\n"), false);
  assert.equal(setsPhcEnable("options ena enable_phc=1\n"), false);
});

Deno.test("hwRxTimestampingOn reads the RX configuration line", () => {
  assert.equal(hwRxTimestampingOn("TX configuration: 0\nRX configuration: 1\n"), true);
  assert.equal(hwRxTimestampingOn("RX configuration: 0\n"), false);
  assert.equal(hwRxTimestampingOn(null), null);
});
