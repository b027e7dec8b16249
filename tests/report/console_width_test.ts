import assert from "node:assert/strict";
import { buildReport } from "../../plugins/report/build.ts";
import { renderConsoleReport } from "../../plugins/report/render-console.ts";
import { visibleLength } from "../../plugins/report/table.ts";
import { RUN_ID, sampleCleanup, sampleTargets } from "./fixtures.ts";

const report = () =>
  buildReport({
    runId: RUN_ID,
    pipeline: "ptp",
    targets: sampleTargets(),
    now: new Date("2026-11-29T10:19:12Z"),
    startedAt: new Date("2026-11-29T10:15:00Z"),
    redact: true,
    cleanup: sampleCleanup(),
  });

/** Lines of the console report's tables: those followed or preceded by a dashed rule. */
function tableLines(text: string): string[] {
  const lines = text.split("\n");
  const out: string[] = [];
  let inTable = false;
  for (const [i, line] of lines.entries()) {
    if (lines[i + 1]?.startsWith("---")) inTable = true;
    if (line === "") inTable = false;
    if (inTable) out.push(line);
  }
  return out;
}

for (const width of [80, 140]) {
  Deno.test(`console report tables fit ${width} columns, dropping low-priority columns`, () => {
    const text = renderConsoleReport(report(), { color: true, width });
    const lines = tableLines(text);
    assert.ok(lines.length > 10, text);
    for (const line of lines) {
      assert.ok(visibleLength(line) < width, `${visibleLength(line)}: ${line}`);
    }
    assert.match(text, /instance type .*instance .*verdict/);
    assert.match(text, /not shown at this width: placement group/);
  });
}

Deno.test("without a width the console report keeps every column", () => {
  const text = renderConsoleReport(report(), { color: false });
  assert.match(text, /placement group/);
  assert.doesNotMatch(text, /not shown at this width/);
  assert.ok(tableLines(text).some((line) => line.length >= 140));
});
