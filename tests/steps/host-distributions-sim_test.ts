/**
 * The host steps on every common EC2 Linux the simulator models (issue 11
 * point 1), over real SSH: detect-arch records the distribution and its
 * layout; install-ptp and ena-build use its package manager, package names
 * and kernel headers package; `--dry-run` sends only read-only commands and
 * records what it would do; a second run changes nothing. The Debian host
 * keeps `/usr/sbin` off the user's PATH, so `modinfo`/`ethtool` work only
 * through the SSH plugin's PATH prefix.
 */
import assert from "node:assert/strict";
import detectArch from "../../steps/detect-arch.ts";
import enaBuild from "../../steps/ena-build.ts";
import enaCheck from "../../steps/ena-check.ts";
import installPtp from "../../steps/install-ptp.ts";
import { shellFor } from "../../plugins/ssh/shell-registry.ts";
import type { InstanceProfile } from "../../sim/profile.ts";
import { runStep } from "../ptp/step-harness.ts";
import { sentCommands, simulatedTarget } from "../helpers/sim-target.ts";

interface DistributionCase {
  distribution: InstanceProfile["distribution"];
  family: string;
  id: string;
  install: string;
  headers: RegExp;
  chronyConf: string;
  chronyUnit: string;
  sbinOnUserPath?: boolean;
}

const CASES: DistributionCase[] = [
  {
    distribution: "amazon-linux-2023",
    family: "amazon-linux-2023",
    id: "amzn",
    install: "sudo -n dnf install -y",
    headers: /^kernel(6\.\d+)?-devel-\d/,
    chronyConf: "/etc/chrony.conf",
    chronyUnit: "chronyd",
  },
  {
    distribution: "amazon-linux-2",
    family: "amazon-linux-2",
    id: "amzn",
    install: "sudo -n yum install -y",
    headers: /^kernel-devel-\d/,
    chronyConf: "/etc/chrony.conf",
    chronyUnit: "chronyd",
  },
  {
    distribution: "rhel-9",
    family: "rhel",
    id: "rhel",
    install: "sudo -n dnf install -y",
    headers: /^kernel-devel-\d/,
    chronyConf: "/etc/chrony.conf",
    chronyUnit: "chronyd",
  },
  {
    distribution: "rocky-9",
    family: "rhel",
    id: "rocky",
    install: "sudo -n dnf install -y",
    headers: /^kernel-devel-\d/,
    chronyConf: "/etc/chrony.conf",
    chronyUnit: "chronyd",
  },
  {
    distribution: "ubuntu-22.04",
    family: "ubuntu",
    id: "ubuntu",
    install: "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y",
    headers: /^linux-headers-\d/,
    chronyConf: "/etc/chrony/chrony.conf",
    chronyUnit: "chrony",
  },
  {
    distribution: "ubuntu-24.04",
    family: "ubuntu",
    id: "ubuntu",
    install: "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y",
    headers: /^linux-headers-\d/,
    chronyConf: "/etc/chrony/chrony.conf",
    chronyUnit: "chrony",
    sbinOnUserPath: false,
  },
  {
    distribution: "debian-12",
    family: "debian",
    id: "debian",
    install: "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y",
    headers: /^linux-headers-\d/,
    chronyConf: "/etc/chrony/chrony.conf",
    chronyUnit: "chrony",
  },
];

/** Commands that change a host (package installs, the build, module install). */
const CHANGING =
  /install -y|apt-get update|git clone|git checkout|ENA_PHC_INCLUDE=1 make|^cp |cp '|depmod|mkdir|tee |modprobe|systemctl (restart|start|enable)/;

