import assert from "node:assert/strict";
import configureChrony from "../../steps/configure-chrony.ts";
import enableHwts from "../../steps/enable-hwts.ts";
import verify from "../../steps/verify.ts";
import { ROLLBACK_TIMEOUT_MS } from "../../plugins/ptp/chrony-rollback.ts";

for (const step of [configureChrony, verify, enableHwts]) {
  Deno.test(`${step.type} declares an abort grace longer than a rollback's bound (Ctrl-C never cuts it off)`, () => {
    assert.ok(
      (step.abortGraceSeconds ?? 0) > ROLLBACK_TIMEOUT_MS / 1000,
      `${step.type}: abortGraceSeconds ${step.abortGraceSeconds}`,
    );
  });
}
