/**
 * End to end: the live view in a pseudo-terminal (util-linux `script`) of
 * 80x24 and 140x40 (issue 13, points 3 and 4). The block is never taller than
 * the terminal (every redraw moves the cursor up at most rows - 2 lines), the
 * report tables and the recap fit the width, and the run ends on the verdict
 * line, not on the block.
 */
import assert from "node:assert/strict";
import { stripVTControlCharacters } from "node:util";
import { CONFIG, MAIN, makeWorkDir, PTP_PIPELINE } from "./helpers.ts";

const hasScript = (() => {
  try {
    return new Deno.Command("script", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

/** Lines of the report's tables: a header, its dashed rule, rows up to a blank line. */
function tableLines(lines: string[]): string[] {
  const out: string[] = [];
  let inTable = false;
  for (const [i, line] of lines.entries()) {
    if (lines[i + 1]?.startsWith("---")) inTable = true;
    if (line.trim() === "") inTable = false;
    if (inTable) out.push(line);
  }
  return out;
}

for (const [columns, rows] of [[80, 24], [140, 40]]) {
  Deno.test({
    name: `the live view fits a ${columns}x${rows} terminal and ends on the verdict line`,
    ignore: !hasScript,
    async fn() {
      const cwd = await makeWorkDir();
      try {
        const cli = [
          Deno.execPath(),
          "run",
          "-P=cli",
          `--config=${CONFIG}`,
          MAIN,
          "run",
          PTP_PIPELINE,
          "--simulate",
          "--speed",
          "200",
          "--yes",
          "--set",
          "instance_types=c7i.large:14,r7g.large:14,t3.micro",
        ].join(" ");
        const out = await new Deno.Command("script", {
          args: ["-q", "-e", "-c", `stty rows ${rows} cols ${columns}; exec ${cli}`, "/dev/null"],
          cwd,
          env: { NO_COLOR: "1", CI: "" },
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
        }).output();
        const raw = new TextDecoder().decode(out.stdout);
        assert.equal(out.code, 0, stripVTControlCharacters(raw).slice(-3000));
        // Cursor up N lines, then erase down: the live block being redrawn.
        const ups = [...raw.matchAll(new RegExp("\x1b\\[(\\d+)A\x1b\\[J", "g"))]
          .map((m) => Number(m[1]));
        assert.ok(ups.length > 5, "the block was redrawn");
        assert.ok(Math.max(...ups) <= rows - 2, `block of ${Math.max(...ups)} lines`);
        const lines = stripVTControlCharacters(raw).replaceAll("\r", "").split("\n");
        const recap = lines.findIndex((l) => l.endsWith("RECAP"));
        assert.ok(recap > 0, "a recap");
        const checked = [...tableLines(lines), ...lines.slice(recap + 1)];
        assert.ok(checked.length > 40, `${checked.length} lines checked`);
        for (const line of checked) {
          assert.ok(line.length < columns, `${line.length} > ${columns}: ${line}`);
        }
        assert.match(
          lines.filter((l) => l.trim() !== "").at(-1)!,
          /^28 functional, 1 unsupported, 0 failed in [\d.]+ s \(exit 0\)$/,
        );
      } finally {
        await Deno.remove(cwd, { recursive: true });
      }
    },
  });
}
