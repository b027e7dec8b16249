import assert from "node:assert/strict";
import { buildReport } from "../../plugins/report/build.ts";
import { renderConsoleReport } from "../../plugins/report/render-console.ts";
import { RUN_ID, sampleCleanup, sampleTargets } from "./fixtures.ts";

const report = (cleanup = false, simulated = false) =>
  buildReport({
    runId: RUN_ID,
    pipeline: "ptp",
    targets: sampleTargets(),
    now: new Date("2026-11-29T10:19:12Z"),
    startedAt: new Date("2026-11-29T10:15:00Z"),
    redact: false,
    cleanup: cleanup ? { ...sampleCleanup(), ...(simulated ? { simulated } : {}) } : null,
  });

const lineOf = (text: string, start: string) =>
  text.split("\n").find((l) => l.startsWith(start)) ?? "";

Deno.test("console summary table has one row per instance type plus a total", () => {
  const text = renderConsoleReport(report(), { color: false });
  assert.deepEqual(lineOf(text, "c7i.large  ").split(/\s+/).slice(0, 8), [
    "c7i.large",
    "2",
    "2",
    "0",
    "0",
    "0",
    "0",
    "0",
  ]);
  assert.deepEqual(lineOf(text, "total").split(/\s+/), [
    "total",
    "6",
    "3",
    "1",
    "1",
    "1",
    "0",
    "0",
    "0",
  ]);
});

Deno.test("console instance rows show n of m, id, driver, PHC device, verdict and human units", () => {
  const text = renderConsoleReport(report(), { color: false });
  const row = text.split("\n").find((l) => l.includes("i-0aaa0000000000001"))!;
  for (
    const part of ["1 of 2", "x86_64", "ptp-runner-pg", "2.16.1g", "/dev/ptp_ena", "functional"]
  ) {
    assert.ok(row.includes(part), `row lacks ${part}: ${row}`);
  }
  assert.match(row, /\+12 ns \(fast\)\s+38\.2 µs$/);
  const host = text.split("\n").find((l) =>
    l.startsWith("(existing host)") && l.includes("10.1.2.3")
  );
  assert.ok(host, "existing host row identified by its address");
});

Deno.test("console columns are aligned to the widest cell", () => {
  const text = renderConsoleReport(report(), { color: false });
  const lines = text.split("\n");
  const header = lines.findIndex((l) => l.startsWith("instance type    n of m"));
  const verdictCol = lines[header].indexOf("verdict");
  for (const l of lines.slice(header + 2, header + 8)) {
    assert.match(l.slice(verdictCol), /^(functional|unsupported|misconfigured|error) /);
  }
});

Deno.test("console diagnostics list only non-functional targets with layer, command and output", () => {
  const text = renderConsoleReport(report(), { color: false });
  const diag = text.slice(text.indexOf("Diagnostics"), text.indexOf("Clock statistics"));
  assert.ok(diag.includes("[chrony] PHC0 present but not selected"));
  assert.ok(diag.includes("$ chronyc -n sources"));
  assert.ok(diag.includes("| #? PHC0"));
  assert.ok(diag.includes("failure in step ena-build (ena-build), kind command"));
  assert.ok(diag.includes("m6i.large 1 of 1  not launched  unsupported"));
  assert.ok(!diag.includes("c7i.large 1 of 2"), "functional target listed in diagnostics");
});

Deno.test("console long outputs are cut to the last lines with a note", () => {
  const r = report();
  r.targets[3].diagnostics[0].output = Array.from({ length: 50 }, (_, i) => `line ${i}`).join("\n");
  const text = renderConsoleReport(r, { color: false, maxOutputLines: 5 });
  assert.ok(text.includes("45 earlier line(s) omitted"));
  assert.ok(text.includes("| line 49") && !text.includes("| line 44"));
});

Deno.test("console statistics and wall time are printed", () => {
  const text = renderConsoleReport(report(), { color: false });
  assert.match(lineOf(text, "overall"), /^overall\s+3\s+27\.5 µs \/ 38\.2 µs \/ 46\.1 µs/);
  assert.ok(text.includes("Wall time: 4m 12s"));
});

Deno.test("console has no ANSI codes without colour and colours verdicts with it", () => {
  assert.ok(!renderConsoleReport(report(), { color: false }).includes("\x1b["));
  assert.ok(renderConsoleReport(report(), { color: true }).includes("\x1b[32mfunctional\x1b[39m"));
});

Deno.test("console cleanup section lists terminated, kept with a command, and failures", () => {
  const text = renderConsoleReport(report(true), { color: false });
  const section = text.slice(text.indexOf("\nCleanup"));
  assert.ok(section.includes("terminated:\n    i-0aaa0000000000001"));
  assert.ok(
    section.includes(
      "to terminate: aws ec2 terminate-instances --region us-east-1 --instance-ids i-0aaa0000000000002",
    ),
  );
  assert.ok(section.includes("could not clean"));
  assert.ok(section.includes("aws ec2 delete-placement-group --region us-east-1"));
});

Deno.test("console cleanup section of a simulated run lists kept instances as gone, with no AWS command", () => {
  const text = renderConsoleReport(report(true, true), { color: false });
  const section = text.slice(text.indexOf("\nCleanup"));
  assert.match(
    section,
    /kept \(simulated: gone with the simulator when this run ends; nothing to terminate\):\n {4}i-0aaa0000000000002 /,
  );
  assert.doesNotMatch(section, /to terminate: aws ec2 terminate-instances/);
  assert.doesNotMatch(section, /billed until terminated/);
});
