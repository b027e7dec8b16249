import assert from "node:assert/strict";
import { editDistance, nearestNames } from "../../plugins/aws/launch/nearest-names.ts";

Deno.test("editDistance counts insertions, deletions and substitutions", () => {
  assert.equal(editDistance("c7i.large", "c7i.large"), 0);
  assert.equal(editDistance("c7i.larg", "c7i.large"), 1);
  assert.equal(editDistance("c7x.large", "c7i.large"), 1);
  assert.equal(editDistance("", "abc"), 3);
});

Deno.test("nearestNames ranks the closest instance types first and drops far ones", () => {
  const offered = ["c7i.large", "c7i.xlarge", "m7i.large", "t3.micro", "r7g.16xlarge"];
  assert.deepEqual(nearestNames("c7i.larg", offered), ["c7i.large", "c7i.xlarge", "m7i.large"]);
  assert.deepEqual(nearestNames("zzzzzz.qqqq", offered), []);
});
