import assert from "node:assert/strict";
import { describeStep, renderSteps } from "../../cli/steps-action.ts";
import { plugin as emit } from "../fixtures/plugins/emit.ts";
import noop from "../fixtures/plugins/noop.ts";
import { captureCli } from "./cli-helper.ts";

Deno.test("describeStep lists inputs with type, default, required and description", () => {
  const description = describeStep(noop);
  assert.equal(description.type, "noop");
  assert.equal(description.scope, "target");
  assert.deepEqual(description.inputs, [
    {
      name: "message",
      type: "string",
      required: false,
      default: "hi",
      description: "Text to echo",
    },
    { name: "count", type: "integer", required: false, description: "How many times" },
  ]);
  assert.deepEqual(description.outputs.map((o) => o.name), ["said"]);
});

Deno.test("renderSteps shows each step type with scope, description and an inputs table", () => {
  const text = renderSteps([describeStep(noop), describeStep(emit)]);
  assert.match(
    text,
    /^noop \(target scope\)\n {2}Test step: echo a message for each target\n {2}with:/,
  );
  assert.match(text, /\n {4}message +string +"hi" +Text to echo\n/);
  assert.match(text, /\nemit \(pipeline scope\)\n/);
  assert.match(text, /outputs: count \(integer\), needs_build \(boolean\)/);
});

Deno.test("steps --json describes every built-in step type", async () => {
  const result = await captureCli(["steps", "--json"]);
  assert.equal(result.code, 0, result.stderr);
  const steps = JSON.parse(result.stdout);
  assert.ok(Array.isArray(steps));
  for (const step of steps) {
    assert.equal(typeof step.type, "string");
    assert.ok(step.scope === "pipeline" || step.scope === "target");
    assert.ok(step.description.length > 0);
    assert.ok(Array.isArray(step.inputs));
  }
});

Deno.test("steps <unknown type> exits 2 with the known types", async () => {
  const result = await captureCli(["steps", "no-such-step"]);
  assert.equal(result.code, 2);
  assert.match(
    result.stderr,
    /steps: no-such-step: unknown step type "no-such-step"; step types: /,
  );
});

Deno.test("steps <team type> --pipeline FILE loads that pipeline's plugins, even when its steps do not validate", async () => {
  // unknown-step.yaml lists the noop plugin and uses the misspelt "nop".
  const file = "tests/fixtures/pipelines/unknown-step.yaml";
  const result = await captureCli(["steps", "noop", "--pipeline", file]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^noop \(target scope\)\n/);
  const without = await captureCli(["steps", "noop"]);
  assert.equal(without.code, 2);
  assert.match(without.stderr, /a pipeline's team step types: add --pipeline <file>/);
});

Deno.test("validate's unknown-step message points to steps --pipeline FILE when the pipeline has plugins", async () => {
  const file = "tests/fixtures/pipelines/unknown-step.yaml";
  const result = await captureCli(["validate", file]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, new RegExp(`run "ptp-runner steps --pipeline ${file}" to list them`));
  const listed = await captureCli(["steps", "--pipeline", file]);
  assert.match(listed.stdout, /^noop \(target scope\)$/m);
});

Deno.test("steps --pipeline with a plugin that does not load exits 2 naming it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/p.yaml`;
    await Deno.writeTextFile(file, "name: p\nplugins: [./missing.ts]\nsteps: []\n");
    const result = await captureCli(["steps", "--pipeline", file]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /p\.yaml:2:\d+: plugins\[0\]: cannot import plugin module/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
