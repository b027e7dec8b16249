import assert from "node:assert/strict";
import {
  parseChronycSources,
  parseChronycSourcestats,
  parseChronycTracking,
  selectedSource,
} from "../../plugins/parsers/chronyc.ts";
import { sample } from "./samples.ts";

function near(actual: number | null | undefined, expected: number, label = "") {
  assert.ok(actual !== null && actual !== undefined, `${label} is null`);
  assert.ok(Math.abs(actual - expected) < 1e-12, `${label}: ${actual} != ${expected}`);
}

Deno.test("parseChronycSources reads the selected PHC0 and the combined-out NTP server", () => {
  const sources = parseChronycSources(sample("chronyc-sources-phc.txt"));
  assert.equal(sources.length, 2);
  const [phc, ntp] = sources;
  assert.deepEqual(
    [phc.mode, phc.state, phc.name, phc.stratum, phc.poll, phc.reach, phc.reachOctal, phc.lastRx],
    ["#", "*", "PHC0", 0, 0, 255, "377", 0],
  );
  near(phc.lastSample?.offsetSeconds, 184e-9, "offset");
  near(phc.lastSample?.measuredOffsetSeconds, 198e-9, "measured");
  near(phc.lastSample?.errorSeconds, 5032e-9, "error");
  assert.deepEqual([ntp.mode, ntp.state, ntp.name, ntp.stratum, ntp.poll, ntp.lastRx], [
    "^",
    "-",
    "169.254.169.123",
    1,
    4,
    8,
  ]);
  near(ntp.lastSample?.offsetSeconds, -18e-6, "ntp offset");
  near(ntp.lastSample?.errorSeconds, 115e-6, "ntp error");
  assert.equal(selectedSource(sources)?.name, "PHC0");
});

Deno.test("parseChronycSources reads the NTP-only table with the server selected", () => {
  const sources = parseChronycSources(sample("chronyc-sources-ntp-only.txt"));
  assert.equal(sources.length, 1);
  assert.equal(sources[0].state, "*");
  assert.equal(sources[0].mode, "^");
  near(sources[0].lastSample?.offsetSeconds, 3477e-9);
  near(sources[0].lastSample?.measuredOffsetSeconds, 4689e-9);
  near(sources[0].lastSample?.errorSeconds, 91e-6);
});

Deno.test("parseChronycSources reads other state characters and the -v legend", () => {
  const text = [
    "",
    "  .-- Source mode  '^' = server, '=' = peer, '#' = local clock.",
    " / .- Source state '*' = current best, '+' = combined, '-' = not combined,",
    "| /             'x' = may be in error, '~' = too variable, '?' = unusable.",
    "||                                                 .- xxxx [ yyyy ] +/- zzzz",
    "||      Reachability register (octal) -.           |  xxxx = adjusted offset,",
    "||      Log2(Polling interval) --.      |          |  yyyy = measured offset,",
    "||                                \\     |          |  zzzz = estimated error.",
    "||                                 |    |           \\",
    "MS Name/IP address         Stratum Poll Reach LastRx Last sample               ",
    "===============================================================================",
    "#? PHC0                          0   0     3     0   +1.2ms[ +1.2ms] +/-   12ms",
    "#x PHC1                          0   0    17    12m    -3s[   -3s] +/-  400ms",
    "#- PHC2                          0   0   377     2h   +0ns[   +0ns] +/-    0ns",
    "^+ 169.254.169.123               1   4   377     -     +12us[  +14us] +/-  100us",
    "=~ peer.example                  2   6     1     3d   -45us[  -40us] +/-   1ms",
  ].join("\n");
  const sources = parseChronycSources(text);
  assert.deepEqual(sources.map((s) => s.mode + s.state + s.name), [
    "#?PHC0",
    "#xPHC1",
    "#-PHC2",
    "^+169.254.169.123",
    "=~peer.example",
  ]);
  assert.deepEqual(sources.map((s) => s.reach), [3, 15, 255, 255, 1]);
  assert.deepEqual(sources.map((s) => s.lastRx), [0, 720, 7200, null, 259200]);
  near(sources[0].lastSample?.offsetSeconds, 1.2e-3);
  near(sources[1].lastSample?.offsetSeconds, -3);
  assert.equal(selectedSource(sources), null);
});

Deno.test("parseChronycSources tolerates tabs, indentation and the old `210 Number` line", () => {
  const text = "210 Number of sources = 1\n  #*\tPHC0\t0\t0\t377\t1\t-5ns[-6ns] +/- 20ns\n";
  const [s] = parseChronycSources(text);
  assert.equal(s.name, "PHC0");
  assert.equal(s.state, "*");
  assert.equal(s.reach, 255);
  near(s.lastSample?.offsetSeconds, -5e-9);
});

