import assert from "node:assert/strict";
import { buildReport } from "../../plugins/report/build.ts";
import { renderConsoleReport } from "../../plugins/report/render-console.ts";
import { renderMarkdownReport } from "../../plugins/report/render-markdown.ts";
import type { Target } from "../../runner/types.ts";
import { RUN_ID, sampleTargets } from "./fixtures.ts";

/** A check-mode report of `targets`, none with a change. */
const checkModeReport = (targets: Target[]) =>
  buildReport({
    runId: RUN_ID,
    pipeline: "ptp",
    targets: targets.map((t) => ({ ...t, facts: { ...t.facts, changes: [] } })),
    now: new Date("2026-11-29T10:19:12Z"),
    startedAt: new Date("2026-11-29T10:15:00Z"),
    redact: true,
    checkMode: true,
  });

Deno.test("--dry-run with no target: the changes section says no host step ran, not just none", () => {
  const report = checkModeReport([]);
  const md = renderMarkdownReport(report);
  assert.match(
    md,
    /## Changes that would be made \(check mode, --dry-run\)\n\nNone planned: no host step ran \(no targets: a dry run launches nothing\), so no host change was checked\./,
  );
  const text = renderConsoleReport(report, { color: false });
  assert.match(
    text,
    /Changes that would be made \(--dry-run\)\n {2}\(none planned: no host step ran/,
  );
});

Deno.test("--dry-run whose host steps ran and found nothing to change says so", () => {
  const targets = sampleTargets().slice(0, 1);
  targets[0].outputs = { "configure-chrony": { changed: false } };
  const report = checkModeReport(targets);
  assert.match(
    renderMarkdownReport(report),
    /None: the host steps ran and found nothing to change\./,
  );
  assert.doesNotMatch(renderMarkdownReport(report), /no host step ran/);
});
