import assert from "node:assert/strict";
import { StepError } from "../../runner/errors.ts";
import enaBuild from "../../steps/ena-build.ts";
import { FakeHost } from "../ptp/fake-host.ts";
import { enaFacts, harness, runStep } from "../ptp/step-harness.ts";

const NO_PARAM = { ena: enaFacts({ hasPhcParameter: false, phcEnable: null, needsBuild: true }) };

Deno.test("ena-build skips with a reason when the driver already has phc_enable", async () => {
  const host = new FakeHost();
  const { ctx } = harness(host);
  const out = await runStep(enaBuild, ctx);
  assert.equal(out.changed, false);
  assert.equal(out.installed_path, null);
  assert.match(String(out.skipped_reason), /already has the phc_enable parameter/);
  assert.equal(host.commands.some((c) => /make|git clone|dnf install/.test(c)), false);
});

Deno.test("ena-build builds with ENA_PHC_INCLUDE=1 and installs into updates/ with depmod", async () => {
  const host = new FakeHost({ driverHasParam: false, packages: ["chrony", "ethtool"] });
  const { ctx, target } = harness(host, NO_PARAM);
  const out = await runStep(enaBuild, ctx, { ref: "ena_linux_2.16.1" });
  const kernel = host.kernel;
  assert.equal(out.changed, true);
  assert.equal(out.installed_path, `/lib/modules/${kernel}/updates/ena.ko`);
  assert.ok(host.commands.includes(`sudo -n dnf install -y gcc make git kernel-devel-${kernel}`));
  assert.ok(host.commands.some((c) => /ENA_PHC_INCLUDE=1 make/.test(c)));
  assert.ok(host.commands.includes("sudo -n depmod -a"));
  assert.ok(host.commands.some((c) => c.includes("git checkout ena_linux_2.16.1")));
  // The working driver is never unloaded by the build.
  assert.equal(host.commands.some((c) => /modprobe -r|rmmod/.test(c)), false);
  assert.equal(target.facts.ena?.hasPhcParameter, true);
  const again = await runStep(enaBuild, ctx);
  assert.equal(again.changed, false);
});

Deno.test("ena-build failure keeps the driver and quotes the compiler's last lines", async () => {
  const host = new FakeHost({ driverHasParam: false, buildFails: true });
  const { ctx, target } = harness(host, NO_PARAM);
  const error = await runStep(enaBuild, ctx).catch((e) => e);
  assert.ok(error instanceof StepError);
  assert.equal(error.kind, "command");
  const d = target.diagnostics.find((x) => x.layer === "build");
  assert.ok(d);
  const lines = (d.output ?? "").split("\n");
  assert.equal(lines.length, 20);
  assert.match(lines.at(-1)!, /Error 2/);
  assert.ok(lines.some((l) => l.includes("error: implicit declaration")));
  assert.match(d.summary, /left loaded and unchanged/);
  assert.equal(host.commands.some((c) => /modprobe|rmmod|depmod|updates/.test(c)), false);
  assert.equal(host.driverHasParam, false);
});

Deno.test("ena-build notes modprobe ptp when CONFIG_PTP_1588_CLOCK=m", async () => {
  const host = new FakeHost({ driverHasParam: false });
  const { ctx } = harness(host, { ena: enaFacts({ ...NO_PARAM.ena, ptpClockConfig: "m" }) });
  const out = await runStep(enaBuild, ctx);
  assert.equal(out.modprobe_ptp_needed, true);
});
