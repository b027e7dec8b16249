import assert from "node:assert/strict";
import { StepError } from "../../runner/errors.ts";
import configureChrony from "../../steps/configure-chrony.ts";
import { AL2023_CHRONY_CONF, FakeHost } from "../ptp/fake-host.ts";
import { enaFacts, harness, runStep } from "../ptp/step-harness.ts";
import type { TargetFacts } from "../../plugins/api.ts";
import type {} from "../../plugins/ptp/facts.ts";

const DROP_IN = "/etc/chrony.d/ptp-runner.conf";
const LINE = "refclock PHC /dev/ptp_ena poll 0 delay 0.000010 prefer";
const NO_INCLUDE =
  "server 169.254.169.123 prefer iburst minpoll 4 maxpoll 4\ndriftfile /var/lib/chrony/drift\n";

const ENABLED: TargetFacts = {
  ena: enaFacts({ phcEnable: 1 }),
  phc: {
    state: "enabled",
    device: "/dev/ptp_ena",
    clockName: "ena-ptp-05",
    index: 0,
    ethtoolIndex: 0,
  },
};

function enabledHost(options: ConstructorParameters<typeof FakeHost>[0] = {}) {
  return new FakeHost({ loadedPhcEnable: 1, ...options });
}

Deno.test("configure-chrony writes the managed drop-in when chrony.conf includes /etc/chrony.d", async () => {
  const host = enabledHost();
  const { ctx, target } = harness(host, structuredClone(ENABLED));
  const out = await runStep(configureChrony, ctx);
  assert.deepEqual(out, {
    changed: true,
    file: DROP_IN,
    method: "drop-in",
    rolled_back: false,
    backup: null,
  });
  assert.equal(host.files.get("/etc/chrony.conf"), AL2023_CHRONY_CONF);
  const dropIn = host.files.get(DROP_IN) ?? "";
  assert.match(dropIn, /^# Managed by ptp-runner/);
  assert.equal(dropIn.split("\n").filter((l) => l === LINE).length, 1);
  assert.ok(host.commands.includes("sudo -n chronyd -p"));
  assert.ok(host.commands.includes("sudo -n systemctl restart chronyd"));
  assert.ok(
    host.commands.indexOf("sudo -n chronyd -p") <
      host.commands.indexOf("sudo -n systemctl restart chronyd"),
  );
  assert.deepEqual(target.facts.chrony, {
    file: DROP_IN,
    method: "drop-in",
    changed: true,
    rolledBack: false,
    backup: null,
    nRestarts: 1,
  });
});

Deno.test("configure-chrony second run is unchanged and does not restart chronyd", async () => {
  const host = enabledHost();
  const { ctx } = harness(host, structuredClone(ENABLED));
  await runStep(configureChrony, ctx);
  const before = host.commands.length;
  const again = await runStep(configureChrony, ctx);
  assert.equal(again.changed, false);
  const later = host.commands.slice(before);
  assert.equal(later.some((c) => /restart|tee|cp /.test(c)), false);
});

Deno.test("configure-chrony appends one marked line and backs up when there is no include", async () => {
  const host = enabledHost({ chronyConf: NO_INCLUDE });
  const { ctx } = harness(host, structuredClone(ENABLED));
  const out = await runStep(configureChrony, ctx);
  assert.equal(out.method, "line");
  assert.equal(out.file, "/etc/chrony.conf");
  assert.equal(out.backup, "/etc/chrony.conf.ptp-runner.bak");
  assert.equal(host.files.get("/etc/chrony.conf"), `${NO_INCLUDE}${LINE} # added by ptp-runner\n`);
  assert.equal(host.files.get("/etc/chrony.conf.ptp-runner.bak"), NO_INCLUDE);
  assert.equal(host.files.has(DROP_IN), false);
  const again = await runStep(configureChrony, ctx);
  assert.equal(again.changed, false);
  assert.equal(host.files.get("/etc/chrony.conf"), `${NO_INCLUDE}${LINE} # added by ptp-runner\n`);
});

Deno.test("configure-chrony skips when the PHC is not enabled or /dev/ptp_ena is missing", async () => {
  const host = enabledHost({ phcHardware: false });
  const { ctx } = harness(host, {
    ena: enaFacts(),
    phc: { ...ENABLED.phc!, state: "unsupported" },
  });
  const out = await runStep(configureChrony, ctx);
  assert.equal(out.changed, false);
  assert.match(String(out.skipped_reason), /not enabled/);
  assert.equal(host.commands.length, 0);

  const noLink = enabledHost({ udevRuleShipped: false });
  const h2 = harness(noLink, structuredClone(ENABLED));
  const out2 = await runStep(configureChrony, h2.ctx);
  assert.equal(out2.changed, false);
  assert.match(String(out2.skipped_reason), /\/dev\/ptp_ena does not resolve/);
  assert.equal(noLink.files.has(DROP_IN), false);
  assert.equal(noLink.commands.some((c) => /restart|tee/.test(c)), false);
});

Deno.test("configure-chrony rolls back when chronyd -p rejects the configuration", async () => {
  const host = enabledHost({
    chronyConf: NO_INCLUDE,
    chronydParseError: "Invalid refclock option at line 3 in file /etc/chrony.conf",
  });
  const { ctx, target } = harness(host, structuredClone(ENABLED));
  const error = await runStep(configureChrony, ctx).catch((e) => e);
  assert.ok(error instanceof StepError);
  assert.equal(host.files.get("/etc/chrony.conf"), NO_INCLUDE);
  assert.equal(target.facts.chrony?.rolledBack, true);
  const d = target.diagnostics.find((x) => x.command === "sudo -n chronyd -p");
  assert.ok(d);
  assert.match(d.output ?? "", /Fatal error : Invalid refclock option at line 3/);
  assert.equal(host.commands.includes("sudo -n systemctl restart chronyd"), false);
});

Deno.test("configure-chrony rolls back and restarts when chronyd is not active after the restart", async () => {
  const host = enabledHost({ chronydDiesAfterRestart: true });
  const { ctx, target } = harness(host, structuredClone(ENABLED));
  const error = await runStep(configureChrony, ctx).catch((e) => e);
  assert.ok(error instanceof StepError);
  assert.equal(error.kind, "command");
  assert.equal(host.files.has(DROP_IN), false);
  assert.equal(host.commands.filter((c) => c === "sudo -n systemctl restart chronyd").length, 2);
  assert.equal(target.facts.chrony?.rolledBack, true);
  const d = target.diagnostics.find((x) => x.layer === "service");
  assert.ok(d);
  assert.match(d.summary, /chronyd is failed/);
  assert.match(d.output ?? "", /Fatal error : simulated/);
});

Deno.test("configure-chrony restores the previous config when aborted mid-step", async () => {
  const host = enabledHost({ chronyConf: NO_INCLUDE });
  const { ctx, target } = harness(host, structuredClone(ENABLED));
  const controller = new AbortController();
  const reason = new DOMException("step timed out", "TimeoutError");
  host.onCommand = (c) => {
    if (c === "sudo -n systemctl restart chronyd" && !controller.signal.aborted) {
      controller.abort(reason);
    }
  };
  const error = await runStep(configureChrony, ctx, {}, controller.signal).catch((e) => e);
  assert.equal(error, reason);
  assert.equal(host.files.get("/etc/chrony.conf"), NO_INCLUDE);
  const restore = host.commands.indexOf(
    "sudo -n cp /etc/chrony.conf.ptp-runner.bak /etc/chrony.conf",
  );
  assert.ok(restore > host.commands.indexOf("sudo -n systemctl restart chronyd"));
  assert.equal(target.facts.chrony?.rolledBack, true);
  assert.ok(target.diagnostics.some((d) => /restored after the step was aborted/.test(d.summary)));
});

Deno.test("configure-chrony never edits a user's own refclock line for the device", async () => {
  const conf = `${AL2023_CHRONY_CONF}refclock PHC /dev/ptp_ena poll 0 delay 0.000010 prefer tai\n`;
  const host = enabledHost({ chronyConf: conf });
  const { ctx, target } = harness(host, structuredClone(ENABLED));
  const out = await runStep(configureChrony, ctx);
  assert.equal(out.changed, false);
  assert.match(String(out.skipped_reason), /does not edit the user's lines/);
  assert.equal(host.files.get("/etc/chrony.conf"), conf);
  assert.equal(target.warnings.length, 1);
});
