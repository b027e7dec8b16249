import assert from "node:assert/strict";
import {
  conventionalHeadersPackage,
  headersPackageFor,
  parseDnfProvides,
} from "../../plugins/ptp/kernel-headers.ts";

const K612 = "6.12.40-63.114.amzn2023.x86_64";
const PROVIDES_612 = [
  "Last metadata expiration check: 0:03:11 ago on Sat Nov 29 09:50:01 2026.",
  `kernel6.12-devel-${K612} : Development package for building kernel modules to match the kernel`,
  "Repo        : amazonlinux",
  "Matched from:",
  `Filename    : /usr/src/kernels/${K612}`,
  "",
].join("\n");

Deno.test("headersPackageFor takes the package dnf says provides /usr/src/kernels/<kernel>", () => {
  assert.deepEqual(parseDnfProvides(PROVIDES_612), [`kernel6.12-devel-${K612}`]);
  assert.equal(headersPackageFor(K612, PROVIDES_612), `kernel6.12-devel-${K612}`);
});

Deno.test("headersPackageFor falls back to kernel6.12-devel on 6.12 and kernel-devel on 6.1", () => {
  assert.equal(headersPackageFor(K612, ""), `kernel6.12-devel-${K612}`);
  const k61 = "6.1.158-180.294.amzn2023.x86_64";
  assert.equal(headersPackageFor(k61, "Error: No matches found.\n"), `kernel-devel-${k61}`);
  assert.equal(conventionalHeadersPackage("5.15.0-1051-aws"), "kernel-devel-5.15.0-1051-aws");
});
