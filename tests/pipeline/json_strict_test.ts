/**
 * `.json` files (a `--config` or a pipeline) are strict JSON: what the YAML
 * parser would accept but JSON does not (trailing comma, unquoted key, single
 * quotes) is a "JSON syntax error" at its line:col; `.yaml` files keep YAML.
 */
import assert from "node:assert/strict";
import { resolveInputs } from "../../runner/inputs.ts";
import { loadPipeline } from "../../runner/pipeline/load.ts";
import { issuesOf, loadText, testRegistry, writeTemp } from "./helpers.ts";

const PIPELINE = `name: json
inputs:
  region: { type: string, required: true }
  count: { type: integer, default: 1 }
steps:
  - uses: noop
`;

for (
  const [what, text, line, col, hint] of [
    ["a trailing comma", '{\n  "region": "eu-west-1",\n  "count": 2,\n}\n', 4, 1, /trailing comma/],
    ["an unquoted key", '{\n  "region": "eu-west-1",\n  count: 2\n}\n', 3, 3, /double quotes/],
    ["single quotes", "{ 'region': 'eu-west-1' }", 1, 3, /double quotes/],
  ] as const
) {
  Deno.test(`a .json --config with ${what} is a JSON syntax error at its line:col`, async () => {
    const pipeline = await loadText(PIPELINE);
    const config = await writeTemp(text, "c.json");
    const issues = await issuesOf(() => resolveInputs(pipeline, { configFile: config }));
    // One problem: the unreadable config does not also make "region" missing.
    assert.equal(issues.length, 1, JSON.stringify(issues));
    assert.equal(issues[0].source, config);
    assert.deepEqual([issues[0].line, issues[0].col], [line, col]);
    assert.match(issues[0].message, /^JSON syntax error: /);
    assert.match(issues[0].message, hint);
  });
}

Deno.test("a .yaml --config keeps YAML: a flow mapping with a trailing comma is fine", async () => {
  const pipeline = await loadText(PIPELINE);
  const config = await writeTemp('{ region: "eu-west-1", count: 2, }\n', "c.yaml");
  assert.deepEqual(resolveInputs(pipeline, { configFile: config }).values, {
    region: "eu-west-1",
    count: 2,
  });
});

Deno.test("a strict .json --config is read with positions for later problems", async () => {
  const pipeline = await loadText(PIPELINE);
  const config = await writeTemp('{\n  "region": "eu-west-1",\n  "count": "two"\n}\n', "c.json");
  const issues = await issuesOf(() => resolveInputs(pipeline, { configFile: config }));
  assert.deepEqual(issues.map((i) => [i.line, i.key]), [[3, "count"]]);
});

Deno.test("a .json pipeline is strict JSON too", async () => {
  const good = JSON.stringify({ name: "j", steps: [{ uses: "noop" }] });
  const pipeline = await loadPipeline(await writeTemp(good, "p.json"), testRegistry());
  assert.equal(pipeline.name, "j");
  const bad = '{\n  "name": "j",\n  "steps": [{ "uses": "noop" },]\n}\n';
  const file = await writeTemp(bad, "p.json");
  const issues = await issuesOf(() => loadPipeline(file, testRegistry()));
  assert.equal(issues.length, 1, JSON.stringify(issues));
  assert.deepEqual([issues[0].line, issues[0].col], [3, 32]);
  assert.match(issues[0].message, /^JSON syntax error: .*trailing comma/);
});