Deno.test("parseChronycSources reads `chronyc -c sources` CSV", () => {
  const text = [
    "#,*,PHC0,0,0,377,0,0.000000184,0.000000198,0.000005032",
    "^,-,169.254.169.123,1,4,377,8,-0.000018000,-0.000018000,0.000115000",
    "#,?,PHC1,0,0,0,4294967295,0.000000000,0.000000000,0.000000000",
  ].join("\n");
  const sources = parseChronycSources(text);
  assert.deepEqual(sources.map((s) => [s.mode, s.state, s.name, s.reach, s.lastRx]), [
    ["#", "*", "PHC0", 255, 0],
    ["^", "-", "169.254.169.123", 255, 8],
    ["#", "?", "PHC1", 0, null],
  ]);
  near(sources[0].lastSample?.offsetSeconds, 184e-9);
  near(sources[1].lastSample?.errorSeconds, 115e-6);
});

Deno.test("parseChronycSources of an error message gives no sources", () => {
  assert.deepEqual(parseChronycSources("506 Cannot talk to daemon\n"), []);
});

Deno.test("parseChronycTracking reads PHC0 as reference with signed quality figures", () => {
  const t = parseChronycTracking(sample("chronyc-tracking-phc.txt"));
  assert.equal(t.referenceId, "50484330");
  assert.equal(t.referenceName, "PHC0");
  assert.equal(t.stratum, 1);
  assert.equal(t.refTime, "Wed Nov 15 18:24:30 2023");
  near(t.systemTimeOffsetSeconds, 0.000000014, "system time (fast = +)");
  near(t.lastOffsetSeconds, 0, "last offset");
  near(t.rmsOffsetSeconds, 0.00000006, "rms");
  near(t.frequencyPpm, 6.614, "frequency (fast = +)");
  near(t.residualFrequencyPpm, 0, "residual");
  near(t.skewPpm, 0.019, "skew");
  near(t.rootDelaySeconds, 0.00001, "root delay");
  near(t.rootDispersionSeconds, 0.000001311, "root dispersion");
  near(t.updateIntervalSeconds, 1, "update interval");
  assert.equal(t.leapStatus, "Normal");
});

Deno.test("parseChronycTracking gives a negative frequency for `ppm slow` (NTP sample)", () => {
  const t = parseChronycTracking(sample("chronyc-tracking-ntp.txt"));
  assert.equal(t.referenceId, "A9FEA97B");
  assert.equal(t.referenceName, "169.254.169.123");
  assert.equal(t.stratum, 4);
  near(t.systemTimeOffsetSeconds, 0.000002191, "fast");
  near(t.frequencyPpm, -3.71, "slow");
  near(t.lastOffsetSeconds, 0.000002164);
  near(t.residualFrequencyPpm, 0.002);
  near(t.updateIntervalSeconds, 16.1);
});

Deno.test("parseChronycTracking: `seconds slow` is negative; missing lines give null", () => {
  const t = parseChronycTracking(
    "Reference ID\t: 50484330 (PHC0)\nSystem time     : 0.000000420 seconds slow of NTP time\n",
  );
  assert.equal(t.referenceName, "PHC0");
  near(t.systemTimeOffsetSeconds, -0.00000042);
  assert.equal(t.stratum, null);
  assert.equal(t.rootDelaySeconds, null);
  assert.equal(t.leapStatus, null);
});

Deno.test("parseChronycTracking reads `chronyc -c tracking` CSV with chrony's CSV signs", () => {
  // CSV: system time positive = slow; frequency positive = fast (chrony client.c).
  const t = parseChronycTracking(
    "50484330,PHC0,1,1700072670.123456789,-0.000000014,0.000000000,0.000000060,6.614,0.000,0.019,0.000010000,0.000001311,1.0,Normal\n",
  );
  assert.equal(t.referenceId, "50484330");
  assert.equal(t.referenceName, "PHC0");
  assert.equal(t.stratum, 1);
  near(t.systemTimeOffsetSeconds, 0.000000014, "fast");
  near(t.frequencyPpm, 6.614);
  near(t.rootDispersionSeconds, 0.000001311);
  assert.equal(t.leapStatus, "Normal");
});

Deno.test("parseChronycSourcestats reads rows without a state prefix, table and CSV", () => {
  const table = [
    "Name/IP Address            NP  NR  Span  Frequency  Freq Skew  Offset  Std Dev",
    "==============================================================================",
    "PHC0                        6   3     5     +0.004      0.031     -1ns    12ns",
    "169.254.169.123            22  12   21m     -0.001      0.003  +4677ns  9716ns",
  ].join("\n");
  const rows = parseChronycSourcestats(table);
  assert.deepEqual(rows.map((r) => [r.name, r.samples, r.runs, r.spanSeconds]), [
    ["PHC0", 6, 3, 5],
    ["169.254.169.123", 22, 12, 1260],
  ]);
  near(rows[1].frequencyPpm, -0.001);
  near(rows[1].offsetSeconds, 4677e-9);
  near(rows[1].stdDevSeconds, 9716e-9);
  const csv = parseChronycSourcestats("PHC0,6,3,5,0.004,0.031,-0.000000001,0.000000012\n");
  assert.equal(csv[0].name, "PHC0");
  near(csv[0].offsetSeconds, -1e-9);
});
