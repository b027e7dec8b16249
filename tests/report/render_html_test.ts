/**
 * plugins/report/render-html.ts: the page is self-contained, escapes every
 * text from the report and charts the samples per instance type.
 */
import assert from "node:assert/strict";
import { buildReport } from "../../plugins/report/build.ts";
import { comparisonRows, renderHtmlReport } from "../../plugins/report/render-html.ts";
import { RUN_ID, sampleTargets } from "./fixtures.ts";
import type { ClockSample } from "../../plugins/ptp/facts.ts";

function sample(t: number, boundNs: number, ref: string | null = "PHC0"): ClockSample {
  return {
    t_seconds: t,
    reference_name: ref,
    system_time_offset_seconds: 1e-8,
    rms_offset_seconds: 5e-8,
    frequency_ppm: 6.6,
    clock_error_bound_ns: boundNs,
  };
}

function report() {
  const targets = sampleTargets();
  targets[0].label = `<img src=x onerror=alert(1)> c7i`;
  targets[0].facts.verify!.samples = [
    sample(0, 1.5e9, null),
    sample(2, 38400),
    sample(4, 38500),
    sample(6, 38450),
  ];
  targets[1].facts.verify!.samples = [sample(0, 39000), sample(2, 39100)];
  return buildReport({
    runId: RUN_ID,
    pipeline: "ptp",
    targets,
    now: new Date("2026-11-29T10:19:12Z"),
    startedAt: new Date("2026-11-29T10:15:00Z"),
    redact: true,
  });
}

Deno.test("report.html escapes host-given text and loads nothing", () => {
  const html = renderHtmlReport(report());
  assert.ok(!html.includes("<img"));
  assert.ok(html.includes("&lt;img src=x onerror=alert(1)&gt; c7i"));
  assert.ok(!/<script|<link|url\(|src=/i.test(html.replace(/&lt;img src=x/g, "")));
});

Deno.test("report.html: charts per instance type and a comparison of types", () => {
  const r = report();
  const html = renderHtmlReport(r);
  // c7i.large has samples: a bound chart and an offset chart, one series per target.
  assert.equal((html.match(/class="series"/g) ?? []).length, 4);
  assert.ok(html.includes("c7i.large: clock error bound"));
  assert.ok(html.includes("Recap") === (r.recap !== null));
  // The unsynchronised sample (no reference) is left out of the spread.
  const c7i = comparisonRows(r).find((row) => row.name === "c7i.large")!;
  assert.deepEqual([c7i.count, c7i.min, c7i.max], [5, 38400, 39100]);
});
