import assert from "node:assert/strict";
import { type TestHost, testHost } from "./harness.ts";

const RELOAD =
  "sudo -n systemd-run --unit ptp-runner-ena-reload --no-block sh -c 'modprobe -r ena; modprobe ena || modprobe ena phc_enable=0'";

/** Lets detached jobs finish, then moves time past the NIC coming back. */
async function afterReload(h: TestHost): Promise<void> {
  await new Promise((r) => setTimeout(r, 10));
  h.clock.advance(10);
}

Deno.test("enabling phc_enable in modprobe.d takes effect only after a detached reload", async () => {
  const h = testHost();
  await h.sh("echo 'options ena phc_enable=1' | sudo -n tee /etc/modprobe.d/ptp-runner-ena.conf");
  assert.equal((await h.sh("cat /sys/module/ena/parameters/phc_enable")).stdout, "0\n");
  const reload = await h.sh(RELOAD);
  assert.notEqual(reload.code, 1);
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(h.drops, 1, "the session drops when the NIC goes away");
  assert.equal(h.machine.networkUp(), false, "refused until the NIC is back");
  await afterReload(h);
  assert.equal(h.machine.networkUp(), true);
  assert.equal((await h.sh("cat /sys/module/ena/parameters/phc_enable")).stdout, "1\n");
  assert.equal((await h.sh("cat /sys/class/ptp/ptp0/clock_name")).stdout, "ena-ptp-05\n");
  assert.equal((await h.sh("readlink /dev/ptp_ena")).stdout, "ptp0\n");
  assert.match((await h.sh("ethtool -T ens5")).stdout, /^PTP Hardware Clock: 0$/m);
});

Deno.test("a foreground reload kills the session before modprobe ena runs and leaves the NIC down", async () => {
  const h = testHost();
  const r = await h.sh("sudo -n modprobe -r ena && sudo -n modprobe ena; echo done");
  assert.equal(r.code, null);
  assert.equal(r.stdout, "");
  h.clock.advance(60);
  assert.equal(h.machine.networkUp(), false, "nothing brought the driver back");
  h.machine.reboot();
  h.clock.advance(60);
  assert.equal(h.machine.networkUp(), true, "a reboot recovers the instance");
});

Deno.test("nohup setsid in the background survives the session and completes the reload", async () => {
  const h = testHost();
  await h.sh("echo 'options ena phc_enable=1' | sudo -n tee /etc/modprobe.d/p.conf");
  await h.sh("sudo -n nohup setsid sh -c 'rmmod ena; modprobe ena' >/dev/null 2>&1 &");
  await afterReload(h);
  assert.equal((await h.sh("cat /sys/module/ena/parameters/phc_enable")).stdout, "1\n");
});

Deno.test("reboot applies modprobe.d options and refuses connections while it lasts", async () => {
  const h = testHost({ reboot_seconds: 20 });
  await h.sh("echo 'options ena phc_enable=1' | sudo -n tee /etc/modprobe.d/p.conf");
  const r = await h.sh("sudo -n reboot");
  assert.equal(r.code, null);
  h.clock.advance(10);
  assert.equal((await h.sh("true")).code, null, "still rebooting");
  h.clock.advance(15);
  assert.equal((await h.sh("cat /sys/module/ena/parameters/phc_enable")).stdout, "1\n");
  assert.equal((await h.sh("readlink /dev/ptp_ena")).stdout, "ptp0\n");
});

Deno.test("unsupported hardware accepts phc_enable=1 but yields no clock", async () => {
  const h = testHost({ phc_support: "unsupported" });
  await h.sh("echo 'options ena phc_enable=1' | sudo -n tee /etc/modprobe.d/p.conf");
  await h.sh(RELOAD);
  await afterReload(h);
  assert.equal((await h.sh("cat /sys/module/ena/parameters/phc_enable")).stdout, "1\n");
  assert.equal((await h.sh("ls /sys/class/ptp/")).stdout, "");
  assert.equal((await h.sh("test -e /dev/ptp_ena")).code, 1);
  assert.match((await h.sh("ethtool -T ens5")).stdout, /^PTP Hardware Clock: none$/m);
});

