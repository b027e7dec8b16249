import assert from "node:assert/strict";
import { StepError } from "../../runner/errors.ts";
import installPtp from "../../steps/install-ptp.ts";
import { FakeHost } from "../ptp/fake-host.ts";
import { harness, runStep } from "../ptp/step-harness.ts";

Deno.test("install-ptp is unchanged when chrony and ethtool are installed", async () => {
  const host = new FakeHost();
  const { ctx } = harness(host);
  const out = await runStep(installPtp, ctx);
  assert.deepEqual(out, { changed: false, installed: [] });
  assert.equal(host.commands.some((c) => c.includes("dnf install")), false);
});

Deno.test("install-ptp installs only what rpm -q misses, with sudo -n", async () => {
  const host = new FakeHost({ packages: ["chrony"] });
  const { ctx } = harness(host);
  const out = await runStep(installPtp, ctx);
  assert.deepEqual(out, { changed: true, installed: ["ethtool"] });
  assert.ok(host.commands.includes("sudo -n dnf install -y ethtool"));
  const again = await runStep(installPtp, ctx);
  assert.equal(again.changed, false);
});

Deno.test("install-ptp adds linuxptp only for diagnostics tools and never starts ptp4l", async () => {
  const host = new FakeHost();
  const { ctx } = harness(host);
  const out = await runStep(installPtp, ctx, { diagnostics_tools: true });
  assert.deepEqual(out, { changed: true, installed: ["linuxptp"] });
  assert.equal(host.commands.some((c) => /ptp4l|phc2sys|systemctl (enable|start)/.test(c)), false);
});

Deno.test("install-ptp package failure is diagnosed in layer package quoting dnf", async () => {
  const host = new FakeHost({ packages: [], dnfFails: true });
  const { ctx, target } = harness(host);
  const error = await runStep(installPtp, ctx).catch((e) => e);
  assert.ok(error instanceof StepError);
  assert.equal(error.kind, "command");
  const d = target.diagnostics.find((x) => x.layer === "package");
  assert.ok(d);
  assert.equal(d.command, "sudo -n dnf install -y chrony ethtool");
  assert.match(d.output ?? "", /Cannot download repomd\.xml/);
});
