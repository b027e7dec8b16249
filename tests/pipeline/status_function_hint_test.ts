import assert from "node:assert/strict";
import { ExpressionSyntaxError, parseTemplate } from "../../runner/expression.ts";

Deno.test("if: always() points to always: true, and success()/failure() get a hint too", () => {
  const hint = (source: string) => {
    try {
      parseTemplate(source);
    } catch (error) {
      assert.ok(error instanceof ExpressionSyntaxError);
      return error.message;
    }
    throw new Error(`${source} parsed`);
  };
  assert.match(hint("${{ always() }}"), /unknown function always\(\) \(.*write `always: true`/);
  assert.match(hint("${{ failure() }}"), /always: true/);
  assert.doesNotMatch(hint("${{ nope() }}"), /always: true/);
});
