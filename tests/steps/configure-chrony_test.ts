import assert from "node:assert/strict";
import { StepError } from "../../runner/errors.ts";
import configureChrony from "../../steps/configure-chrony.ts";
import { AL2023_CHRONY_CONF, FakeHost } from "../ptp/fake-host.ts";
import { enaFacts, harness, runStep } from "../ptp/step-harness.ts";
import type { TargetFacts } from "../../plugins/api.ts";
import type {} from "../../plugins/ptp/facts.ts";

const DROP_IN = "/etc/chrony.d/ptp-runner.conf";
const LINE = "refclock PHC /dev/ptp_ena poll 0 delay 0.000010 prefer";
const PARSE = "sudo -n chronyd -p -f /etc/chrony.conf";
const MARKER = "# ptp-runner: PHC refclock (the next line; remove both lines to undo)";
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
    check_mode: false,
    file: DROP_IN,
    method: "drop-in",
    device: "/dev/ptp_ena",
    clock_name: "ena-ptp-05",
    rolled_back: false,
  });
  assert.equal(host.files.get("/etc/chrony.conf"), AL2023_CHRONY_CONF);
  const dropIn = host.files.get(DROP_IN) ?? "";
  assert.match(dropIn, /^# Managed by ptp-runner/);
  assert.equal(dropIn.split("\n").filter((l) => l === LINE).length, 1);
  assert.ok(host.commands.includes(PARSE));
  assert.ok(host.commands.includes("sudo -n systemctl restart chronyd"));
  assert.ok(
    host.commands.indexOf(PARSE) < host.commands.indexOf("sudo -n systemctl restart chronyd"),
  );
  assert.deepEqual(target.facts.chrony, {
    file: DROP_IN,
    method: "drop-in",
    changed: true,
    rolledBack: false,
    device: "/dev/ptp_ena",
    clockName: "ena-ptp-05",
    unit: "chronyd",
    invocationId: host.invocationId(),
    nRestarts: 0,
    previous: [{ path: DROP_IN, content: null }],
  });
  // The change is recorded with its diff, applied.
  const changes = target.facts.changes ?? [];
  assert.deepEqual(changes.map((c) => [c.kind, c.summary, c.applied]), [
    ["file", `create ${DROP_IN}`, true],
    ["action", "restart chronyd", true],
  ]);
  assert.match(
    changes[0].diff ?? "",
    /^\+refclock PHC \/dev\/ptp_ena poll 0 delay 0\.000010 prefer$/m,
  );
});

Deno.test("configure-chrony second run is unchanged and does not restart chronyd", async () => {
  const host = enabledHost();
  const { ctx, target } = harness(host, structuredClone(ENABLED));
  await runStep(configureChrony, ctx);
  const before = host.commands.length;
  const again = await runStep(configureChrony, ctx);
  assert.equal(again.changed, false);
  const later = host.commands.slice(before);
  assert.equal(later.some((c) => /restart|tee|cp /.test(c)), false);
  assert.equal(target.facts.changes?.length, 2, "no new change recorded");
});

Deno.test("configure-chrony adds a marker line and the refclock line, no backup file, without an include", async () => {
  const host = enabledHost({ chronyConf: NO_INCLUDE });
  const { ctx } = harness(host, structuredClone(ENABLED));
  const out = await runStep(configureChrony, ctx);
  assert.equal(out.method, "line");
  assert.equal(out.file, "/etc/chrony.conf");
  assert.equal(host.files.get("/etc/chrony.conf"), `${NO_INCLUDE}${MARKER}\n${LINE}\n`);
  assert.deepEqual([...host.files.keys()].filter((p) => /bak|ptp-runner/.test(p)), []);
  assert.equal(host.files.has(DROP_IN), false);
  const again = await runStep(configureChrony, ctx);
  assert.equal(again.changed, false);
  assert.equal(host.files.get("/etc/chrony.conf"), `${NO_INCLUDE}${MARKER}\n${LINE}\n`);
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
  const d = target.diagnostics.find((x) => x.command === PARSE);
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
  assert.equal(host.chronydActive, true);
  const d = target.diagnostics.find((x) => x.layer === "service");
  assert.ok(d);
  assert.match(d.summary, /chronyd is failed\/failed right after the restart/);
  assert.match(d.output ?? "", /Fatal error : simulated/);
  assert.ok(target.diagnostics.some((x) => /restored and chronyd active again/.test(x.summary)));
});

Deno.test("configure-chrony never says restored when chronyd does not come back after the rollback", async () => {
  const host = enabledHost({ chronydDiesAlways: true });
  const { ctx, target } = harness(host, structuredClone(ENABLED));
  const error = await runStep(configureChrony, ctx).catch((e) => e);
  assert.ok(error instanceof StepError);
  assert.equal(host.files.has(DROP_IN), false, "files restored");
  const summaries = target.diagnostics.map((d) => d.summary).join("\n");
  assert.match(summaries, /files restored, but chronyd is NOT running after the rollback/);
  assert.doesNotMatch(summaries, /configuration restored and/);
  assert.match(summaries, /after the rollback's restart/);
});

Deno.test("configure-chrony --dry-run changes nothing and records the diff it would apply", async () => {
  const host = enabledHost({ chronyConf: NO_INCLUDE });
  const { ctx, target } = harness(host, structuredClone(ENABLED));
  ctx.settings.dryRun = true;
  const out = await runStep(configureChrony, ctx);
  assert.equal(out.changed, true);
  assert.equal(out.check_mode, true);
  assert.equal(host.files.get("/etc/chrony.conf"), NO_INCLUDE);
  assert.equal(host.commands.some((c) => /tee|restart|chronyd -p|cp |rm /.test(c)), false);
  const changes = target.facts.changes ?? [];
  assert.deepEqual(changes.map((c) => [c.kind, c.summary, c.applied]), [
    ["file", "update /etc/chrony.conf", false],
    ["action", "validate with chronyd -p, restart chronyd", false],
  ]);
  assert.match(changes[0].diff ?? "", new RegExp(`^\\+${MARKER.replace(/[()]/g, "\\$&")}$`, "m"));
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
  assert.equal(error.cause, reason);
  assert.equal(error.kind, "timeout");
  assert.match(
    error.message,
    /^step timed out; configure-chrony was aborted: previous .* restored/,
  );
  assert.equal(host.files.get("/etc/chrony.conf"), NO_INCLUDE);
  const restarts = host.commands.flatMap((c, i) =>
    c === "sudo -n systemctl restart chronyd" ? [i] : []
  );
  assert.equal(restarts.length, 2, "the rollback restarted chronyd again");
  const restore = host.commands.lastIndexOf("sudo -n tee /etc/chrony.conf >/dev/null");
  assert.ok(restore > restarts[0] && restore < restarts[1]);
  assert.equal(host.chronydActive, true);
  assert.equal(target.facts.chrony?.rolledBack, true);
  assert.ok(
    target.diagnostics.some((d) =>
      /aborted: previous chrony configuration restored and chronyd active again/.test(d.summary)
    ),
  );
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
