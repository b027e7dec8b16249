import assert from "node:assert/strict";
import { primaryInterfaceFrom } from "../../plugins/ptp/primary-interface.ts";
import { interfaceOf } from "../../plugins/ptp/ena-facts.ts";

const ROUTE = "default via 172.31.16.1 dev ens5 proto dhcp src 172.31.20.7 metric 512 \n";
const ONE_LINK = "lo               UNKNOWN        00:00:00:00:00:00 <LOOPBACK,UP,LOWER_UP> \n" +
  "eth0             UP             52:54:00:12:34:56 <BROADCAST,MULTICAST,UP,LOWER_UP> \n";
const TWO_LINKS = ONE_LINK + "eth1             UP             52:54:00:12:34:57 <UP> \n";

Deno.test("primaryInterfaceFrom: the default route's interface first, else the only link", () => {
  assert.equal(primaryInterfaceFrom(ROUTE, ONE_LINK), "ens5");
  assert.equal(primaryInterfaceFrom("", ONE_LINK), "eth0");
  assert.equal(primaryInterfaceFrom(null, ONE_LINK), "eth0");
  assert.equal(primaryInterfaceFrom("", TWO_LINKS), null);
  assert.equal(primaryInterfaceFrom("", null), null);
});

Deno.test("ena-check's interfaceOf follows the same rule as primaryInterfaceFrom", () => {
  const r = (output: string) => ({ output, exitCode: 0 });
  assert.equal(interfaceOf({ route: r(""), links: r(ONE_LINK) }), "eth0");
  assert.equal(interfaceOf({ route: r(ROUTE), links: r(ONE_LINK) }), "ens5");
  assert.equal(interfaceOf({ route: r(""), links: r(TWO_LINKS) }), null);
});
