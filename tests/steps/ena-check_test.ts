import assert from "node:assert/strict";
import enaCheck from "../../steps/ena-check.ts";
import { StepError } from "../../runner/errors.ts";
import { shellServiceKey } from "../../plugins/ssh/shell-registry.ts";
import { makeTarget, makeTestContext } from "../helpers/context.ts";
import { type FakeRule, FakeShell } from "../ssh/fake-shell.ts";
import type { RemoteShell } from "../../plugins/ssh/types.ts";

const SAMPLES = new URL("../fixtures/samples/", import.meta.url);
const sample = (name: string) => Deno.readTextFileSync(new URL(name, SAMPLES));

const MODINFO_2_8_3 = sample("modinfo-ena-al2023-6.1.27.txt");
const PHC_PARM = sample("modinfo-ena-phc-parm.txt");
const NOT_FOUND = { stderr: "modinfo: ERROR: Module ena not found.\n", exitCode: 1 };
const NO_SYSFS = {
  stderr: "cat: /sys/module/ena/parameters/phc_enable: No such file or directory\n",
  exitCode: 1,
};

function modinfoWith(version: string | null, phcParm: boolean): string {
  return [
    "filename:       /lib/modules/6.1.61/kernel/drivers/amazon/net/ena/ena.ko",
    ...(version ? [`version:        ${version}`] : []),
    "license:        GPL",
    "description:    Elastic Network Adapter (ENA)",
    "parm:           debug:Debug level (0=none,...,16=all) (int)",
    ...(phcParm ? [PHC_PARM.trim()] : []),
  ].join("\n") + "\n";
}

/** A host as ena-check sees it; override any command's answer. */
function host(overrides: FakeRule[] = [], options: { version?: string | null } = {}): FakeShell {
  const version = options.version === undefined ? "2.8.3g" : options.version;
  return new FakeShell([
    ...overrides,
    ["uname -r", { stdout: "6.1.27-43.48.amzn2023.x86_64\n" }],
    ["modinfo -F version ena", { stdout: version ? `${version}\n` : "" }],
    ["modinfo ena", { stdout: MODINFO_2_8_3 }],
    ["cat /sys/module/ena/parameters/phc_enable", NO_SYSFS],
    [/^grep CONFIG_PTP_1588_CLOCK /, {
      stdout:
        "CONFIG_PTP_1588_CLOCK_OPTIONAL=y\nCONFIG_PTP_1588_CLOCK=y\nCONFIG_PTP_1588_CLOCK_KVM=m\n",
    }],
    ["ip -4 route show default", {
      stdout: "default via 172.31.16.1 dev ens5 proto dhcp src 172.31.20.7 metric 512\n",
    }],
    ["cat /sys/class/net/ens5/device/uevent", {
      stdout: "DRIVER=ena\nPCI_CLASS=20000\nPCI_ID=1D0F:EC20\nPCI_SLOT_NAME=0000:00:05.0\n",
    }],
    ["ethtool -i ens5", { stdout: sample("ethtool-i-ens5.txt") }],
  ]);
}

async function check(shell: FakeShell) {
  const target = makeTarget({ id: "c7i.large-1", label: "c7i.large 1" });
  const ctx = makeTestContext({
    step: { id: "ena-check", type: "ena-check" },
    target,
    services: { [shellServiceKey(target.id)]: shell },
  });
  const output = enaCheck.output.parse(
    await enaCheck.run(ctx, enaCheck.input.parse({}), new AbortController().signal),
  );
  return { output, target, ctx };
}

Deno.test("ena-check reports needs_build when the AL2023 6.1.27 driver (2.8.3g) lacks phc_enable", async () => {
  const { output, target } = await check(host());
  assert.equal(output.needs_build, true);
  assert.equal(output.version, "2.8.3g");
  assert.equal(output.version_at_least_2_10, false);
  assert.equal(output.has_phc_parameter, false);
  assert.equal(output.phc_enable, null);
  assert.match(output.reason, /lacks the phc_enable module parameter/);
  assert.equal(output.changed, false);
  assert.deepEqual(target.facts.ena, {
    version: "2.8.3g",
    modulePresent: true,
    versionAtLeast2_10: false,
    hasPhcParameter: false,
    phcEnable: null,
    ptpClockConfig: "y",
    interface: "ens5",
    pciSlot: "0000:00:05.0",
    kernel: "6.1.27-43.48.amzn2023.x86_64",
    needsBuild: true,
    reason: output.reason,
  });
});

