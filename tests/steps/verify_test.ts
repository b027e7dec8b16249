import assert from "node:assert/strict";
import configureChrony from "../../steps/configure-chrony.ts";
import verify from "../../steps/verify.ts";
import { FakeHost, type FakeHostOptions } from "../ptp/fake-host.ts";
import { enaFacts, harness, runStep } from "../ptp/step-harness.ts";
import type { TargetFacts } from "../../plugins/api.ts";
import type {} from "../../plugins/ptp/facts.ts";

const ENABLED: TargetFacts = {
  ena: enaFacts({ phcEnable: 1 }),
  arch: { machine: "x86_64", raw: "x86_64", mismatch: false },
  phc: {
    state: "enabled",
    device: "/dev/ptp_ena",
    clockName: "ena-ptp-05",
    index: 0,
    ethtoolIndex: 0,
  },
};

/** A host with the PHC on and chrony configured by configure-chrony. */
async function configuredHost(options: FakeHostOptions = {}) {
  const host = new FakeHost({ loadedPhcEnable: 1, ...options });
  const h = harness(host, structuredClone(ENABLED));
  await runStep(configureChrony, h.ctx);
  return { host, ...h };
}

const sourcesCalls = (host: FakeHost) =>
  host.commands.filter((c) => c === "chronyc -n sources").length;

Deno.test("verify polls chrony until PHC0 is selected with reach 377, then says functional", async () => {
  const { host, ctx, target } = await configuredHost();
  const out = await runStep(verify, ctx);
  assert.equal(out.verdict, "functional");
  assert.equal(out.failed_layer, null);
  // reach climbs 0, 1, 3, 7, 17, 37, 77, 177, 377: nine polls
  assert.equal(sourcesCalls(host), 9);
  assert.equal(out.device, "/dev/ptp_ena");
  assert.equal(out.clock_name, "ena-ptp-05");
  assert.equal(out.phc_index, 0);
  assert.equal(out.interface, "ens5");
  assert.equal(out.driver_version, "2.16.1g");
  assert.equal(out.architecture, "x86_64");
  const quality = out.quality as Record<string, unknown>;
  assert.equal(quality.reference_name, "PHC0");
  assert.equal(quality.phc_error_bound_ns, 32123);
  assert.equal(quality.clock_error_bound_ns, 14 + 5000 + 1311 + 32123);
  assert.equal(quality.system_time_direction, "fast");
  assert.equal(target.verdict, "functional");
  const facts = target.facts.verify!;
  assert.equal(facts.checks.length, 7);
  assert.ok(facts.checks.every((c) => c.pass));
  assert.equal(target.diagnostics.length, 0);
});