CASES.forEach((c, i) => {
  Deno.test({
    name:
      `host steps on ${c.distribution}: layout, packages and build by its package manager, check mode first`,
    sanitizeResources: false,
    sanitizeOps: false,
  }, async () => {
    const { ctx, target, stop } = await simulatedTarget(
      {
        distribution: c.distribution,
        ...(c.sbinOnUserPath === undefined ? {} : { sbin_on_user_path: c.sbinOnUserPath }),
        // Amazon Linux bundles a PHC-capable driver by default; make every host need the build.
        ena: { version: "2.8.3g", phc_parameter: false, pci_slot: "05" },
      },
      `127.0.0.${80 + i}`,
      { dryRun: true },
    );
    try {
      await runStep(detectArch, ctx);
      const host = target.facts.host;
      assert.ok(host?.layout, `known distribution: ${JSON.stringify(host)}`);
      assert.equal(host.family, c.family);
      assert.equal(host.id, c.id);
      assert.notEqual(host.version_id, "");
      assert.equal(host.layout.chrony_conf, c.chronyConf);
      assert.equal(host.layout.chrony_unit, c.chronyUnit);
      assert.equal(target.verdict, undefined);
      // The layout names what is really there.
      const shell = await shellFor(ctx);
      assert.equal((await shell.run(`test -f ${host.layout.chrony_conf}`)).exitCode, 0);
      const unit = await shell.run(`systemctl is-active ${host.layout.chrony_unit}.service`);
      assert.equal(unit.stdout.trim(), "active", unit.stdout + unit.stderr);

      if (c.distribution === "debian-12" || c.sbinOnUserPath === false) {
        // The user's own PATH lacks /usr/sbin here: without the prefix, modinfo is not found.
        const bare = await shell.run("PATH=/usr/local/bin:/usr/bin:/bin:/usr/games; modinfo ena");
        assert.equal(bare.exitCode, 127, bare.stdout + bare.stderr);
      }
      // modinfo and ethtool live in /usr/sbin: found through the PATH prefix on every host.
      const ena = await runStep(enaCheck, ctx);
      assert.equal(ena.unsupported, false, String(ena.reason));
      assert.equal(ena.needs_build, true, String(ena.reason));
      assert.equal(ena.nic_driver, "ena");

      // Check mode: read-only commands only, and a record of what would be done.
      const before = sentCommands(ctx).length;
      const wouldInstall = await runStep(installPtp, ctx, { diagnostics_tools: true });
      assert.deepEqual(wouldInstall, { changed: true, installed: [] });
      const wouldBuild = await runStep(enaBuild, ctx);
      assert.equal(wouldBuild.changed, true);
      assert.equal(wouldBuild.installed_path, null);
      const checkModeCommands = sentCommands(ctx).slice(before);
      for (const command of checkModeCommands) {
        assert.doesNotMatch(command, CHANGING, `check mode sent ${command}`);
      }
      const planned = target.facts.changes ?? [];
      assert.ok(planned.every((change) => !change.applied));
      const summaries = planned.map((change) => change.summary);
      assert.ok(
        summaries.some((s) => /^install packages linuxptp\b/.test(s)),
        summaries.join("\n"),
      );
      assert.ok(summaries.some((s) => /ENA_PHC_INCLUDE=1/.test(s)), summaries.join("\n"));
      assert.ok(summaries.some((s) => /\/updates\/ena\.ko and run depmod -a$/.test(s)));
      const packages = summaries.find((s) => /^install packages .*-devel-|linux-headers-/.test(s));
      assert.ok(packages, `the build would install the headers: ${summaries.join("\n")}`);
      const headers = packages.split(" ").find((word) => c.headers.test(word));
      assert.ok(headers, `headers package in ${packages}`);
      assert.equal((await shell.run("modinfo -F parm ena")).stdout.includes("phc_enable"), false);

      // A real run does it, by the distribution's package manager, and records the same.
      (ctx.settings as { dryRun: boolean }).dryRun = false;
      target.facts.changes = [];
      const installed = await runStep(installPtp, ctx, { diagnostics_tools: true });
      assert.deepEqual(installed, { changed: true, installed: ["linuxptp"] });
      assert.ok(sentCommands(ctx).includes(`${c.install} linuxptp`), sentCommands(ctx).join("\n"));
      const built = await runStep(enaBuild, ctx);
      assert.equal(built.changed, true, JSON.stringify(target.diagnostics, null, 1));
      assert.match(String(built.installed_path), /^\/lib\/modules\/.+\/updates\/ena\.ko$/);
      const installs = sentCommands(ctx).filter((command) => command.startsWith(c.install));
      assert.ok(installs.some((command) => command.includes(headers)), installs.join("\n"));
      const done = target.facts.changes ?? [];
      assert.deepEqual(
        done.map((change) => change.summary),
        summaries,
        "a real run records what check mode said it would do",
      );
      assert.ok(done.every((change) => change.applied));

      // Re-running on the now-good host changes nothing.
      assert.deepEqual(await runStep(installPtp, ctx, { diagnostics_tools: true }), {
        changed: false,
        installed: [],
      });
      assert.equal((await runStep(enaBuild, ctx)).changed, false);
    } finally {
      await stop();
    }
  });
});

Deno.test({
  name: "detect-arch gives an unknown distribution the verdict unsupported naming it",
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  const { ctx, target, stop } = await simulatedTarget({ distribution: "unknown" }, "127.0.0.90");
  try {
    await runStep(detectArch, ctx);
    assert.equal(target.facts.host?.layout, null);
    assert.equal(target.verdict, "unsupported");
    assert.match(target.verdictReason ?? "", /^unsupported: distribution \S/);
    assert.ok(target.verdictReason?.includes(target.facts.host!.pretty_name));
    // ena-build refuses on an unsupported target without sending anything.
    const before = sentCommands(ctx).length;
    const built = await runStep(enaBuild, ctx);
    assert.equal(built.changed, false);
    assert.match(String(built.skipped_reason), /unsupported/);
    assert.equal(sentCommands(ctx).length, before);
  } finally {
    await stop();
  }
});
