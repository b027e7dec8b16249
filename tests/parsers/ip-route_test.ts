import assert from "node:assert/strict";
import {
  defaultRoute,
  defaultRouteInterface,
  parseIpRoutes,
  soleLinkInterface,
} from "../../plugins/parsers/ip-route.ts";

Deno.test("defaultRouteInterface reads ens5 from an AL2023 default route", () => {
  const text = "default via 172.31.16.1 dev ens5 proto dhcp src 172.31.20.7 metric 512 \n";
  assert.equal(defaultRouteInterface(text), "ens5");
  assert.deepEqual(defaultRoute(text), {
    destination: "default",
    gateway: "172.31.16.1",
    device: "ens5",
    source: "172.31.20.7",
    metric: 512,
    protocol: "dhcp",
  });
});

Deno.test("defaultRouteInterface picks the lowest metric among several default routes", () => {
  const text = [
    "default via 10.0.0.1 dev ens6 proto dhcp metric 1002",
    "default via 10.0.1.1 dev\tens5 metric 512",
    "10.0.0.0/24 dev ens6 proto kernel scope link src 10.0.0.5",
  ].join("\n");
  assert.equal(defaultRouteInterface(text), "ens5");
  assert.equal(parseIpRoutes(text).length, 3);
});

Deno.test("defaultRouteInterface is null without a default route", () => {
  assert.equal(defaultRouteInterface(""), null);
  assert.equal(defaultRouteInterface("172.31.0.0/20 dev eth0 proto kernel scope link\n"), null);
});

Deno.test("soleLinkInterface names the only interface besides lo, else null", () => {
  const lo = "lo               UNKNOWN        00:00:00:00:00:00 <LOOPBACK,UP,LOWER_UP> \n";
  assert.equal(
    soleLinkInterface(`${lo}eth0             UP             52:54:00:12:34:56 <UP> \n`),
    "eth0",
  );
  assert.equal(
    soleLinkInterface(`${lo}veth0@if7        UP             0a:1b:2c:3d:4e:5f <UP> \n`),
    "veth0",
  );
  assert.equal(soleLinkInterface(`${lo}ens5 UP x <UP>\nens6 UP y <UP>\n`), null);
  assert.equal(soleLinkInterface(lo), null);
});
