import assert from "node:assert/strict";
import { enaClockNameOf, enaNotEnabledReason } from "../../plugins/ptp/ena-not-enabled.ts";

const base = {
  iface: "ens5",
  nicDriver: "ena",
  pciSlot: "0000:00:05.0",
  phcEnable: 0 as const,
  enableHwtsRan: false,
};

Deno.test("enaClockNameOf gives ena-ptp-<device> of a PCI slot, null for other shapes", () => {
  assert.equal(enaClockNameOf("0000:00:05.0"), "ena-ptp-05");
  assert.equal(enaClockNameOf("0000:00:1F.0"), "ena-ptp-1f");
  assert.equal(enaClockNameOf("vif-0"), null);
});

Deno.test("enaNotEnabledReason names the skipped ENA steps for primary-nic and matching globs only", () => {
  assert.match(
    enaNotEnabledReason({ ...base, choice: { kind: "primary-nic" } }) ?? "",
    /phc_enable is 0.*use clock=ena/,
  );
  assert.match(
    enaNotEnabledReason({ ...base, phcEnable: null, choice: { kind: "primary-nic" } }) ?? "",
    /no phc_enable parameter/,
  );
  assert.ok(enaNotEnabledReason({ ...base, choice: { kind: "clock_name", glob: "ena-*" } }));
  assert.equal(
    enaNotEnabledReason({ ...base, choice: { kind: "clock_name", glob: "KVM*" } }),
    undefined,
  );
  assert.equal(enaNotEnabledReason({ ...base, choice: { kind: "ena" } }), undefined);
  assert.equal(
    enaNotEnabledReason({ ...base, nicDriver: "igb", choice: { kind: "primary-nic" } }),
    undefined,
  );
  assert.equal(
    enaNotEnabledReason({ ...base, phcEnable: 1, choice: { kind: "primary-nic" } }),
    undefined,
  );
  assert.equal(
    enaNotEnabledReason({ ...base, enableHwtsRan: true, choice: { kind: "primary-nic" } }),
    undefined,
  );
});