Deno.test("ena-check reports no build when the driver lists phc_enable, with phc_enable 0", async () => {
  const { output } = await check(host([
    ["modinfo ena", { stdout: modinfoWith("2.10.0g", true) }],
    ["cat /sys/module/ena/parameters/phc_enable", { stdout: "0\n" }],
  ], { version: "2.10.0g" }));
  assert.equal(output.needs_build, false);
  assert.equal(output.has_phc_parameter, true);
  assert.equal(output.phc_enable, 0);
  assert.equal(output.version_at_least_2_10, true);
  assert.match(
    output.reason,
    /has the phc_enable parameter, phc_enable=0 \(off\): no build needed/,
  );
});

Deno.test("ena-check reports phc_enable 1 when the PHC is already on", async () => {
  const { output } = await check(host([
    ["modinfo ena", { stdout: modinfoWith("2.17.2g", true) }],
    ["cat /sys/module/ena/parameters/phc_enable", { stdout: "1\n" }],
  ], { version: "2.17.2g" }));
  assert.equal(output.needs_build, false);
  assert.equal(output.phc_enable, 1);
});

Deno.test("ena-check needs a build for a 2.16.1g driver built without ENA_PHC_INCLUDE (version is not the decision)", async () => {
  const { output } = await check(host([
    ["modinfo ena", { stdout: modinfoWith("2.16.1g", false) }],
  ], { version: "2.16.1g" }));
  assert.equal(output.version_at_least_2_10, true);
  assert.equal(output.needs_build, true);
  assert.match(output.reason, />= 2\.10\.0 but it was built without ENA_PHC_INCLUDE=1/);
});

Deno.test("ena-check does not need a build when only sysfs shows the parameter of the loaded driver", async () => {
  const { output } = await check(host([
    ["cat /sys/module/ena/parameters/phc_enable", { stdout: "0\n" }],
  ]));
  assert.equal(output.has_phc_parameter, true);
  assert.equal(output.needs_build, false);
  assert.match(output.reason, /seen in sysfs/);
});

Deno.test("ena-check handles an upstream kernel driver with no version line", async () => {
  const { output, target } = await check(host([
    ["modinfo ena", { stdout: modinfoWith(null, false) }],
    ["ethtool -i ens5", {
      stdout: "driver: ena\nversion: 6.17.0-5-generic\nbus-info: 0000:00:05.0\n",
    }],
  ], { version: null }));
  assert.equal(output.version, null);
  assert.equal(output.version_at_least_2_10, null);
  assert.equal(output.needs_build, true);
  assert.match(output.reason, /no version line/);
  assert.equal(target.facts.ena?.modulePresent, true);
});

Deno.test("ena-check reads an old in-tree 1.5.0K version as below 2.10.0", async () => {
  const { output } = await check(host([
    ["modinfo ena", { stdout: modinfoWith("1.5.0K", false) }],
  ], { version: "1.5.0K" }));
  assert.equal(output.version, "1.5.0K");
  assert.equal(output.version_at_least_2_10, false);
  assert.equal(output.needs_build, true);
});

Deno.test("ena-check gives the verdict unsupported, not a build, when no ena module exists", async () => {
  const { output, target } = await check(host([
    ["modinfo -F version ena", NOT_FOUND],
    ["modinfo ena", NOT_FOUND],
  ]));
  assert.equal(output.version, null);
  assert.equal(output.needs_build, false);
  assert.equal(output.unsupported, true);
  assert.equal(target.facts.ena?.modulePresent, false);
  assert.match(output.reason, /^unsupported: no ena kernel module/);
  assert.equal(target.verdict, "unsupported");
  assert.equal(target.verdictReason, output.reason);
  assert.equal(target.diagnostics[0].command, "modinfo ena");
  assert.match(target.diagnostics[0].output ?? "", /Module ena not found/);
});

