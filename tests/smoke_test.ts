import assert from "node:assert/strict";
import { formatIssue } from "../runner/errors.ts";
Deno.test("formatIssue names file, line and column", () => {
  assert.equal(
    formatIssue({ source: "p.yaml", line: 3, col: 5, key: "steps[0].uses", message: "x" }),
    "p.yaml:3:5: steps[0].uses: x",
  );
});
