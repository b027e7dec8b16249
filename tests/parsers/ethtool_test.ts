import assert from "node:assert/strict";
import { parseEthtoolDriverInfo, parseEthtoolTimestamping } from "../../plugins/parsers/ethtool.ts";
import { sample } from "./samples.ts";

Deno.test("parseEthtoolDriverInfo reads driver, version, empty firmware and bus-info", () => {
  const info = parseEthtoolDriverInfo(sample("ethtool-i-ens5.txt"));
  assert.equal(info.driver, "ena");
  assert.equal(info.version, "2.8.3g");
  assert.equal(info.firmwareVersion, null);
  assert.equal(info.busInfo, "0000:00:05.0");
  assert.equal(info.fields["supports-priv-flags"], "yes");
});

Deno.test("parseEthtoolDriverInfo tolerates tabs and missing lines", () => {
  const info = parseEthtoolDriverInfo("driver:\tena\nbus-info:\t0000:00:06.0\n");
  assert.equal(info.driver, "ena");
  assert.equal(info.version, null);
  assert.equal(info.busInfo, "0000:00:06.0");
});

Deno.test("parseEthtoolTimestamping reports PHC index 0 on ens5 with hardware-receive", () => {
  const ts = parseEthtoolTimestamping(sample("ethtool-T-ens5-phc.txt"));
  assert.equal(ts.interface, "ens5");
  assert.equal(ts.phcIndex, 0);
  assert.equal(ts.phcReported, true);
  assert.deepEqual(ts.capabilities, [
    "software-transmit",
    "hardware-receive",
    "software-receive",
    "software-system-clock",
  ]);
  assert.deepEqual(ts.txModes, []);
  assert.deepEqual(ts.rxFilters, ["none", "all"]);
});

Deno.test("parseEthtoolTimestamping gives null for `PTP Hardware Clock: none` and strips SOF names", () => {
  const ts = parseEthtoolTimestamping(sample("ethtool-T-eth0-no-phc.txt"));
  assert.equal(ts.interface, "eth0");
  assert.equal(ts.phcIndex, null);
  assert.equal(ts.phcReported, true);
  assert.deepEqual(ts.capabilities, [
    "software-transmit",
    "software-receive",
    "software-system-clock",
  ]);
  assert.deepEqual(ts.txModes, []);
  assert.deepEqual(ts.rxFilters, []);
});

Deno.test("parseEthtoolTimestamping reads a two-digit index, tab indentation and HWTSTAMP names", () => {
  const text = [
    "Time stamping parameters for enX0:",
    "Capabilities:",
    "\thardware-transmit     (SOF_TIMESTAMPING_TX_HARDWARE)",
    "\thardware-raw-clock    (SOF_TIMESTAMPING_RAW_HARDWARE)",
    "PTP Hardware Clock: 12",
    "Hardware Transmit Timestamp Modes:",
    "\toff                   (HWTSTAMP_TX_OFF)",
    "\ton                    (HWTSTAMP_TX_ON)",
    "Hardware Receive Filter Modes:",
    "\tnone                  (HWTSTAMP_FILTER_NONE)",
    "\tall                   (HWTSTAMP_FILTER_ALL)",
  ].join("\n");
  const ts = parseEthtoolTimestamping(text);
  assert.equal(ts.interface, "enX0");
  assert.equal(ts.phcIndex, 12);
  assert.deepEqual(ts.capabilities, ["hardware-transmit", "hardware-raw-clock"]);
  assert.deepEqual(ts.txModes, ["off", "on"]);
  assert.deepEqual(ts.rxFilters, ["none", "all"]);
});

Deno.test("parseEthtoolTimestamping accepts the newer provider-index label", () => {
  const text = [
    "Time stamping parameters for ens5:",
    "Capabilities:",
    "\tsoftware-transmit",
    "Hardware timestamp provider index: 1",
    "Hardware timestamp provider qualifier: Precise (IEEE 1588 quality)",
    "Hardware Transmit Timestamp Modes: none",
  ].join("\n");
  const ts = parseEthtoolTimestamping(text);
  assert.equal(ts.phcIndex, 1);
  assert.deepEqual(ts.capabilities, ["software-transmit"]);
});

Deno.test("parseEthtoolTimestamping of an error message reports no PHC line", () => {
  const ts = parseEthtoolTimestamping("Cannot get device time stamping settings: No such device\n");
  assert.equal(ts.phcReported, false);
  assert.equal(ts.phcIndex, null);
  assert.equal(ts.interface, null);
});
