/**
 * Integration: the PTP host steps against a simulated AL2023 host (sim/host)
 * over real SSH (ssh2 client of the SSH plugin -> in-process ssh2 Server).
 */
import assert from "node:assert/strict";
import configureChrony from "../../steps/configure-chrony.ts";
import enaBuild from "../../steps/ena-build.ts";
import enableHwts from "../../steps/enable-hwts.ts";
import installPtp from "../../steps/install-ptp.ts";
import verify from "../../steps/verify.ts";
import { runStep } from "../ptp/step-harness.ts";
import { simulatedTarget } from "../helpers/sim-target.ts";

Deno.test({
  name: "PTP host steps make a simulated PHC host functional over SSH, idempotently",
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  const { ctx, target, stop } = await simulatedTarget({}, "127.0.0.61");
  try {
    const installed = await runStep(installPtp, ctx);
    assert.equal(installed.changed, false);
    const enabled = await runStep(enableHwts, ctx, { settle_timeout: 30, poll_interval: 1 });
    assert.equal(enabled.state, "enabled", JSON.stringify(target.diagnostics));
    assert.equal(enabled.changed, true);
    assert.equal(enabled.clock_name, "ena-ptp-05");
    const commands = ctx.events.flatMap((e) => e.type === "command" ? [e.command] : []);
    assert.ok(commands.some((c) => c.includes("systemd-run --unit ptp-runner-ena-reload")));
    assert.equal(commands.some((c) => c.includes("nohup")), false, "systemd-run worked");
    const chrony = await runStep(configureChrony, ctx);
    assert.equal(chrony.changed, true, JSON.stringify(target.diagnostics));
    assert.equal(chrony.method, "drop-in");
    const verdict = await runStep(verify, ctx, { timeout: 60, interval: 2 });
    assert.equal(verdict.verdict, "functional", JSON.stringify(target.diagnostics, null, 1));
    assert.equal(verdict.interface, "ens5");
    const quality = verdict.quality as { reference_name: string; clock_error_bound_ns: number };
    assert.equal(quality.reference_name, "PHC0");
    assert.ok(quality.clock_error_bound_ns > 0);
    assert.equal(target.facts.verify?.verdict, "functional");

    assert.equal((await runStep(enableHwts, ctx)).changed, false);
    assert.equal((await runStep(configureChrony, ctx)).changed, false);
    assert.equal((await runStep(verify, ctx)).verdict, "functional");
  } finally {
    await stop();
  }
});

Deno.test({
  name: "PTP host steps reach verdict unsupported on a simulated host without PHC hardware",
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  const { ctx, target, stop } = await simulatedTarget(
    { phc_support: "unsupported" },
    "127.0.0.62",
  );
  try {
    const enabled = await runStep(enableHwts, ctx, { settle_timeout: 5, poll_interval: 1 });
    assert.equal(enabled.state, "unsupported", JSON.stringify(target.diagnostics));
    const chrony = await runStep(configureChrony, ctx);
    assert.equal(chrony.changed, false);
    const verdict = await runStep(verify, ctx, { timeout: 4, interval: 2 });
    assert.equal(verdict.verdict, "unsupported");
    assert.equal(target.verdict, "unsupported");
  } finally {
    await stop();
  }
});

Deno.test({
  name: "ena-build, udev rule and ptp_kvm: a simulated host without phc_enable becomes functional",
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  const { ctx, target, stop } = await simulatedTarget(
    {
      ena: { version: "2.8.3g", phc_parameter: false, pci_slot: "05" },
      udev_rule: false,
      ptp_kvm: true,
    },
    "127.0.0.63",
  );
  try {
    const built = await runStep(enaBuild, ctx);
    assert.equal(built.changed, true, JSON.stringify(target.diagnostics, null, 1));
    assert.match(String(built.installed_path), /^\/lib\/modules\/.+\/updates\/ena\.ko$/);
    assert.equal((await runStep(enaBuild, ctx)).changed, false);
    const enabled = await runStep(enableHwts, ctx, { settle_timeout: 30, poll_interval: 1 });
    assert.equal(enabled.state, "enabled", JSON.stringify(target.diagnostics, null, 1));
    assert.equal(enabled.clock_name, "ena-ptp-05");
    assert.notEqual(enabled.index, 0, "ptp_kvm keeps ptp0");
    assert.equal(enabled.device, "/dev/ptp_ena");
    await runStep(configureChrony, ctx);
    const verdict = await runStep(verify, ctx, { timeout: 60, interval: 2 });
    assert.equal(verdict.verdict, "functional", JSON.stringify(target.diagnostics, null, 1));
  } finally {
    await stop();
  }
});