for (
  const [driver, iface, rules] of [
    ["igb", "eth0", [
      ["cat /sys/class/net/eth0/device/uevent", {
        stdout: "DRIVER=igb\nPCI_CLASS=20000\nPCI_SLOT_NAME=0000:00:03.0\n",
      }],
      ["ethtool -i eth0", { stdout: "driver: igb\nversion: 6.12.38\nbus-info: 0000:00:03.0\n" }],
    ]],
    ["vif", "enX0", [
      ["cat /sys/class/net/enX0/device/uevent", { stdout: "DRIVER=vif\nMODALIAS=xen:vif\n" }],
      ["ethtool -i enX0", { stdout: "driver: vif\nversion: \nbus-info: vif-0\n" }],
    ]],
    ["veth", "veth0", [
      ["cat /sys/class/net/veth0/device/uevent", {
        stderr: "cat: /sys/class/net/veth0/device/uevent: No such file or directory\n",
        exitCode: 1,
      }],
      ["ethtool -i veth0", { stdout: "driver: veth\nversion: 1.0\nbus-info: \n" }],
    ]],
    ["virtio_net", "ens3", [
      ["cat /sys/class/net/ens3/device/uevent", { stdout: "DRIVER=virtio_net\n" }],
    ]],
  ] as [string, string, FakeRule[]][]
) {
  Deno.test(`ena-check leaves a host whose primary NIC uses ${driver} alone: unsupported, no build`, async () => {
    const shell = host([
      ["ip -4 route show default", { stdout: `default via 10.0.2.2 dev ${iface} proto dhcp\n` }],
      ...rules,
    ], { version: "2.16.1g" });
    const { output, target } = await check(shell);
    const reason = `unsupported: the primary NIC ${iface} uses driver ${driver}, not ENA`;
    assert.equal(output.reason, reason);
    assert.equal(
      output.needs_build,
      false,
      "a driver lacking phc_enable is not built for a non-ENA NIC",
    );
    assert.equal(output.unsupported, true);
    assert.equal(output.nic_driver, driver);
    assert.deepEqual(target.facts.nic, { interface: iface, driver });
    assert.equal(target.verdict, "unsupported");
    assert.equal(target.verdictReason, reason);
    assert.equal(target.diagnostics[0].layer, "hardware");
    assert.ok(shell.options.every((o) => !o.sudo));
  });
}

Deno.test("ena-check on an ENA NIC sets no verdict and records the driver", async () => {
  const { output, target } = await check(host());
  assert.equal(output.nic_driver, "ena");
  assert.equal(output.unsupported, false);
  assert.equal(target.verdict, undefined);
  assert.deepEqual(target.facts.nic, { interface: "ens5", driver: "ena" });
});

Deno.test("ena-check reads CONFIG_PTP_1588_CLOCK=m and unknown when /boot/config is unreadable", async () => {
  const m = await check(host([
    [/^grep CONFIG_PTP_1588_CLOCK /, { stdout: "CONFIG_PTP_1588_CLOCK=m\n" }],
  ]));
  assert.equal(m.output.ptp_clock_config, "m");
  const unknown = await check(host([
    [/^grep CONFIG_PTP_1588_CLOCK /, {
      stderr: "grep: /boot/config-6.1.27: No such file or directory\n",
      exitCode: 2,
    }],
  ]));
  assert.equal(unknown.output.ptp_clock_config, "unknown");
});

Deno.test("ena-check takes the PCI slot from ethtool bus-info when uevent is unreadable", async () => {
  const { output } = await check(host([
    ["cat /sys/class/net/ens5/device/uevent", { stderr: "No such file\n", exitCode: 1 }],
    ["ethtool -i ens5", { stdout: "driver: ena\nversion: 2.8.3g\nbus-info: 0000:00:06.0\n" }],
  ]));
  assert.equal(output.pci_slot, "0000:00:06.0");
});

Deno.test("ena-check derives the interface from the default route (eth0 on AL2)", async () => {
  const shell = host([
    ["ip -4 route show default", { stdout: "default via 10.0.0.1 dev eth0\n" }],
    ["cat /sys/class/net/eth0/device/uevent", { stdout: "PCI_SLOT_NAME=0000:00:03.0\n" }],
  ]);
  const { output } = await check(shell);
  assert.equal(output.interface, "eth0");
  assert.equal(output.pci_slot, "0000:00:03.0");
});

Deno.test("ena-check without a default route leaves interface and slot null and warns", async () => {
  const shell = host([["ip -4 route show default", { stdout: "" }]]);
  const { output, target } = await check(shell);
  assert.equal(output.interface, null);
  assert.equal(output.pci_slot, null);
  assert.equal(shell.commands.length, 1);
  assert.ok(target.warnings.some((w) => /no IPv4 default route/.test(w)));
});

Deno.test("ena-check uses two round trips of read-only commands without sudo", async () => {
  const shell = host();
  await check(shell);
  assert.equal(shell.commands.length, 2);
  assert.ok(shell.options.every((o) => !o.sudo));
  for (const command of shell.executed) {
    assert.match(command, /^(uname|modinfo|cat|grep|ip|ethtool) /, command);
    assert.doesNotMatch(command, /[>]|modprobe|rmmod|tee /, command);
  }
});

