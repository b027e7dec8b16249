/**
 * The pipeline's `rollout:` key (runner/pipeline/rollout.ts): literal values
 * are checked when the file loads, expressions may read only declared
 * inputs, and values from inputs are checked before the run, each problem
 * naming the file, line and `rollout.<key>` and where the value came from.
 */
import assert from "node:assert/strict";
import { resolveRollout } from "../../runner/pipeline/rollout.ts";
import { issuesOf, loadText } from "./helpers.ts";

const HEAD = `name: p
inputs:
  batch: { type: string, default: "10%" }
  max_fail: { type: string, default: "5%" }
`;
const STEPS = `steps:
  - uses: noop
`;

Deno.test("rollout: literal values are validated at load with file, line and key", async () => {
  const issues = await issuesOf(() =>
    loadText(`${HEAD}rollout:
  batch: 0
  max_fail: 150%
${STEPS}`)
  );
  assert.deepEqual(issues.map((i) => [i.source, i.line, i.key]), [
    ["p.yaml", 6, "rollout.batch"],
    ["p.yaml", 7, "rollout.max_fail"],
  ]);
  assert.match(issues[0].message, /^0 is not a batch size; expected a count of targets/);
  assert.match(issues[1].message, /"150%" is not a failure percentage; expected 0% to 100%/);
});

Deno.test("rollout: an expression may read only declared inputs", async () => {
  const issues = await issuesOf(() =>
    loadText(`${HEAD}rollout:
  batch: \${{ inputs.size }}
  max_fail: \${{ run.id }}
${STEPS}`)
  );
  assert.deepEqual(issues.map((i) => i.key), ["rollout.batch", "rollout.max_fail"]);
  assert.match(issues[0].message, /unknown input "size"/);
  assert.match(issues[1].message, /may read only inputs/);
});

Deno.test("rollout: values from inputs resolve into the plan, or fail naming the input", async () => {
  const p = await loadText(`${HEAD}rollout:
  batch: \${{ inputs.batch }}
  max_fail: \${{ inputs.max_fail }}
${STEPS}`);
  const inputs = (values: Record<string, unknown>) => ({
    values,
    sources: { batch: "flag" as const, max_fail: "default" as const },
    secrets: [],
  });
  assert.deepEqual(resolveRollout(p, inputs({ batch: "10%", max_fail: "5%" })), {
    batch: { percent: 10 },
    maxFailPercent: 5,
  });
  assert.deepEqual(resolveRollout(p, inputs({ batch: "", max_fail: "" })), {});
  const issues = await issuesOf(() => resolveRollout(p, inputs({ batch: "0", max_fail: "-1" })));
  assert.deepEqual(issues.map((i) => [i.line, i.key]), [
    [6, "rollout.batch"],
    [7, "rollout.max_fail"],
  ]);
  assert.match(issues[0].message, /the value comes from input "batch" \(from --set\)$/);
  assert.match(issues[1].message, /the value comes from input "max_fail" \(from the default\)$/);
});
