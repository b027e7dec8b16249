import assert from "node:assert/strict";
import { buildReport } from "../../plugins/report/build.ts";
import { renderConsoleReport } from "../../plugins/report/render-console.ts";
import { renderJunitReport } from "../../plugins/report/render-junit.ts";
import { renderMarkdownReport } from "../../plugins/report/render-markdown.ts";
import { hostFactsOf } from "../../plugins/host/distribution.ts";
import { RUN_ID, sampleTargets } from "./fixtures.ts";
import { findAll, parseXml } from "./xml.ts";

const DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nVERSION_ID="12"\nID=debian\n';
const UNKNOWN = 'PRETTY_NAME="openSUSE Leap 15.6"\nVERSION_ID="15.6"\nID="opensuse-leap"\n';

/** The sample targets, the first on Debian 12 and the last on an unknown distribution. */
function report() {
  const targets = sampleTargets();
  targets[0].facts.host = hostFactsOf(DEBIAN);
  const last = targets[targets.length - 1];
  last.facts.host = hostFactsOf(UNKNOWN);
  last.verdict = "unsupported";
  last.verdictReason = "unsupported: distribution openSUSE Leap 15.6";
  return buildReport({
    runId: RUN_ID,
    pipeline: "ptp",
    targets,
    now: new Date("2026-11-29T10:19:12Z"),
    startedAt: new Date("2026-11-29T10:15:00Z"),
    redact: true,
  });
}

Deno.test("the report model carries each target's distribution and version (null when unread)", () => {
  const r = report();
  assert.deepEqual(r.targets[0].distribution, {
    id: "debian",
    version: "12",
    name: "Debian GNU/Linux 12 (bookworm)",
  });
  assert.equal(r.targets[1].distribution, null);
  assert.equal(r.targets.at(-1)?.verdict, "unsupported");
  assert.equal(r.targets.at(-1)?.verdict_reason, "unsupported: distribution openSUSE Leap 15.6");
});

Deno.test("console and markdown instance tables have a short OS column", () => {
  const r = report();
  const rowOf = (text: string, label: string) =>
    text.split("\n").find((line) => line.includes(label) && line.includes("debian 12"));
  const console = renderConsoleReport(r, { color: false });
  assert.match(console, /\bOS\b/);
  assert.ok(rowOf(console, r.targets[0].instance_id!), console);
  const markdown = renderMarkdownReport(r);
  assert.match(markdown, /\| OS \|/);
  assert.ok(rowOf(markdown, r.targets[0].instance_id!), markdown);
  assert.ok(markdown.includes("opensuse-leap 15.6"));
});

Deno.test("junit gives the distribution as testcase properties and in system-out", () => {
  const cases = findAll(parseXml(renderJunitReport(report())), "testcase");
  const distributionProps = (testcase: (typeof cases)[number]) =>
    Object.fromEntries(
      findAll(testcase, "property").filter((p) => p.attrs.name.startsWith("distribution"))
        .map((p) => [p.attrs.name, p.attrs.value]),
    );
  assert.deepEqual(distributionProps(cases[0]), {
    distribution: "Debian GNU/Linux 12 (bookworm)",
    distribution_id: "debian",
    distribution_version: "12",
  });
  assert.deepEqual(distributionProps(cases[1]), {});
  const out = findAll(cases[0], "system-out")[0].text;
  assert.match(out, /distribution: Debian GNU\/Linux 12 \(bookworm\)/);
});
