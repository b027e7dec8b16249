/**
 * The pipeline loader against hostile or wrong input: an alias bomb, excessive
 * nesting and a binary file are refused with one located problem each (exit 2
 * in the CLI), and a type error in a union key (`if: 3`) says what is expected.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadPipeline } from "../../runner/pipeline/load.ts";
import { MAX_NESTING } from "../../runner/pipeline/yaml-source.ts";
import { issuesOf, loadText, testRegistry } from "./helpers.ts";
import { tempDir } from "../helpers/temp.ts";

Deno.test("an alias bomb is refused at the first alias with too many aliases", async () => {
  const lines = ["name: bomb", "a0: &a0 [x, x, x, x, x, x, x, x, x]"];
  for (let i = 1; i <= 8; i++) {
    lines.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(", ")}]`);
  }
  lines.push("steps: []");
  const issues = await issuesOf(() => loadText(lines.join("\n") + "\n"));
  assert.equal(issues.length, 1, JSON.stringify(issues));
  assert.equal(issues[0].source, "p.yaml");
  assert.equal(issues[0].line, 3);
  assert.equal(issues[0].col, 10);
  assert.match(issues[0].message, /too many aliases/);
});

Deno.test("nesting deeper than the limit is refused with its line and column", async () => {
  const depth = 5000;
  const text = `name: deep\nsteps: []\nextra: ${"[".repeat(depth)}${"]".repeat(depth)}\n`;
  const issues = await issuesOf(() => loadText(text));
  assert.equal(issues.length, 1, JSON.stringify(issues).slice(0, 500));
  assert.equal(issues[0].line, 3);
  assert.equal(issues[0].col, "extra: ".length + MAX_NESTING + 1);
  assert.match(issues[0].message, new RegExp(`nesting deeper than ${MAX_NESTING} levels`));
});

Deno.test("a binary file given as a pipeline is one problem saying it is not text", async () => {
  const dir = await tempDir("ptp-runner-test-");
  const file = join(dir, "image.yaml");
  await Deno.writeFile(
    file,
    new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0xff, 0xfe]),
  );
  const issues = await issuesOf(() => loadPipeline(file, testRegistry()));
  assert.equal(issues.length, 1);
  assert.match(issues[0].message, /^not a text file/);
  assert.ok(!issues[0].message.includes("\n"));
});

Deno.test("if: 3 says a string or true/false is expected", async () => {
  const issues = await issuesOf(() => loadText("name: p\nsteps:\n  - uses: noop\n    if: 3\n"));
  assert.equal(issues.length, 1, JSON.stringify(issues));
  assert.equal(issues[0].line, 4);
  assert.equal(issues[0].message, "expected a string or true/false, got 3");
});
