import assert from "node:assert/strict";
import { SAMPLES_DIR, SHARED_SAMPLES_DIR } from "./samples.ts";

function names(dir: URL): string[] {
  return [...Deno.readDirSync(dir)].filter((e) => e.isFile).map((e) => e.name).sort();
}

/** Sample file -> the parser test that reads it. */
const COVERED_BY: Record<string, string> = {
  "chronyc-sources-ntp-only.txt": "chronyc_test.ts",
  "chronyc-sources-phc.txt": "chronyc_test.ts",
  "chronyc-tracking-ntp.txt": "chronyc_test.ts",
  "chronyc-tracking-phc.txt": "chronyc_test.ts",
  "chronyd-invalid-refclock.log": "chronyd-log_test.ts",
  "ethtool-T-ens5-phc.txt": "ethtool_test.ts",
  "ethtool-T-eth0-no-phc.txt": "ethtool_test.ts",
  "ethtool-i-ens5.txt": "ethtool_test.ts",
  "ls-dev-ptp-kvm-and-ena.txt": "ptp-devices_test.ts",
  "modinfo-ena-al2023-6.1.27.txt": "modinfo_test.ts",
  "modinfo-ena-phc-parm.txt": "modinfo_test.ts",
};

Deno.test("every copied sample file is read by a parser test", () => {
  for (const name of names(SAMPLES_DIR).filter((n) => n !== "SOURCES.md")) {
    const test = COVERED_BY[name];
    assert.ok(test, `sample ${name} has no parser test`);
    const source = Deno.readTextFileSync(new URL(test, import.meta.url));
    assert.ok(source.includes(`"${name}"`), `${test} does not read ${name}`);
  }
});

let shared: string[] | null = null;
try {
  shared = names(SHARED_SAMPLES_DIR);
} catch {
  shared = null;
}

Deno.test({
  name: "the copied samples equal shared/samples (when shared/ is beside the repo)",
  ignore: shared === null,
  fn() {
    assert.deepEqual(names(SAMPLES_DIR), shared);
    for (const name of shared!) {
      assert.equal(
        Deno.readTextFileSync(new URL(name, SAMPLES_DIR)),
        Deno.readTextFileSync(new URL(name, SHARED_SAMPLES_DIR)),
        `tests/fixtures/samples/${name} differs from shared/samples/${name}`,
      );
    }
  },
});
