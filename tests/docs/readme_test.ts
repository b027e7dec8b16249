import assert from "node:assert/strict";
import { applySections, generatedSections } from "../../scripts/readme.ts";

const readme = new URL("../../README.md", import.meta.url);

Deno.test("README step reference and IAM policy match the code (run `deno task readme`)", async () => {
  const current = await Deno.readTextFile(readme);
  const expected = applySections(current, await generatedSections());
  assert.equal(current, expected, "README.md is stale: run `deno task readme`");
});

Deno.test("README generated sections fail loudly when their markers are missing", () => {
  assert.throws(
    () => applySections("no markers here", { steps: "x" }),
    /generated:steps/,
  );
});

Deno.test("README lists every built-in step type in its step reference", async () => {
  const { builtinSteps } = await import("../../steps/mod.ts");
  const text = await Deno.readTextFile(readme);
  for (const step of builtinSteps) {
    assert.match(text, new RegExp(`^${step.type} \\((pipeline|target) scope\\)$`, "m"), step.type);
  }
});