Deno.test("absent PhcSupport counts as PHC hardware unless the profile says otherwise", async () => {
  for (
    const [overrides, expected] of [[{}, "ena-ptp-05\n"], [{ phc_hardware: false }, ""]] as const
  ) {
    const h = testHost({ phc_support: "absent", ...overrides });
    await h.sh("echo 'options ena phc_enable=1' | sudo -n tee /etc/modprobe.d/p.conf");
    await h.sh(RELOAD);
    await afterReload(h);
    assert.equal((await h.sh("cat /sys/class/ptp/ptp*/clock_name 2>/dev/null")).stdout, expected);
  }
});

Deno.test("a driver without the parameter has no phc_enable file and warns in dmesg", async () => {
  const h = testHost({ ena: { version: "2.8.3g", phc_parameter: false, pci_slot: "05" } });
  assert.equal((await h.sh("test -e /sys/module/ena/parameters/phc_enable")).code, 1);
  assert.doesNotMatch((await h.sh("modinfo ena")).stdout, /phc_enable/);
  await h.sh("sudo -n systemd-run sh -c 'modprobe -r ena; modprobe ena phc_enable=1'");
  await afterReload(h);
  assert.equal((await h.sh("test -e /sys/module/ena/parameters/phc_enable")).code, 1);
  assert.match((await h.sh("sudo -n dmesg")).stdout, /ena: unknown parameter 'phc_enable' ignored/);
});

Deno.test("upstream driver without a version prints no version line and ethtool shows the kernel", async () => {
  const h = testHost({ ena: { version: null, phc_parameter: true, pci_slot: "05" } });
  assert.doesNotMatch((await h.sh("modinfo ena")).stdout, /^version:/m);
  assert.equal((await h.sh("modinfo -F version ena")).stdout, "");
  assert.match(
    (await h.sh("ethtool -i ens5")).stdout,
    /^version: 6\.1\.158-180\.294\.amzn2023\.x86_64$/m,
  );
});

async function buildDriver(h: TestHost, phc: boolean): Promise<string> {
  const steps = [
    "sudo -n dnf install -y gcc make git kernel-devel-$(uname -r)",
    "git clone https://github.com/amzn/amzn-drivers.git",
    `cd amzn-drivers/kernel/linux/ena && ${phc ? "ENA_PHC_INCLUDE=1 " : ""}make`,
  ];
  let log = "";
  for (const s of steps) {
    const r = await h.sh(s);
    log += r.stdout + r.stderr;
    if (r.code !== 0) return log;
  }
  return log;
}

Deno.test("building with ENA_PHC_INCLUDE=1 gives a driver with phc_enable that wins after depmod and reload", async () => {
  const h = testHost({ ena: { version: "2.8.3g", phc_parameter: false, pci_slot: "05" } });
  const log = await buildDriver(h, true);
  assert.match(log, /LD \[M\]\s+\S+\/ena\.ko/);
  assert.match(
    (await h.sh("modinfo amzn-drivers/kernel/linux/ena/ena.ko")).stdout,
    /^parm:\s+phc_enable:/m,
  );
  const install =
    "sudo -n mkdir -p /lib/modules/$(uname -r)/updates && sudo -n cp amzn-drivers/kernel/linux/ena/ena.ko /lib/modules/$(uname -r)/updates/ && sudo -n depmod -a";
  assert.equal((await h.sh(install)).code, 0);
  assert.match(
    (await h.sh("modinfo ena")).stdout,
    /^filename:\s+\/lib\/modules\/.*\/updates\/ena\.ko$/m,
  );
  assert.equal(
    (await h.sh("test -e /sys/module/ena/parameters/phc_enable")).code,
    1,
    "old driver still loaded",
  );
  await h.sh("echo 'options ena phc_enable=1' | sudo -n tee /etc/modprobe.d/p.conf");
  await h.sh(RELOAD);
  await afterReload(h);
  assert.equal((await h.sh("cat /sys/module/ena/parameters/phc_enable")).stdout, "1\n");
  assert.equal((await h.sh("readlink /dev/ptp_ena")).stdout, "ptp0\n");
});

