import assert from "node:assert/strict";
import { yaml, yamlEsmEntry } from "../../runner/pipeline/yaml-library.ts";

Deno.test("yaml-library finds the yaml package's ES module build next to its resolved entry", async () => {
  const entry = yamlEsmEntry();
  assert.match(entry, /\/yaml\/[^/]+\/browser\/index\.js$/);
  const esm = await import(entry);
  assert.equal(typeof esm.parseDocument, "function");
  // The module the loader uses is that build, not the package's CommonJS entry.
  assert.equal(yaml.parseDocument, esm.parseDocument);
});

Deno.test("yaml-library keeps node ranges and line positions", () => {
  const lines = new yaml.LineCounter();
  const text = "name: demo\nsteps:\n  - uses: verify\n";
  const doc = yaml.parseDocument(text, { lineCounter: lines });
  const steps = doc.get("steps", true);
  assert.ok(yaml.isSeq(steps));
  const first = steps.items[0];
  assert.ok(yaml.isMap(first) && first.range);
  assert.deepEqual(lines.linePos(first.range[0]), { line: 3, col: 5 });
});
