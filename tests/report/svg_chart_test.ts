/**
 * plugins/report/svg-chart.ts: escaping, path data with gaps, ticks, tick
 * labels that differ, and the charts' drawn elements.
 */
import assert from "node:assert/strict";
import {
  escapeXml,
  lineChart,
  nanosecondTickLabels,
  niceTicks,
  pathData,
  rangeChart,
} from "../../plugins/report/svg-chart.ts";

Deno.test("escapeXml escapes markup and quotes", () => {
  assert.equal(escapeXml(`<a href="x">&'</a>`), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
});

Deno.test("pathData starts a new subpath after a gap", () => {
  assert.equal(
    pathData([{ x: 0, y: 1 }, { x: 1, y: 2 }, { x: 2, y: null }, { x: 3, y: 4 }]),
    "M0 1 L1 2 M3 4",
  );
  assert.equal(pathData([{ x: 0, y: null }]), "");
});

Deno.test("niceTicks covers the range with round steps", () => {
  const ticks = niceTicks(38403, 38487, 5);
  assert.ok(ticks[0] <= 38403 && ticks[ticks.length - 1] >= 38487);
  const steps = new Set(ticks.slice(1).map((t, i) => Math.round(t - ticks[i])));
  assert.deepEqual([...steps], [20]);
  assert.deepEqual(niceTicks(5, 5, 4).length > 1, true);
});

Deno.test("nanosecondTickLabels: one unit, enough decimals for neighbours to differ", () => {
  const labels = nanosecondTickLabels([38400, 38420, 38440]);
  assert.deepEqual(labels, ["38.40 µs", "38.42 µs", "38.44 µs"]);
  assert.deepEqual(nanosecondTickLabels([-10, 0, 10], true), ["-10 ns", "0 ns", "+10 ns"]);
});

Deno.test("lineChart draws a path per series and escapes names", () => {
  const svg = lineChart([
    { name: "<b>host</b>", points: [{ x: 0, y: 1 }, { x: 2, y: 3 }, { x: 4, y: 2 }] },
    { name: "empty", points: [{ x: 0, y: null }] },
  ], { title: "t & t", xLabel: "s", yTickLabels: (t) => t.map(String) });
  assert.equal((svg.match(/class="series"/g) ?? []).length, 1);
  assert.match(svg, /<path d="M[\d.]+ [\d.]+ L[\d.]+ [\d.]+ L/);
  assert.ok(!svg.includes("<b>"));
  assert.ok(svg.includes("&lt;b&gt;host&lt;/b&gt;"));
  assert.ok(svg.includes("t &amp; t"));
  assert.match(lineChart([], { title: "x", xLabel: "s", yTickLabels: () => [] }), /no samples/);
});

Deno.test("rangeChart draws whisker, box and median per row", () => {
  const svg = rangeChart([
    { name: "c7i.large", min: 1, q1: 2, median: 3, q3: 4, max: 5, count: 9 },
    { name: "r7g.large", min: 2, q1: 3, median: 4, q3: 5, max: 8, count: 4 },
  ], { title: "cmp", formatValue: String, tickLabels: (t) => t.map(String) });
  assert.equal((svg.match(/class="whisker"/g) ?? []).length, 2);
  assert.equal((svg.match(/class="median"/g) ?? []).length, 2);
  assert.equal((svg.match(/<rect /g) ?? []).length, 2);
  assert.ok(svg.includes("median 4 (n=4)"));
});