Deno.test("ena-check turns unreadable shell output into a driver diagnosis and a command error", async () => {
  // The whole batch dies before printing any marker (e.g. the shell cannot fork).
  const broken: RemoteShell = {
    run: (command) =>
      Promise.resolve({
        command,
        stdout: "",
        stderr: "bash: fork: Resource temporarily unavailable\n",
        exitCode: 254,
        durationMs: 1,
      }),
    reconnect: () => Promise.resolve(),
  };
  const target = makeTarget({ id: "t", label: "t" });
  const ctx = makeTestContext({ target, services: { [shellServiceKey("t")]: broken } });
  await assert.rejects(
    enaCheck.run(ctx, {}, new AbortController().signal),
    (error: unknown) => error instanceof StepError && error.kind === "command",
  );
  assert.equal(target.diagnostics.length, 1);
  assert.equal(target.diagnostics[0].layer, "driver");
  assert.match(target.diagnostics[0].output ?? "", /fork: Resource temporarily unavailable/);
});

Deno.test("ena-check turns a modinfo that is not found (127) into an error, never an unsupported verdict", async () => {
  const shell = host([
    ["modinfo -F version ena", { stderr: "bash: modinfo: command not found\n", exitCode: 127 }],
    ["modinfo ena", { stderr: "bash: modinfo: command not found\n", exitCode: 127 }],
  ]);
  const target = makeTarget({ id: "t", label: "t" });
  const ctx = makeTestContext({ target, services: { [shellServiceKey("t")]: shell } });
  await assert.rejects(
    enaCheck.run(ctx, {}, new AbortController().signal),
    (error: unknown) => error instanceof StepError && error.kind === "command",
  );
  assert.equal(target.verdict, undefined);
  assert.equal(target.diagnostics[0].layer, "driver");
  assert.match(target.diagnostics[0].output ?? "", /command not found/);
});

Deno.test("ena-check without a default route takes the host's only interface (a real Debian VM's igb)", async () => {
  const shell = host([
    ["ip -4 route show default", { stdout: "" }],
    ["ip -br link show", {
      stdout: "lo               UNKNOWN        00:00:00:00:00:00 <LOOPBACK,UP,LOWER_UP> \n" +
        "eth0             UP             52:54:00:12:34:56 <BROADCAST,MULTICAST,UP,LOWER_UP> \n",
    }],
    ["cat /sys/class/net/eth0/device/uevent", {
      stdout: "DRIVER=igb\nPCI_SLOT_NAME=0000:00:03.0\n",
    }],
  ]);
  const { output, target } = await check(shell);
  assert.equal(output.interface, "eth0");
  assert.equal(output.reason, "unsupported: the primary NIC eth0 uses driver igb, not ENA");
  assert.equal(target.verdict, "unsupported");
  assert.ok(target.warnings.some((w) => /taken as eth0, its only network interface/.test(w)));
});

Deno.test("ena-check warns that ENA 2.13.0 crashes with the PHC on kernel 6.2 or later, with the fix", async () => {
  const { output, target } = await check(host([
    ["uname -r", { stdout: "6.12.40-63.114.amzn2023.x86_64\n" }],
    ["modinfo ena", { stdout: modinfoWith("2.13.0g", true) }],
    ["cat /sys/module/ena/parameters/phc_enable", { stdout: "0\n" }],
  ], { version: "2.13.0g" }));
  assert.match(output.known_fault ?? "", /2\.13\.0g.*amzn-drivers issue 322.*2\.13\.1/);
  assert.equal(target.facts.ena?.knownFault, output.known_fault);
  assert.ok(target.warnings.includes(output.known_fault!));
});

Deno.test("ena-check gives no known-fault warning for 2.13.0 on a 6.1 kernel, nor for 2.13.1", async () => {
  const old = await check(host([
    ["modinfo ena", { stdout: modinfoWith("2.13.0g", true) }],
  ], { version: "2.13.0g" }));
  assert.equal(old.output.known_fault, null);
  const fixed = await check(host([
    ["uname -r", { stdout: "6.12.40-63.114.amzn2023.x86_64\n" }],
    ["modinfo ena", { stdout: modinfoWith("2.13.1g", true) }],
  ], { version: "2.13.1g" }));
  assert.equal(fixed.output.known_fault, null);
  assert.deepEqual(fixed.target.warnings, []);
});
