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

Deno.test("schema --write --output writes the same schema to a file", async () => {
  const dir = await Deno.makeTempDir();
  const file = join(dir, "sub", "pipeline.schema.json");
  const written = await captureCli(["schema", "--write", "--output", file]);
  assert.equal(written.code, 0, written.stderr);
  assert.match(written.stdout, /^wrote .*pipeline\.schema\.json \(\d+ step types\)/);
  const printed = await runCli(["schema"]);
  assert.equal(printed.code, 0, printed.stderr);
  assert.equal(await Deno.readTextFile(file), printed.stdout);
  await Deno.remove(dir, { recursive: true });
});
