import assert from "node:assert/strict";
import {
  hasParameter,
  isModuleNotFound,
  parseEnaVersion,
  parseModinfo,
  versionAtLeast,
} from "../../plugins/parsers/modinfo.ts";
import { sample } from "./samples.ts";

Deno.test("parseModinfo reads filename and version of the AL2023 6.1.27 ENA module", () => {
  const info = parseModinfo(sample("modinfo-ena-al2023-6.1.27.txt"));
  assert.equal(
    info.filename,
    "/lib/modules/6.1.27-43.48.amzn2023.x86_64/kernel/drivers/amazon/net/ena/ena.ko",
  );
  assert.equal(info.version, "2.8.3g");
  assert.deepEqual(info.fields["license"], ["GPL"]);
  assert.deepEqual(info.fields["description"], ["Elastic Network Adapter (ENA)"]);
  assert.equal(hasParameter(info, "phc_enable"), false);
});

Deno.test("parseModinfo finds the phc_enable parameter line of a PHC-built driver", () => {
  const info = parseModinfo(sample("modinfo-ena-phc-parm.txt"));
  assert.deepEqual(info.parameters, [{ name: "phc_enable", description: "Enable PHC." }]);
  assert.equal(hasParameter(info, "phc_enable"), true);
  assert.equal(info.version, null);
});

Deno.test("parseModinfo tolerates tabs, indentation, typed parameters and signature lines", () => {
  const text = [
    "filename:\t/lib/modules/6.18.0/updates/ena.ko",
    "  version:\t\t2.17.2g",
    "parm:           rx_queue_size:Rx queue size. (int)",
    "parm:\tphc_enable:Enable PHC (ENA_PHC_INCLUDE) (int)",
    "parm:           enable_bql:(int)",
    "sig_key:        AA:BB",
    "signature:      30:82:02:",
    "\t\tCC:DD:EE",
    "",
  ].join("\n");
  const info = parseModinfo(text);
  assert.equal(info.version, "2.17.2g");
  assert.equal(info.filename, "/lib/modules/6.18.0/updates/ena.ko");
  assert.deepEqual(info.parameters.map((p) => [p.name, p.type]), [
    ["rx_queue_size", "int"],
    ["phc_enable", "int"],
    ["enable_bql", "int"],
  ]);
  assert.equal(info.parameters[1].description, "Enable PHC (ENA_PHC_INCLUDE)");
  assert.deepEqual(info.fields["signature"], ["30:82:02:CC:DD:EE"]);
  assert.equal(hasParameter(info, "phc_enable"), true);
});

Deno.test("parseModinfo gives a null version for an upstream kernel without a version line", () => {
  const text = [
    "filename:       /lib/modules/6.17.0-5-generic/kernel/drivers/net/ethernet/amazon/ena/ena.ko.zst",
    "license:        GPL",
    "description:    Elastic Network Adapter (ENA)",
    "author:         Amazon.com, Inc. or its affiliates",
    "parm:           debug:Debug level (0=none,...,16=all) (int)",
  ].join("\n");
  const info = parseModinfo(text);
  assert.equal(info.version, null);
  assert.equal(hasParameter(info, "phc_enable"), false);
  assert.equal(hasParameter(info, "debug"), true);
});

Deno.test("enable_phc is not the phc_enable module parameter", () => {
  const info = parseModinfo("parm:           enable_phc:Enable PHC (int)\n");
  assert.equal(hasParameter(info, "phc_enable"), false);
});

Deno.test("parseModinfo of `modinfo -F version` output and of empty output", () => {
  assert.equal(parseModinfo("").version, null);
  assert.deepEqual(parseModinfo("").parameters, []);
});

Deno.test("isModuleNotFound recognises modinfo's missing-module error", () => {
  assert.equal(isModuleNotFound("modinfo: ERROR: Module ena not found.\n"), true);
  assert.equal(isModuleNotFound(sample("modinfo-ena-al2023-6.1.27.txt")), false);
});

Deno.test("parseEnaVersion splits amzn-drivers, in-tree and plain versions", () => {
  assert.deepEqual(parseEnaVersion("2.10.0g"), { major: 2, minor: 10, patch: 0, suffix: "g" });
  assert.deepEqual(parseEnaVersion("1.5.0K"), { major: 1, minor: 5, patch: 0, suffix: "K" });
  assert.deepEqual(parseEnaVersion(" 2.8.3\n"), { major: 2, minor: 8, patch: 3, suffix: "" });
  assert.deepEqual(parseEnaVersion("v2.13.2g"), { major: 2, minor: 13, patch: 2, suffix: "g" });
  assert.deepEqual(parseEnaVersion("2.16"), { major: 2, minor: 16, patch: 0, suffix: "" });
  assert.equal(parseEnaVersion(""), null);
  assert.equal(parseEnaVersion(null), null);
  assert.equal(parseEnaVersion("unknown"), null);
});

Deno.test("versionAtLeast compares numerically, not as text, and ignores the suffix", () => {
  assert.equal(versionAtLeast("2.10.0g", "2.10.0"), true);
  assert.equal(versionAtLeast("2.9.1g", "2.10.0"), false);
  assert.equal(versionAtLeast("2.8.3g", "2.10.0"), false);
  assert.equal(versionAtLeast("2.16.1g", "2.10.0"), true);
  assert.equal(versionAtLeast("1.5.0K", "2.10.0"), false);
  assert.equal(versionAtLeast("3.0.0", "2.10.0"), true);
  assert.equal(versionAtLeast("2.10.1", "2.10.2"), false);
  assert.equal(versionAtLeast(parseEnaVersion("2.17.2g"), "2.10.0"), true);
  assert.equal(versionAtLeast(null, "2.10.0"), null);
  assert.equal(versionAtLeast("garbage", "2.10.0"), null);
});
