import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { builtinRegistry } from "../../cli/builtin-registry.ts";
import { executePipeline } from "../../runner/executor.ts";
import { resolveInputs } from "../../runner/inputs.ts";
import { loadPipeline } from "../../runner/pipeline/load.ts";
import { testSettings } from "../helpers/context.ts";
import type {} from "../../pipelines/examples/hello-target.ts";

const EXAMPLE = fileURLToPath(
  new URL("../../pipelines/examples/team-plugin.yaml", import.meta.url),
);

Deno.test("the example team plugin pipeline loads its plugin and greets every host", async () => {
  const pipeline = await loadPipeline(EXAMPLE, builtinRegistry());
  assert.equal(pipeline.plugins.length, 1);
  assert.match(pipeline.plugins[0], /^file:.*pipelines\/examples\/hello-target\.ts$/);
  const inputs = resolveInputs(pipeline, { set: ["hosts=10.0.1.12,10.0.1.13", "greeting=hi"] });
  // --no-redact: host labels are the addresses (redacted, they would be host-1, host-2).
  const result = await executePipeline(pipeline, inputs, testSettings({ redact: false }));
  assert.equal(result.exitCode, 0);
  assert.deepEqual(result.targets.map((t) => t.outputs.greet), [
    { said: "hi, 10.0.1.12" },
    { said: "hi, 10.0.1.13" },
  ]);
  assert.equal((result.targets[0].facts.hello as { said: string }).said, "hi, 10.0.1.12");
});
