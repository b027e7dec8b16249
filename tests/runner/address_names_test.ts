import assert from "node:assert/strict";
import { AddressNames } from "../../runner/address-names.ts";
import { EventBus } from "../../runner/events.ts";

Deno.test("AddressNames numbers addresses in the order first seen, one name per address", () => {
  const names = new AddressNames();
  assert.equal(names.redactText("from 10.9.8.7 to 10.1.2.3"), "from [IPv4-1] to [IPv4-2]");
  assert.deepEqual(names.redact({ a: ["10.1.2.3:22", "fe80::1"] }), {
    a: ["[IPv4-2]:22", "[IPv6-1]"],
  });
  assert.equal(names.redactText("169.254.169.123 stays"), "169.254.169.123 stays");
});

Deno.test("AddressNames goes on with a recorded numbering, which holds no address", () => {
  const first = new AddressNames();
  first.redactText("10.0.0.1 then 10.0.0.2 then fd00::5");
  const recorded = JSON.parse(JSON.stringify(first.recorded));
  // The addresses as written (`fd00` alone could occur in a hex digest by chance).
  assert.doesNotMatch(JSON.stringify(recorded), /10\.0\.0\.[12]|fd00::5/);
  const resumed = new AddressNames({ recorded });
  assert.equal(resumed.redactText("10.0.0.9, 10.0.0.2, fd00::5"), "[IPv4-3], [IPv4-2], [IPv6-1]");
  // Another key: the recorded digests match nothing, numbering starts after them.
  const foreign = new AddressNames({ recorded: { ...recorded, key: "00".repeat(32) } });
  assert.equal(foreign.redactText("10.0.0.1"), "[IPv4-3]");
  // A malformed record is ignored.
  const fresh = new AddressNames({ recorded: { key: "nope", names: { x: "[IPv4-7]" } } });
  assert.equal(fresh.redactText("10.0.0.1"), "[IPv4-1]");
});

Deno.test("EventBus carries one numbering per run, seeded by a resumed run's record", () => {
  const before = new EventBus("r1");
  before.addresses.redactText("198.51.100.10");
  const after = new EventBus("r1", { addressNames: before.addresses.recorded });
  assert.equal(after.addresses.redactText("x 198.51.100.11 198.51.100.10"), "x [IPv4-2] [IPv4-1]");
});
