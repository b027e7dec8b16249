/**
 * The loader refuses an `if:` that mixes `${{ }}` with other text: it renders
 * to a non-empty string, which is always true (the step would always run).
 */
import assert from "node:assert/strict";
import { evaluateCondition } from "../../runner/expression.ts";
import { loadIssues, loadText } from "./helpers.ts";

const HEAD = `name: t
inputs:
  a: { type: string, default: y }
  n: { type: integer, default: 1 }
steps:
`;

Deno.test("an if: with text outside ${{ }} is reported as always true, with the condition rewritten", async () => {
  const issues = await loadIssues(`${HEAD}  - uses: noop
    if: \${{ inputs.a }} == x
  - id: two
    uses: noop
    if: \${{ inputs.n }} > 1
`);
  assert.deepEqual(issues.map((i) => [i.line, i.key]), [[7, "steps[0].if"], [10, "steps[1].if"]]);
  assert.match(issues[0].message, /always true/);
  assert.ok(issues[0].message.endsWith("e.g. if: ${{ inputs.a == 'x' }}"), issues[0].message);
  assert.ok(issues[1].message.endsWith("e.g. if: ${{ inputs.n > 1 }}"), issues[1].message);
});

Deno.test("the reported if: is indeed true whatever the input (evaluateCondition)", () => {
  const scope = (a: string) => ({ inputs: { a }, steps: {}, run: { id: "r" } });
  assert.equal(evaluateCondition("${{ inputs.a }} == x", scope("y")), true);
  assert.equal(evaluateCondition("${{ inputs.a == 'x' }}", scope("y")), false);
});

Deno.test("an if: that is one ${{ }} or a bare expression is accepted", async () => {
  const pipeline = await loadText(`${HEAD}  - uses: noop
    if: \${{ inputs.a == 'x' }}
  - id: two
    uses: noop
    if: inputs.n > 1 && inputs.a != 'x'
  - id: three
    uses: noop
    if: \${{ inputs.a }}\${{ inputs.n }}
`);
  assert.equal(pipeline.steps.length, 3);
});
