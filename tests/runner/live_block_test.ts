import assert from "node:assert/strict";
import { palette } from "../../runner/colour.ts";
import { liveBlockLines, shortElapsed, type TargetLine } from "../../runner/live-block.ts";

const plain = palette(false);

/** 50 targets: 20 finished (18 functional, 2 misconfigured), 25 on a step, 5 waiting. */
function fleet(): TargetLine[] {
  return Array.from({ length: 50 }, (_, i): TargetLine => {
    const label = `m7i.metal-48xl-with-a-long-name ${i + 1} of 50`;
    if (i < 20) {
      return {
        label,
        last: "verify ok 1.2s",
        status: "done",
        verdict: i < 18 ? "functional" : "misconfigured",
      };
    }
    if (i < 45) {
      return {
        label,
        step: "configure chrony to use the PHC as its reference clock",
        stepStartedMs: 0,
        last: "enable-hwts ok (changed) 0.4s",
      };
    }
    return { label, last: "added" };
  });
}

for (const [columns, rows] of [[80, 24], [140, 40]]) {
  Deno.test(`the live block of 50 targets fits a ${columns}x${rows} terminal`, () => {
    const lines = liveBlockLines(fleet(), {
      startedMs: 0,
      pipelineStep: { name: "launch", startedMs: 1000 },
    }, { columns, rows, now: 62_000, palette: plain });
    assert.ok(lines.length <= rows - 2, `${lines.length} lines`);
    for (const line of lines) assert.ok(line.length < columns, `${line.length}: ${line}`);
    assert.equal(
      lines[0].startsWith("[20/50 done] · 1m02s · launch 1m01s · 25 on host steps, 5 waiting"),
      true,
      lines[0],
    );
    // Running targets come first; the rest collapse into one line of counts.
    assert.match(lines[1], /configure chrony/);
    const shown = lines.length - 2;
    assert.match(
      lines.at(-1)!,
      new RegExp(`^ {2}… ${50 - shown} more: \\d+ done \\(\\d+ functional, 2 misconfigured\\)`),
    );
  });
}

Deno.test("a block that fits keeps every target in the order they were added", () => {
  const targets: TargetLine[] = [
    { label: "a", last: "done", status: "done", verdict: "functional" },
    { label: "b", step: "verify", stepStartedMs: 0, last: "x" },
  ];
  const lines = liveBlockLines(targets, {}, { columns: 80, rows: 24, now: 3000, palette: plain });
  assert.equal(lines.length, 3);
  assert.match(lines[1], /^ {2}a {5}/);
  assert.match(lines[2], /^ {2}b +verify +3s {2}x$/);
});

Deno.test("shortElapsed shows seconds, minutes and hours", () => {
  assert.equal(shortElapsed(42_500), "42s");
  assert.equal(shortElapsed(62_000), "1m02s");
  assert.equal(shortElapsed(3_900_000), "1h05m");
});
