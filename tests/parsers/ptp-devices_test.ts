import assert from "node:assert/strict";
import {
  findEnaClock,
  parseLsPtpDevices,
  parsePtpClockNames,
} from "../../plugins/parsers/ptp-devices.ts";
import { sample } from "./samples.ts";

Deno.test("parseLsPtpDevices finds two clocks and the ptp_ena/ptp_kvm symlinks", () => {
  const listing = parseLsPtpDevices(sample("ls-dev-ptp-kvm-and-ena.txt"));
  assert.deepEqual(listing.symlinks, { ptp_ena: "ptp0", ptp_kvm: "ptp1" });
  assert.deepEqual(listing.devices.map((d) => [d.path, d.index, d.major, d.minor]), [
    ["/dev/ptp0", 0, 245, 0],
    ["/dev/ptp1", 1, 245, 1],
  ]);
  assert.equal(listing.entries.length, 4);
});

Deno.test("parseLsPtpDevices tolerates no SELinux dot, ISO times, absolute link targets", () => {
  const text = [
    "crw------- 1 root root 246, 0 2026-05-29 17:37 /dev/ptp0",
    "lrwxrwxrwx 1 root root 9 2026-05-29 17:37 /dev/ptp_ena -> /dev/ptp0",
  ].join("\n");
  const listing = parseLsPtpDevices(text);
  assert.deepEqual(listing.symlinks, { ptp_ena: "ptp0" });
  assert.equal(listing.devices[0].major, 246);
});

Deno.test("parseLsPtpDevices of `ls: cannot access` lists nothing", () => {
  const listing = parseLsPtpDevices(
    "ls: cannot access '/dev/ptp*': No such file or directory\n",
  );
  assert.deepEqual(listing.entries, []);
  assert.deepEqual(listing.symlinks, {});
});

Deno.test("parsePtpClockNames and findEnaClock pick the ENA clock by name, not by index", () => {
  const clocks = parsePtpClockNames(
    "/sys/class/ptp/ptp0/clock_name:KVM virtual PTP\n/sys/class/ptp/ptp1/clock_name:ena-ptp-05\n",
  );
  assert.deepEqual(clocks.map((c) => c.index), [0, 1]);
  assert.deepEqual(findEnaClock(clocks), { device: "ptp1", index: 1, clockName: "ena-ptp-05" });
  assert.equal(findEnaClock(parsePtpClockNames("/sys/class/ptp/ptp0/clock_name:ptp_kvm")), null);
});
