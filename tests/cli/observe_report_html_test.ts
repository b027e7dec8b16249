/**
 * `verify`'s `observe` input through the CLI against the simulator: the
 * samples reach report.json and report.md (the same series), and report.html
 * draws its charts in headless Chromium (Debian's `chromium`; skipped with a
 * notice where it is missing).
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "./cli-helper.ts";
import { summarizePng } from "../helpers/png.ts";
import { ReportSchema } from "../../plugins/report/model.ts";

/** Path of Debian's chromium, or null. */
function chromiumPath(): string | null {
  for (const p of ["/usr/bin/chromium", "/usr/bin/chromium-browser"]) {
    try {
      if (Deno.statSync(p).isFile) return p;
    } catch { /* not here */ }
  }
  return null;
}

/** Runs headless chromium offline on `url` with `extra` arguments; returns stdout. */
async function chromium(binary: string, url: string, extra: string[]): Promise<string> {
  const profile = await Deno.makeTempDir({ prefix: "ptp-chromium-" });
  try {
    const out = await new Deno.Command(binary, {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        `--user-data-dir=${profile}`,
        "--window-size=1200,2000",
        ...extra,
        url,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert(out.success, new TextDecoder().decode(out.stderr).slice(-2000));
    return new TextDecoder().decode(out.stdout);
  } finally {
    await Deno.remove(profile, { recursive: true });
  }
}

Deno.test("observe: verify keeps sampling; report.json, report.md and report.html carry the series", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "ptp-observe-" });
  try {
    const run = await runCli([
      "run",
      "pipelines/ptp.yaml",
      "--simulate",
      "--yes",
      "--speed",
      "200",
      "--set",
      "instance_types=c7i.large:2,r7g.large,t3.micro",
      "--set",
      "observe=40s",
      "--report-dir",
      dir,
    ]);
    assert.equal(run.code, 0, run.stderr.slice(-3000));
    const report = ReportSchema.parse(
      JSON.parse(await Deno.readTextFile(join(dir, "report.json"))),
    );
    const functional = report.targets.filter((x) => x.verdict === "functional");
    assert.equal(functional.length, 3);

    await t.step("report.json: samples over the observe time, one per poll", () => {
      for (const target of functional) {
        const s = target.samples;
        // The window selects quickly in the simulator; observe adds a poll every 2 s (plus the round trip) for 40 s.
        assert.ok(s.length > 4, `${target.label}: ${s.length} samples`);
        assert(s[s.length - 1].t_seconds >= 38, `${target.label}: ${s[s.length - 1].t_seconds}`);
        assert(s.every((x, i) => i === 0 || x.t_seconds >= s[i - 1].t_seconds));
        assert(s.some((x) => x.reference_name === "PHC0" && x.clock_error_bound_ns !== null));
      }
      const unsupported = report.targets.find((x) => x.verdict === "unsupported")!;
      assert.deepEqual(unsupported.samples, []);
    });

    await t.step("report.md: the same series as a table per target", async () => {
      const md = await Deno.readTextFile(join(dir, "report.md"));
      assert(md.includes("## Clock samples over time"));
      const rows = md.split("\n").filter((l) => /^\| [\d.]+ \| PHC0 \|/.test(l)).length;
      const phcSamples = functional.flatMap((x) => x.samples)
        .filter((x) => x.reference_name === "PHC0").length;
      assert.equal(rows, phcSamples);
    });

    const html = join(dir, "report.html");
    const text = await Deno.readTextFile(html);
    await t.step("report.html is self-contained", () => {
      assert(!/<script|<link|@import|url\(|src=/i.test(text), "no scripts or external resources");
      assert(!/https?:\/\/(?!www\.w3\.org\/2000\/svg)/.test(text), "no network addresses");
    });

    const binary = chromiumPath();
    if (!binary) {
      console.warn(
        "NOTICE: chromium not installed (apt-get install chromium); skipping the browser render",
      );
      return;
    }
    await t.step("report.html draws its charts in headless Chromium", async () => {
      const dom = await chromium(binary, `file://${html}`, ["--dump-dom"]);
      const svgs = dom.match(/<svg[\s>]/g) ?? [];
      // One comparison chart plus two charts per instance type with samples (c7i.large, r7g.large).
      assert(svgs.length >= 5, `${svgs.length} svg elements`);
      const series = [...dom.matchAll(/<path d="(M[^"]+)"[^>]*class="series"/g)].map((m) => m[1]);
      assert.ok(series.length > 5);
      // A line of at least 3 points per series (how many samples fit the observe window
      // depends on the machine's load; the JSON/Markdown steps above check the counts).
      assert(series.every((d) => d.split(/[ML]/).length > 3), "series paths have points");
      assert(/class="median"/.test(dom));

      const png = join(dir, "shot.png");
      await chromium(binary, `file://${html}`, [`--screenshot=${png}`]);
      const summary = summarizePng(await Deno.readFile(png));
      assert.deepEqual([summary.width, summary.height], [1200, 2000]);
      assert.ok(summary.colours > 20, "a blank page has one colour");
      assert.ok(summary.nonWhite > 20000, "charts and tables are drawn");
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
