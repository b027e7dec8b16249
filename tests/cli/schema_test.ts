import assert from "node:assert/strict";
import { join } from "node:path";
import { captureCli, runCli } from "./cli-helper.ts";

Deno.test("schema prints the draft-07 JSON Schema of the pipeline format", async () => {
  const result = await runCli(["schema"]);
  assert.equal(result.code, 0, result.stderr);
  const schema = JSON.parse(result.stdout);
  assert.equal(schema.$schema, "http://json-schema.org/draft-07/schema#");
  assert.deepEqual(schema.required, ["name", "steps"]);
  assert.equal(schema.additionalProperties, false);
});

Deno.test("schema --file writes the same schema to that file (no --write needed)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "sub", "pipeline.schema.json");
    const written = await captureCli(["schema", "--file", file]);
    assert.equal(written.code, 0, written.stderr);
    assert.match(written.stdout, /^wrote .*pipeline\.schema\.json \(\d+ step types\)/);
    const printed = await runCli(["schema"]);
    assert.equal(printed.code, 0, printed.stderr);
    assert.equal(await Deno.readTextFile(file), printed.stdout);
    const withWrite = join(dir, "again.json");
    assert.equal((await captureCli(["schema", "--write", "--file", withWrite])).code, 0);
    assert.equal(await Deno.readTextFile(withWrite), printed.stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("schema --output is a format as everywhere: json prints the schema, a file path is refused (exit 2)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const json = await captureCli(["schema", "--output", "json"]);
    assert.equal(json.code, 0, json.stderr);
    assert.equal(JSON.parse(json.stdout).$schema, "http://json-schema.org/draft-07/schema#");
    const path = join(dir, "x.json");
    const refused = await captureCli(["schema", "--output", path]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--output: ".*x\.json" is not a format of schema; allowed: json/);
    assert.match(refused.stderr, /schema --output takes a format, not a path/);
    assert.match(refused.stderr, /to write a file use --file <file>/);
    assert.doesNotMatch(refused.stderr, /every command/);
    await assert.rejects(Deno.stat(path), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
