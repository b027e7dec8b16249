import assert from "node:assert/strict";
import { testHost } from "./harness.ts";

Deno.test("an igb NIC has its own PHC named after the MAC, shown by ethtool -T", async () => {
  const h = testHost({ distribution: "debian-12", nic_driver: "igb" });
  assert.equal((await h.sh("sudo -n ethtool -i eth0 | head -1")).stdout, "driver: igb\n");
  assert.match((await h.sh("sudo -n ethtool -T eth0")).stdout, /^PTP Hardware Clock: 0$/m);
  const mac = (await h.sh("cat /sys/class/net/eth0/address")).stdout.trim().replaceAll(":", "");
  assert.equal((await h.sh("cat /sys/class/ptp/ptp0/clock_name")).stdout, `${mac}\n`);
  assert.equal(
    (await h.sh("readlink /sys/class/net/eth0/device/driver")).stdout,
    "../../../bus/pci/drivers/igb\n",
  );
});

Deno.test("vif, veth and virtio_net NICs have no PHC and name their driver", async () => {
  const cases: [string, string, string][] = [
    ["vif", "enX0", "../../bus/xen/drivers/vif"],
    ["virtio_net", "eth0", "../../../../bus/virtio/drivers/virtio_net"],
  ];
  for (const [nic_driver, iface, link] of cases) {
    const h = testHost({ nic_driver });
    assert.equal((await h.sh(`ethtool -i ${iface} | head -1`)).stdout, `driver: ${nic_driver}\n`);
    assert.match((await h.sh(`ethtool -T ${iface}`)).stdout, /^PTP Hardware Clock: none$/m);
    assert.equal(
      (await h.sh(`readlink /sys/class/net/${iface}/device/driver`)).stdout,
      `${link}\n`,
    );
    assert.equal((await h.sh("ls /sys/class/ptp")).stdout, "");
  }
  const veth = testHost({ nic_driver: "veth" });
  assert.equal((await veth.sh("ethtool -i eth0 | head -1")).stdout, "driver: veth\n");
  assert.equal((await veth.sh("readlink /sys/class/net/eth0/device/driver")).code, 1);
  assert.equal(testHost({ hypervisor: "xen" }).machine.profile.nic_driver, "vif");
});

Deno.test("loading a PHC-capable ena on a non-ENA host changes nothing useful and keeps SSH up", async () => {
  const h = testHost({ nic_driver: "vif" });
  await h.sh("echo 'options ena phc_enable=1' | sudo -n tee /etc/modprobe.d/ena.conf");
  assert.equal((await h.sh("sudo -n modprobe ena")).code, 0);
  assert.equal(
    (await h.sh("sudo -n modprobe -r ena && sudo -n modprobe ena && echo up")).stdout,
    "up\n",
  );
  assert.equal(h.drops, 0, "the NIC is not ENA: nothing drops");
  assert.equal((await h.sh("ls /sys/class/ptp; ls /dev/ptp_ena")).code, 2);
  assert.match((await h.sh("ethtool -i enX0")).stdout, /^driver: vif$/m);
});

Deno.test("without an ena module modinfo fails the way kmod does", async () => {
  const h = testHost({ nic_driver: "virtio_net", ena_module: false });
  const r = await h.sh("modinfo ena");
  assert.equal(r.code, 1);
  assert.equal(r.stderr, "modinfo: ERROR: Module ena not found.\n");
  assert.throws(() => testHost({ ena_module: false }), /nic_driver/);
});

Deno.test("igb's ethtool -T lists the receive filters qemu's igb reports under Linux 6.12", async () => {
  const h = testHost({ distribution: "debian-12", nic_driver: "igb" });
  const out = (await h.sh("sudo -n ethtool -T eth0")).stdout;
  assert.match(
    out,
    /^Hardware Receive Filter Modes:\n\tnone\n\tptpv1-l4-sync\n\tptpv1-l4-delay-req\n\tptpv2-event\n$/m,
  );
});
