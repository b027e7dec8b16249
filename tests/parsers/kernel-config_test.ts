import assert from "node:assert/strict";
import { kernelConfigOption, kernelTristate } from "../../plugins/parsers/kernel-config.ts";

const CONFIG = [
  "CONFIG_PPS=y",
  "CONFIG_PTP_1588_CLOCK_OPTIONAL=y",
  "CONFIG_PTP_1588_CLOCK=m",
  "CONFIG_PTP_1588_CLOCK_KVM=m",
  "# CONFIG_PTP_1588_CLOCK_IDT82P33 is not set",
  'CONFIG_LOCALVERSION=""',
].join("\n");

Deno.test("kernelTristate reads CONFIG_PTP_1588_CLOCK=m, not its longer-named neighbours", () => {
  assert.equal(kernelTristate(CONFIG, "CONFIG_PTP_1588_CLOCK"), "m");
  assert.equal(kernelTristate("CONFIG_PTP_1588_CLOCK=y\n", "CONFIG_PTP_1588_CLOCK"), "y");
});

Deno.test("kernelTristate gives n for `is not set` and unknown when unmentioned", () => {
  assert.equal(kernelTristate(CONFIG, "CONFIG_PTP_1588_CLOCK_IDT82P33"), "n");
  assert.equal(kernelTristate(CONFIG, "CONFIG_NOT_THERE"), "unknown");
  assert.equal(
    kernelTristate("grep: /boot/config-6.1: No such file or directory", "CONFIG_PTP_1588_CLOCK"),
    "unknown",
  );
});

Deno.test("kernelConfigOption returns string values without quotes", () => {
  assert.equal(kernelConfigOption(CONFIG, "CONFIG_LOCALVERSION"), "");
  assert.equal(kernelConfigOption(CONFIG, "CONFIG_PPS"), "y");
  assert.equal(kernelConfigOption(CONFIG, "CONFIG_MISSING"), null);
});