Deno.test("building without ENA_PHC_INCLUDE gives a driver without phc_enable", async () => {
  const h = testHost({ ena: { version: "2.8.3g", phc_parameter: false, pci_slot: "05" } });
  await buildDriver(h, false);
  const info = await h.sh("modinfo amzn-drivers/kernel/linux/ena/ena.ko");
  assert.equal(info.code, 0);
  assert.doesNotMatch(info.stdout, /phc_enable/);
});

Deno.test("a build fault fails make with gcc errors and keeps the running driver", async () => {
  const h = testHost({
    ena: { version: "2.8.3g", phc_parameter: false, pci_slot: "05" },
    faults: { driver_build: true },
  });
  const r = await h.sh(
    "sudo -n dnf install -y gcc make git kernel-devel-$(uname -r) >/dev/null && git clone https://github.com/amzn/amzn-drivers.git 2>/dev/null && cd amzn-drivers/kernel/linux/ena && ENA_PHC_INCLUDE=1 make",
  );
  assert.equal(r.code, 2);
  assert.match(r.stderr, /error: implicit declaration of function/);
  assert.match(r.stderr, /make: \*\*\* \[Makefile:\d+: default\] Error 2/);
  assert.equal((await h.sh("test -e amzn-drivers/kernel/linux/ena/ena.ko")).code, 1);
  assert.equal(h.machine.state.ena.loaded, true);
});

Deno.test("make without kernel headers stops at the missing build directory", async () => {
  const h = testHost();
  await h.sh("sudo -n dnf install -y gcc make git");
  const r = await h.sh(
    "git clone https://github.com/amzn/amzn-drivers.git 2>/dev/null; make -C amzn-drivers/kernel/linux/ena",
  );
  assert.equal(r.code, 2);
  assert.match(r.stderr, /\/build: No such file or directory\.\s+Stop\./);
});

Deno.test("dnf resolves the 6.12 kernel headers package through provides", async () => {
  const h = testHost({ kernel: "6.12.40-63.114.amzn2023.x86_64" });
  const r = await h.sh("dnf provides /usr/src/kernels/$(uname -r)");
  assert.match(r.stdout, /^kernel6\.12-devel-6\.12\.40-63\.114\.amzn2023\.x86_64 : /m);
  assert.equal((await h.sh("sudo -n dnf install -y kernel-devel-$(uname -r)")).code, 1);
  assert.equal((await h.sh("sudo -n dnf install -y kernel6.12-devel-$(uname -r)")).code, 0);
  assert.equal((await h.sh("test -d /usr/src/kernels/$(uname -r)")).code, 0);
});

Deno.test("dnf fails like an unreachable repository under the package_install fault", async () => {
  const h = testHost({ faults: { package_install: true } });
  const r = await h.sh("sudo -n dnf install -y linuxptp");
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Failed to download metadata for repo 'amazonlinux'/);
  assert.equal((await h.sh("rpm -q linuxptp")).stdout, "package linuxptp is not installed\n");
});