Deno.test("verify does not accept #- (not combined) and gives up after the timeout", async () => {
  const { host, ctx, target } = await configuredHost({ neverSelect: "-" });
  const out = await runStep(verify, ctx, { timeout: "10s", interval: 2 });
  assert.equal(out.verdict, "misconfigured");
  assert.equal(out.failed_layer, "chrony");
  assert.equal(sourcesCalls(host), 6); // at 0, 2, 4, 6, 8, 10 s
  assert.equal(out.quality, null);
  const d = target.diagnostics.find((x) => x.layer === "chrony");
  assert.match(d?.summary ?? "", /PHC0 present but not selected \(state #-\)/);
  assert.match(d?.output ?? "", /#- PHC0/);
  assert.equal(target.verdict, "misconfigured");
});

Deno.test("verify says unsupported when phc_enable is 1 but no ena-ptp clock exists", async () => {
  const host = new FakeHost({ loadedPhcEnable: 1, phcHardware: false });
  const { ctx, target } = harness(host, { ena: enaFacts({ phcEnable: 1 }) });
  const out = await runStep(verify, ctx);
  assert.equal(out.verdict, "unsupported");
  assert.equal(out.failed_layer, "hardware");
  assert.equal(target.verdict, "unsupported");
  assert.equal(sourcesCalls(host), 1, "no polling when the driver layer fails");
  assert.ok(target.diagnostics.some((d) => /no ena-ptp-\* PTP clock/.test(d.summary)));
});

Deno.test("verify says unsupported when the instance type reports PhcSupport unsupported", async () => {
  const host = new FakeHost({ phcHardware: false });
  const { ctx, target } = harness(host, { ena: enaFacts(), phcSupport: "unsupported" });
  const out = await runStep(verify, ctx);
  assert.equal(out.verdict, "unsupported");
  assert.ok(target.diagnostics.some((d) => d.layer === "hardware" && /PhcSupport/.test(d.summary)));
});

Deno.test("verify reports the driver layer when phc_enable is 0", async () => {
  const host = new FakeHost({ loadedPhcEnable: 0 });
  const { ctx, target } = harness(host, { ena: enaFacts() });
  const out = await runStep(verify, ctx);
  assert.equal(out.verdict, "misconfigured");
  assert.equal(out.failed_layer, "driver");
  const d = target.diagnostics[0];
  assert.equal(d.layer, "driver");
  assert.match(d.summary, /phc_enable is 0/);
  assert.equal(d.command, "cat /sys/module/ena/parameters/phc_enable");
  assert.equal(d.output, "0");
});

Deno.test("verify reports a missing phc_enable parameter", async () => {
  const host = new FakeHost({ driverHasParam: false });
  const { ctx, target } = harness(host, {
    ena: enaFacts({ hasPhcParameter: false, phcEnable: null }),
  });
  const out = await runStep(verify, ctx);
  assert.equal(out.failed_layer, "driver");
  assert.match(target.diagnostics[0].summary, /no phc_enable parameter/);
  assert.match(target.diagnostics[0].output ?? "", /No such file or directory/);
});

Deno.test("verify reports the udev layer when /dev/ptp_ena is missing", async () => {
  const host = new FakeHost({ loadedPhcEnable: 1, udevRuleShipped: false });
  const { ctx, target } = harness(host, { ena: enaFacts({ phcEnable: 1 }) });
  const out = await runStep(verify, ctx);
  assert.equal(out.verdict, "misconfigured");
  assert.equal(out.failed_layer, "udev");
  assert.equal(out.device, null);
  assert.ok(
    target.diagnostics.some((d) =>
      d.layer === "udev" && /\/dev\/ptp_ena is missing/.test(d.summary)
    ),
  );
});

Deno.test("verify diagnoses an ethtool index mismatch when ptp_kvm is ptp0", async () => {
  const host = new FakeHost({ loadedPhcEnable: 1, ptpKvm: true, ethtoolIndexOverride: 0 });
  const { ctx, target } = harness(host, { ena: enaFacts({ phcEnable: 1 }) });
  const out = await runStep(verify, ctx);
  assert.equal(out.phc_index, 1);
  assert.equal(out.failed_layer, "driver");
  const d = target.diagnostics.find((x) => /index mismatch/.test(x.summary));
  assert.ok(d);
  assert.match(d.output ?? "", /PTP Hardware Clock: 0/);
});

Deno.test("verify reports chronyd not active with the last journal lines", async () => {
  const { host, ctx, target } = await configuredHost();
  host.chronydActive = false;
  host.journal.push("chronyd[900]: Fatal error : Could not open PHC");
  const out = await runStep(verify, ctx);
  assert.equal(out.verdict, "misconfigured");
  const journal = target.diagnostics.find((d) => d.command?.includes("journalctl -u chronyd"));
  assert.ok(journal);
  assert.match(journal.output ?? "", /Could not open PHC/);
  assert.ok(target.diagnostics.some((d) => d.layer === "service" && /not active/.test(d.summary)));
});

Deno.test("verify rolls back the chrony change when it finds chronyd dead with ptp-runner's refclock", async () => {
  const { host, ctx, target } = await configuredHost();
  assert.ok(host.files.has("/etc/chrony.d/ptp-runner.conf"));
  host.chronydActive = false;
  const out = await runStep(verify, ctx);
  assert.equal(out.verdict, "misconfigured");
  assert.equal(host.files.has("/etc/chrony.d/ptp-runner.conf"), false, "drop-in removed");
  assert.equal(host.chronydActive, true, "chronyd restarted without the refclock");
  assert.equal(target.facts.chrony?.rolledBack, true);
  assert.match(target.verdictReason ?? "", /the chrony change was rolled back/);
  assert.ok(
    (target.facts.changes ?? []).some((c) =>
      c.kind === "remove" && c.summary === "remove /etc/chrony.d/ptp-runner.conf" && c.applied
    ),
  );
});

Deno.test("verify's rollback waits rollback_settle (a duration input) before its stayed-up check", async () => {
  const { host, ctx } = await configuredHost();
  host.chronydActive = false;
  const waits: number[] = [];
  const sleep = ctx.sleep;
  ctx.sleep = (seconds, signal) => {
    waits.push(seconds);
    return sleep(seconds, signal);
  };
  await runStep(verify, ctx, { rollback_settle: "7500ms" });
  assert.equal(host.chronydActive, true, "rolled back and restarted");
  assert.deepEqual(waits, [7.5], "chrony was found dead at once: the only wait is the settle");
});

Deno.test("verify does not roll back a configuration this run did not change", async () => {
  const { host, ctx } = await configuredHost();
  await runStep(configureChrony, ctx); // unchanged: nothing of this run to roll back
  host.chronydActive = false;
  await runStep(verify, ctx);
  assert.equal(host.files.has("/etc/chrony.d/ptp-runner.conf"), true);
});

Deno.test("verify fails the service layer when chronyd restarted since configure-chrony (new InvocationID)", async () => {
  const { host, ctx, target } = await configuredHost();
  // A crash and an automatic restart: a new InvocationID; real NRestarts may stay unchanged.
  host.starts += 1;
  const out = await runStep(verify, ctx);
  assert.equal(out.verdict, "misconfigured");
  assert.equal(out.failed_layer, "service");
  assert.ok(target.diagnostics.some((d) => /restarted since configure-chrony/.test(d.summary)));
});

Deno.test("verify with clock=primary-nic on an ENA host whose PHC the skipped ENA steps never enabled: misconfigured, says why, not unsupported", async () => {
  const host = new FakeHost({ loadedPhcEnable: 0 });
  // ena-check and enable-hwts did not run (the pipeline runs them only with clock=ena).
  const { ctx, target } = harness(host, {});
  const out = await runStep(verify, ctx, { clock: "primary-nic" });
  assert.equal(out.verdict, "misconfigured");
  assert.equal(out.failed_layer, "driver");
  assert.match(
    target.verdictReason ?? "",
    /^clock=primary-nic: the ENA PHC of ens5 was not enabled \(phc_enable is 0\): the ENA steps .* did not run .*use clock=ena/,
  );
  assert.doesNotMatch(target.verdictReason ?? "", /has no PTP hardware clock/);
  assert.equal(target.diagnostics.length, 1);
  assert.equal(target.diagnostics[0].command, "cat /sys/module/ena/parameters/phc_enable");
});

Deno.test("verify with clock=clock_name:ena-ptp-* and the ENA steps skipped says the ENA PHC was not enabled", async () => {
  const host = new FakeHost({ loadedPhcEnable: 0 });
  const { ctx, target } = harness(host, {});
  const out = await runStep(verify, ctx, { clock: "clock_name:ena-ptp-*" });
  assert.equal(out.verdict, "misconfigured");
  assert.match(
    target.verdictReason ?? "",
    /clock=clock_name:ena-ptp-\*: the ENA PHC .* not enabled/,
  );
});

Deno.test("verify with a clock_name glob that cannot be the ENA clock keeps the no-match reason", async () => {
  const host = new FakeHost({ loadedPhcEnable: 0 });
  const { ctx, target } = harness(host, {});
  const out = await runStep(verify, ctx, { clock: "clock_name:KVM*" });
  assert.equal(out.verdict, "misconfigured");
  assert.match(target.verdictReason ?? "", /no PTP clock of .* has a clock_name matching "KVM\*"/);
});
