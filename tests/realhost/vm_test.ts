/**
 * The real-VM helper (tests/realhost/vm.ts) gives a real host with a PHC: the guest's igb NIC
 * reports a PTP hardware clock, chrony runs, and the state snapshot is stable when nothing
 * changes (so a before/after comparison means something). Skipped with a notice where the image
 * is not built (`bash scripts/vm/build-image.sh`).
 */
import assert from "node:assert/strict";
import { skipNotice, vmImage, withVm } from "./vm.ts";

const image = vmImage();
skipNotice("real-VM tests (tests/realhost)");

Deno.test({
  name: "vm: the guest has an igb NIC with a PHC, chrony runs, snapshots are stable",
  ignore: image === undefined,
  fn: () =>
    withVm(image!, async (vm) => {
      console.log(`VM booted to sshd in ${(vm.bootMs / 1000).toFixed(1)} s (port ${vm.port})`);

      const timestamping = await vm.check("sudo /usr/sbin/ethtool -T eth0");
      assert.match(timestamping, /^PTP Hardware Clock: 0$/m);

      const driver = await vm.check("sudo /usr/sbin/ethtool -i eth0");
      assert.match(driver, /^driver: igb$/m);

      const clockName = await vm.check("cat /sys/class/ptp/ptp0/clock_name");
      assert.notEqual(clockName.trim(), "");

      assert.equal((await vm.check("systemctl is-active chrony")).trim(), "active");

      const before = await vm.snapshot();
      assert.match(before, /^## loaded modules$/m);
      assert.match(before, /^c \/dev\/ptp0 $/m);
      assert.match(before, /^[0-9a-f]{64} {2}\/etc\/chrony\/chrony\.conf$/m);
      assert.match(before, /^InvocationID=[0-9a-f]{32}$/m);
      const after = await vm.snapshot();
      assert.equal(after, before);

      // The snapshot sees a change: a file written under /etc.
      await vm.check("sudo touch /etc/ptp-runner-vm-test");
      assert.notEqual(await vm.snapshot(), before);
    }),
});
