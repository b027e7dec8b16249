/**
 * verify's reach rule against a simulated host whose PHC misses samples
 * (fault `phc_missed_every`): PHC0 stays selected (`#*`) while reach shows
 * gaps, as on a busy real host. Older gaps pass; missed recent polls fail.
 */
import assert from "node:assert/strict";
import configureChrony from "../../steps/configure-chrony.ts";
import enableHwts from "../../steps/enable-hwts.ts";
import verify from "../../steps/verify.ts";
import { runStep } from "../ptp/step-harness.ts";
import { simulatedTarget } from "../helpers/sim-target.ts";
import { ProfileFaultsSchema } from "../../sim/profile.ts";

/** Boots a PHC host missing every `every`th PHC sample, configures chrony, runs verify. */
async function verifyWithMissedSamples(every: number, address: string) {
  const { ctx, target, stop } = await simulatedTarget(
    { faults: ProfileFaultsSchema.parse({ phc_missed_every: every }) },
    address,
  );
  try {
    const enabled = await runStep(enableHwts, ctx, { settle_timeout: 30, poll_interval: 1 });
    assert.equal(enabled.state, "enabled", JSON.stringify(target.diagnostics));
    await runStep(configureChrony, ctx);
    const out = await runStep(verify, ctx, { timeout: 40, interval: 2 });
    return { out, target };
  } finally {
    await stop();
  }
}

Deno.test({
  name:
    "verify says functional when PHC0 stays selected with older samples missed (never reach 377)",
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  const { out, target } = await verifyWithMissedSamples(8, "127.0.0.64");
  assert.equal(out.verdict, "functional", JSON.stringify(target.diagnostics, null, 1));
  const source = target.facts.verify!.checks.find((c) => c.check.startsWith("chronyc sources"));
  assert.match(source?.observed ?? "", /^#\* PHC0 reach [0-7]+$/);
  assert.notEqual(source?.observed, "#* PHC0 reach 377", "the fault leaves gaps");
});

Deno.test({
  name: "verify says misconfigured when PHC0 is selected but its recent samples are missed",
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  const { out, target } = await verifyWithMissedSamples(2, "127.0.0.65");
  assert.equal(out.verdict, "misconfigured");
  assert.equal(out.failed_layer, "chrony");
  const d = target.diagnostics.find((x) => x.layer === "chrony");
  assert.match(d?.summary ?? "", /PHC0 selected but reach is (125|252): .*missed/);
});
