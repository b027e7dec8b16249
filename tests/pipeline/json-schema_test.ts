import assert from "node:assert/strict";
import { Ajv } from "ajv";
import { parse } from "yaml";
import {
  PIPELINE_SCHEMA_PATH,
  pipelineJsonSchema,
  renderPipelineJsonSchema,
} from "../../runner/pipeline/json-schema.ts";
import { builtinSteps } from "../../steps/mod.ts";
import { plugin as emit } from "../fixtures/plugins/emit.ts";
import noop from "../fixtures/plugins/noop.ts";

const root = new URL("../../", import.meta.url);

Deno.test("schema/pipeline.schema.json matches the built-in step types (run `deno task schema`)", async () => {
  const stored = await Deno.readTextFile(new URL(PIPELINE_SCHEMA_PATH, root));
  const fresh = renderPipelineJsonSchema(builtinSteps);
  assert.ok(
    stored === fresh,
    `${PIPELINE_SCHEMA_PATH} is stale: regenerate it with \`deno task schema\``,
  );
});

Deno.test("the JSON Schema offers step types in uses and their with: keys per type", () => {
  const schema = pipelineJsonSchema([noop, emit]);
  assert.equal(schema.$schema, "http://json-schema.org/draft-07/schema#");
  // deno-lint-ignore no-explicit-any -- walking untyped JSON Schema
  type Json = any;
  const step: Json = (schema.properties as Json).steps.items;
  assert.deepEqual(step.properties.uses.anyOf[0].enum, ["noop", "emit"]);
  const noopRule = step.allOf.find((rule: Json) => rule.if.properties.uses.const === "noop");
  const withSchema = noopRule.then.properties.with;
  assert.deepEqual(Object.keys(withSchema.properties), ["message", "count"]);
  assert.equal(withSchema.properties.message.description, "Text to echo");
  assert.equal(withSchema.additionalProperties, false);
});

function validator() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  return ajv.compile(pipelineJsonSchema([noop, emit]));
}

Deno.test("the JSON Schema accepts a valid pipeline, expressions included", async () => {
  const text = await Deno.readTextFile(new URL("tests/fixtures/pipelines/valid.yaml", root));
  const validate = validator();
  assert.equal(validate(parse(text)), true, JSON.stringify(validate.errors));
});

Deno.test("the JSON Schema rejects unknown keys, bad durations and wrong with: types", () => {
  const validate = validator();
  const cases = [
    { name: "x", steps: [{ uses: "noop", timout: "5s" }] },
    { name: "x", steps: [{ uses: "noop", timeout: "10 minutes" }] },
    { name: "x", steps: [{ uses: "noop", with: { message: 5 } }] },
    { name: "x", steps: [{ uses: "noop", with: { colour: "red" } }] },
    { name: "x", steps: [{ uses: "noop", retry: 0 }] },
    { steps: [{ uses: "noop" }] },
  ];
  for (const doc of cases) assert.equal(validate(doc), false, JSON.stringify(doc));
  assert.equal(
    validate({ name: "x", steps: [{ uses: "noop", with: { count: "${{ inputs.n }}" } }] }),
    true,
  );
});
