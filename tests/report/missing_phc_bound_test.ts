import assert from "node:assert/strict";
import { buildReport } from "../../plugins/report/build.ts";
import { clockErrorBoundText, MISSING_FIGURE, qualityLines } from "../../plugins/report/cells.ts";
import { renderConsoleReport } from "../../plugins/report/render-console.ts";
import { renderMarkdownReport } from "../../plugins/report/render-markdown.ts";
import { RUN_ID, sampleTargets } from "./fixtures.ts";

function report(phcBoundKnown: boolean) {
  const r = buildReport({
    runId: RUN_ID,
    pipeline: "ptp",
    targets: sampleTargets(),
    now: new Date("2026-11-29T10:19:12Z"),
    startedAt: new Date("2026-11-29T10:15:00Z"),
    redact: true,
  });
  const functional = r.targets.find((t) => t.quality)!;
  if (!phcBoundKnown) functional.quality!.phc_error_bound_ns = null;
  return r;
}

Deno.test("a clock error bound without the PHC's own bound says so in the console and Markdown", () => {
  const console = renderConsoleReport(report(false), { color: false });
  assert.match(console, /\(excl\. PHC bound\)/);
  assert.match(
    console,
    /1 clock error bound\(s\) marked \(excl\. PHC bound\) exclude the PHC's own/,
  );
  const md = renderMarkdownReport(report(false));
  assert.match(md, /clock error bound: [^\n]* \(excl\. PHC bound\)/);
  assert.match(md, /> 1 clock error bound\(s\) marked/);
});

Deno.test("complete clock error bounds carry no mark", () => {
  assert.doesNotMatch(renderConsoleReport(report(true), { color: false }), /excl\. PHC/);
  assert.doesNotMatch(renderMarkdownReport(report(true)), /excl\. PHC/);
});

Deno.test("a figure chronyc tracking lacked is marked in the quality lines and the bound cell", () => {
  const targets = sampleTargets();
  const q = targets[0].facts.verify!.quality!;
  targets[0].facts.verify!.quality = {
    ...q,
    root_dispersion_seconds: null,
    missing: ["Root dispersion"],
  };
  const report = buildReport({
    runId: RUN_ID,
    pipeline: "ptp",
    targets,
    redact: false,
    now: new Date("2026-11-29T10:19:12Z"),
    startedAt: new Date("2026-11-29T10:15:00Z"),
  });
  const t = report.targets[0];
  assert.ok(clockErrorBoundText(t).endsWith("(excl. root dispersion)"));
  assert.ok(
    qualityLines(t).some((l: string) =>
      l === `root delay: 10 µs, root dispersion: ${MISSING_FIGURE}`
    ),
  );
  assert.ok(!clockErrorBoundText(report.targets[1]).includes("excl. root"));
});
