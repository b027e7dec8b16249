/**
 * Non-ENA hosts are left alone (issue 11 point 2), over real SSH against
 * simulated hosts: a primary NIC driven by igb, vif (Xen), veth or
 * virtio_net, or a host with no ena module, gets the verdict `unsupported`
 * naming the driver (or the missing module) from ena-check, `needs_build`
 * false, and the ENA steps send no changing command.
 */
import assert from "node:assert/strict";
import detectArch from "../../steps/detect-arch.ts";
import enaBuild from "../../steps/ena-build.ts";
import enaCheck from "../../steps/ena-check.ts";
import { shellFor } from "../../plugins/ssh/shell-registry.ts";
import type { InstanceProfile } from "../../sim/profile.ts";
import { runStep } from "../ptp/step-harness.ts";
import { sentCommands, simulatedTarget } from "../helpers/sim-target.ts";

const CASES: { name: string; profile: Partial<InstanceProfile>; reason: RegExp }[] = [
  {
    name: "igb (a NIC with its own PHC)",
    profile: { nic_driver: "igb", distribution: "debian-12" },
    reason: /^unsupported: the primary NIC \S+ uses driver igb, not ENA$/,
  },
  {
    name: "vif (Xen)",
    profile: { hypervisor: "xen", phc_support: "unsupported" },
    reason: /^unsupported: the primary NIC enX0 uses driver vif, not ENA$/,
  },
  {
    name: "veth",
    profile: { nic_driver: "veth", distribution: "ubuntu-24.04" },
    reason: /^unsupported: the primary NIC \S+ uses driver veth, not ENA$/,
  },
  {
    name: "virtio_net",
    profile: { nic_driver: "virtio_net", distribution: "rocky-9" },
    reason: /^unsupported: the primary NIC \S+ uses driver virtio_net, not ENA$/,
  },
  {
    name: "virtio_net on a host with no ena module at all",
    profile: { nic_driver: "virtio_net", ena_module: false },
    reason: /^unsupported: the primary NIC \S+ uses driver virtio_net, not ENA$/,
  },
];

CASES.forEach((c, i) => {
  Deno.test({
    name: `a host whose primary NIC is ${c.name} is unsupported and left unchanged`,
    sanitizeResources: false,
    sanitizeOps: false,
  }, async () => {
    const { ctx, target, stop } = await simulatedTarget(
      { ...c.profile, ena: { version: "2.8.3g", phc_parameter: false, pci_slot: "05" } },
      `127.0.0.${100 + i}`,
    );
    try {
      await runStep(detectArch, ctx);
      assert.equal(target.verdict, undefined, "a known distribution");
      const shell = await shellFor(ctx);
      const before = (await shell.run("ls /etc/modprobe.d /lib/modules/*/updates 2>&1")).stdout;
      const check = await runStep(enaCheck, ctx);
      assert.match(String(check.reason), c.reason);
      assert.equal(check.needs_build, false);
      assert.equal(check.unsupported, true);
      assert.equal(target.verdict, "unsupported");
      assert.equal(target.verdictReason, check.reason);
      assert.equal(target.facts.ena?.modulePresent, c.profile.ena_module !== false);
      // ena-build, if a pipeline ran it anyway, sends nothing.
      const sentBefore = sentCommands(ctx).length;
      const built = await runStep(enaBuild, ctx);
      assert.equal(built.changed, false);
      assert.equal(sentCommands(ctx).length, sentBefore);
      for (const command of sentCommands(ctx)) {
        assert.doesNotMatch(command, /^sudo |install -y|git clone|depmod|modprobe |tee /, command);
      }
      assert.equal(target.facts.changes, undefined);
      const after = (await shell.run("ls /etc/modprobe.d /lib/modules/*/updates 2>&1")).stdout;
      assert.equal(after, before, "modprobe.d and the module updates directory are as they were");
    } finally {
      await stop();
    }
  });
});
