/**
 * Every input a shipped pipeline declares is used by one of its steps (an
 * `${{ inputs.NAME }}` expression) or by the pipeline's `rollout:`, so no
 * `--set` is silently ignored (issue 13, point 6). A new input that nothing
 * reads fails this test.
 */
import assert from "node:assert/strict";
import { parse } from "yaml";

const SHIPPED = ["ptp.yaml", "existing-hosts.yaml", "discover-and-test.yaml"];

for (const file of SHIPPED) {
  Deno.test(`every input of pipelines/${file} is used by a step`, async () => {
    const text = await Deno.readTextFile(new URL(`../../pipelines/${file}`, import.meta.url));
    const doc = parse(text) as {
      inputs?: Record<string, unknown>;
      steps: unknown[];
      rollout?: unknown;
    };
    const steps = JSON.stringify([doc.steps, doc.rollout ?? null]);
    const unused = Object.keys(doc.inputs ?? {}).filter((name) =>
      !new RegExp(`inputs\\.${name}\\b`).test(steps)
    );
    assert.deepEqual(unused, [], `inputs no step reads in ${file}`);
  });
}