Deno.test("ptp_kvm takes ptp0 at boot when the ENA clock appears only after a reload", async () => {
  const h = testHost({ ptp_kvm: true });
  assert.equal((await h.sh("cat /sys/class/ptp/ptp0/clock_name")).stdout, "KVM virtual PTP\n");
  await h.sh("echo 'options ena phc_enable=1' | sudo -n tee /etc/modprobe.d/p.conf");
  await h.sh(RELOAD);
  await afterReload(h);
  assert.equal((await h.sh("cat /sys/class/ptp/ptp1/clock_name")).stdout, "ena-ptp-05\n");
  assert.equal((await h.sh("readlink /dev/ptp_ena")).stdout, "ptp1\n");
  assert.match((await h.sh("ethtool -T ens5")).stdout, /^PTP Hardware Clock: 1$/m);
});

Deno.test("without the shipped udev rule the symlink appears after adding a rule and triggering", async () => {
  const h = testHost({ udev_rule: false });
  await h.sh("echo 'options ena phc_enable=1' | sudo -n tee /etc/modprobe.d/p.conf");
  await h.sh(RELOAD);
  await afterReload(h);
  assert.equal((await h.sh("test -e /dev/ptp_ena")).code, 1);
  const rule = `SUBSYSTEM=="ptp", ATTR{clock_name}=="ena-ptp-*", SYMLINK += "ptp_ena"`;
  await h.sh(`echo '${rule}' | sudo -n tee /etc/udev/rules.d/51-ptp-runner-ena-ptp.rules`);
  const r = await h.sh(
    "sudo -n udevadm control --reload-rules && sudo -n udevadm trigger --subsystem-match=ptp",
  );
  assert.equal(r.code, 0);
  assert.equal((await h.sh("readlink /dev/ptp_ena")).stdout, "ptp0\n");
});

Deno.test("a udev trigger after removing a link's rule drops the link, other links stay", async () => {
  const h = testHost();
  await h.sh("echo 'options ena phc_enable=1' | sudo -n tee /etc/modprobe.d/p.conf");
  await h.sh(RELOAD);
  await afterReload(h);
  const rule = `SUBSYSTEM=="ptp", ATTR{clock_name}=="ena-ptp-05", SYMLINK += "ptp_refclock"`;
  const path = "/etc/udev/rules.d/52-ptp-runner-refclock.rules";
  const trigger =
    "sudo -n udevadm control --reload-rules && sudo -n udevadm trigger --subsystem-match=ptp";
  await h.sh(`echo '${rule}' | sudo -n tee ${path}`);
  await h.sh(trigger);
  assert.equal((await h.sh("readlink /dev/ptp_refclock")).stdout, "ptp0\n");
  await h.sh(`sudo -n rm -f ${path}`);
  assert.equal((await h.sh("readlink /dev/ptp_refclock")).stdout, "ptp0\n", "until a trigger");
  assert.equal((await h.sh(trigger)).code, 0);
  assert.equal((await h.sh("test -e /dev/ptp_refclock")).code, 1);
  assert.equal((await h.sh("readlink /dev/ptp_ena")).stdout, "ptp0\n", "the shipped rule's link");
});

Deno.test("hwstamp_ctl switches hardware RX timestamping on a 2.15+ driver with a clock", async () => {
  const h = testHost();
  await h.sh("echo 'options ena phc_enable=1' | sudo -n tee /etc/modprobe.d/p.conf");
  await h.sh(RELOAD);
  await afterReload(h);
  assert.equal(
    (await h.sh("sudo -n hwstamp_ctl -i ens5 -r 1")).code,
    127,
    "linuxptp not installed yet",
  );
  await h.sh("sudo -n dnf install -y linuxptp");
  const r = await h.sh("sudo -n hwstamp_ctl -i ens5 -r 1");
  assert.equal(r.code, 0);
  assert.match(r.stdout, /new settings:\ntx_type 0\nrx_filter 1/);
  const slot = (await h.sh("grep PCI_SLOT_NAME /sys/class/net/ens5/device/uevent | cut -d= -f2"))
    .stdout.trim();
  assert.equal(
    (await h.sh(`cat /sys/bus/pci/devices/${slot}/hw_packet_timestamping_state`)).stdout,
    "enabled\n",
  );
});
