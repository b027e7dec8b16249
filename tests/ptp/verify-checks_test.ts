import assert from "node:assert/strict";
import { chronyChecks, recentSamplesAnswered } from "../../plugins/ptp/verify-checks.ts";
import type { CommandResult } from "../../plugins/ssh/types.ts";

const fixture = (name: string) =>
  Deno.readTextFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const result = (command: string, stdout: string): CommandResult => ({
  command,
  stdout,
  stderr: "",
  exitCode: 0,
  durationMs: 1,
});
const SOURCES = fixture("chronyc-sources-phc.txt");
const TRACKING = result("chronyc tracking", fixture("chronyc-tracking-phc.txt"));

Deno.test("chrony checks pass on the real PHC samples (#* PHC0 377, 50484330 stratum 1)", () => {
  const checks = chronyChecks(result("chronyc -n sources", SOURCES), TRACKING);
  assert.deepEqual(checks.map((c) => c.pass), [true, true]);
});

for (const state of ["?", "x", "-", "+", "~"]) {
  Deno.test(`chrony checks do not accept #${state} PHC0 as selected`, () => {
    const sources = SOURCES.replace("#* PHC0", `#${state} PHC0`);
    const [check] = chronyChecks(result("chronyc -n sources", sources), TRACKING);
    assert.equal(check.pass, false);
    assert.match(check.summary ?? "", new RegExp(`not selected \\(state #\\${state}\\)`));
  });
}

for (const reach of ["376", "375", "373", "1"]) {
  Deno.test(`chrony checks fail a selected PHC0 whose recent polls were missed (reach ${reach})`, () => {
    const sources = SOURCES.replace("0   0   377", `0   0   ${reach.padStart(3)}`);
    const [check] = chronyChecks(result("chronyc -n sources", sources), TRACKING);
    assert.equal(check.pass, false);
    assert.match(check.summary ?? "", new RegExp(`selected but reach is ${reach}: .*missed`));
  });
}

for (const reach of ["177", "37", "7", "367", "277"]) {
  Deno.test(`chrony checks accept a selected PHC0 whose last 3 polls answered (reach ${reach})`, () => {
    const sources = SOURCES.replace("0   0   377", `0   0   ${reach.padStart(3)}`);
    const [check] = chronyChecks(result("chronyc -n sources", sources), TRACKING);
    assert.equal(check.pass, true, check.summary);
    assert.match(check.observed, new RegExp(`#\\* PHC0 reach ${reach}$`));
  });
}

Deno.test("recentSamplesAnswered: low 3 bits of the reach register set, never 0", () => {
  assert.deepEqual(
    [0o377, 0o7, 0o17, 0o376, 0o373, 0, 0o370].map(recentSamplesAnswered),
    [true, true, true, false, false, false, false],
  );
});

Deno.test("chrony checks fail tracking on the NTP reference", () => {
  const tracking = result("chronyc tracking", fixture("chronyc-tracking-ntp.txt"));
  const [, check] = chronyChecks(result("chronyc -n sources", SOURCES), tracking);
  assert.equal(check.pass, false);
  assert.match(check.observed, /A9FEA97B \(169\.254\.169\.123\), stratum 4/);
});
