import assert from "node:assert/strict";
import {
  evaluateCondition,
  evaluateTemplate,
  ExpressionError,
  ExpressionSyntaxError,
  parseExpression,
  parseTemplate,
  referencesOf,
} from "../../runner/expression.ts";
import type { ExpressionScope } from "../../runner/pipeline/model.ts";

const scope: ExpressionScope = {
  inputs: {
    name: "c7i",
    count: 3,
    types: ["c7i.large", "m7i.large"],
    flag: false,
    empty: "",
    nested: { "key-with-dash": "v", list: [10, 20] },
  },
  steps: {
    "ena-check": { outputs: { needs_build: true, version: "2.13.3g" } },
    launch: { outputs: { count: 2 } },
  },
  target: { id: "c7i.large-1", label: "c7i.large 1 of 2", instanceType: "c7i.large" },
  run: { id: "20261129-101500-ab12" },
};

Deno.test("a string that is exactly one expression keeps the value's type", () => {
  assert.equal(evaluateTemplate("${{ inputs.count }}", scope), 3);
  assert.deepEqual(evaluateTemplate("${{ inputs.types }}", scope), ["c7i.large", "m7i.large"]);
  assert.equal(evaluateTemplate("${{ steps.ena-check.outputs.needs_build }}", scope), true);
  assert.equal(evaluateTemplate("${{inputs.flag}}", scope), false);
});

Deno.test("mixed text interpolates values as text", () => {
  assert.equal(
    evaluateTemplate("run ${{ run.id }} on ${{ target.label }} x${{ inputs.count }}", scope),
    "run 20261129-101500-ab12 on c7i.large 1 of 2 x3",
  );
  assert.equal(evaluateTemplate("[${{ inputs.missing }}]", scope), "[]");
  assert.equal(evaluateTemplate("t=${{ inputs.types }}", scope), 't=["c7i.large","m7i.large"]');
});

Deno.test("evaluateTemplate walks arrays and objects without changing the input", () => {
  const value = { a: ["${{ inputs.count }}", "x"], b: { c: "${{ inputs.name }}-1" }, d: 5 };
  const copy = structuredClone(value);
  assert.deepEqual(evaluateTemplate(value, scope), { a: [3, "x"], b: { c: "c7i-1" }, d: 5 });
  assert.deepEqual(value, copy);
});

Deno.test("unknown step output keys evaluate to undefined instead of throwing", () => {
  assert.equal(evaluateTemplate("${{ steps.ena-check.outputs.nope }}", scope), undefined);
  assert.equal(evaluateTemplate("${{ steps.absent.outputs.x }}", scope), undefined);
  assert.equal(evaluateCondition("steps.absent.outputs.x", scope), false);
});

Deno.test("index access reads array elements and keys with dashes", () => {
  assert.equal(evaluateTemplate("${{ inputs.types[1] }}", scope), "m7i.large");
  assert.equal(evaluateTemplate("${{ inputs.nested['key-with-dash'] }}", scope), "v");
  assert.equal(evaluateTemplate(`\${{ inputs.nested["list"][0] }}`, scope), 10);
  assert.equal(evaluateTemplate("${{ inputs.types[5] }}", scope), undefined);
});

Deno.test("constructor, __proto__ and prototype methods are not reachable", () => {
  for (
    const path of [
      "inputs.constructor",
      "inputs.__proto__",
      "inputs['constructor']",
      "inputs.types.constructor",
      "inputs.name.constructor",
      "inputs.toString",
      "inputs.types.map",
      "inputs.constructor.constructor",
      "steps.hasOwnProperty",
    ]
  ) {
    assert.equal(evaluateTemplate(`\${{ ${path} }}`, scope), undefined, path);
  }
  assert.equal(evaluateTemplate("${{ fromJSON('{\"a\":1}').constructor }}", scope), undefined);
});

Deno.test("comparison and logical operators follow GitHub Actions semantics", () => {
  assert.equal(evaluateCondition("inputs.count > 2 && inputs.count <= 3", scope), true);
  assert.equal(evaluateCondition("inputs.count >= 4 || inputs.flag", scope), false);
  assert.equal(evaluateCondition("!inputs.flag", scope), true);
  assert.equal(evaluateCondition("inputs.name == 'C7I'", scope), true); // strings ignore case
  assert.equal(evaluateCondition("inputs.name != 'm7i'", scope), true);
  assert.equal(evaluateCondition("inputs.count == '3'", scope), true); // coerced to numbers
  assert.equal(evaluateCondition("null == 0", scope), true);
  assert.equal(evaluateCondition("(1 < 2) == true", scope), true);
  assert.equal(evaluateCondition("-1 < 0", scope), true);
  assert.equal(evaluateTemplate("${{ inputs.empty || 'fallback' }}", scope), "fallback");
  assert.equal(evaluateTemplate("${{ inputs.count && inputs.name }}", scope), "c7i");
});

Deno.test("evaluateCondition accepts conditions with or without ${{ }} and uses truthiness", () => {
  assert.equal(evaluateCondition("${{ steps.ena-check.outputs.needs_build }}", scope), true);
  assert.equal(evaluateCondition("steps.ena-check.outputs.needs_build", scope), true);
  assert.equal(evaluateCondition("${{ inputs.empty }}", scope), false);
  assert.equal(evaluateCondition("${{ 0 }}", scope), false);
  assert.equal(evaluateCondition("${{ inputs.types }}", scope), true);
  assert.equal(evaluateCondition("true", scope), true);
  assert.equal(evaluateCondition("false", scope), false);
});

Deno.test("functions contains, startsWith, endsWith, join, format, toJSON, fromJSON", () => {
  assert.equal(evaluateCondition("contains(inputs.types, 'm7i.large')", scope), true);
  assert.equal(evaluateCondition("contains(inputs.types, 'r7i.large')", scope), false);
  assert.equal(evaluateCondition("contains('Hello world', 'WORLD')", scope), true);
  assert.equal(evaluateCondition("startsWith(target.instanceType, 'c7')", scope), true);
  assert.equal(evaluateCondition("endsWith(steps.ena-check.outputs.version, 'g')", scope), true);
  assert.equal(evaluateTemplate("${{ join(inputs.types, ', ') }}", scope), "c7i.large, m7i.large");
  assert.equal(evaluateTemplate("${{ join(inputs.types) }}", scope), "c7i.large,m7i.large");
  assert.equal(
    evaluateTemplate("${{ format('{0} of {1} {{x}}', inputs.count, 4) }}", scope),
    "3 of 4 {x}",
  );
  assert.equal(evaluateTemplate("${{ toJSON(inputs.nested.list) }}", scope), "[\n  10,\n  20\n]");
  assert.deepEqual(evaluateTemplate("${{ fromJSON('[1, \"a\"]') }}", scope), [1, "a"]);
  assert.equal(evaluateTemplate("${{ FORMAT('{0}', 1) }}", scope), "1"); // names ignore case
});

Deno.test("fromJSON of invalid JSON throws an ExpressionError with its column", () => {
  assert.throws(() => evaluateTemplate("x ${{ fromJSON('{') }}", scope), (error: Error) => {
    assert.ok(error instanceof ExpressionError);
    assert.match(error.message, /fromJSON: invalid JSON/);
    assert.equal((error as ExpressionError).column, 7);
    return true;
  });
});

Deno.test("string literals support both quotes and escapes", () => {
  assert.equal(evaluateTemplate("${{ 'it''s' }}", scope), "it's");
  assert.equal(evaluateTemplate('${{ "a\\"b" }}', scope), 'a"b');
  assert.equal(evaluateTemplate("${{ 'a }} b' }}", scope), "a }} b");
  assert.equal(evaluateTemplate("${{ 1.5e1 }}", scope), 15);
});

Deno.test("syntax errors give the 1-based column inside the string", () => {
  const cases: [string, number, RegExp][] = [
    ["${{ inputs.x = 1 }}", 14, /use == to compare/],
    ["abc ${{ inputs.x", 5, /unclosed/],
    ["${{ (inputs.x }}", 15, /expected '\)'/],
    ["${{ }}", 4, /empty expression/],
    ["${{ nope(1) }}", 5, /unknown function nope\(\)/],
    ["${{ contains(1) }}", 5, /takes 2 argument/],
    ["${{ 'open }}", 5, /unterminated string/],
    ["${{ inputs. }}", 13, /property name after '.'/],
    ["${{ a b }}", 7, /unexpected 'b'/],
  ];
  for (const [source, column, message] of cases) {
    assert.throws(() => parseTemplate(source), (error: Error) => {
      assert.ok(error instanceof ExpressionSyntaxError, source);
      assert.match(error.message, message, source);
      assert.equal((error as ExpressionSyntaxError).column, column, source);
      return true;
    });
  }
  assert.throws(() => parseExpression("a &"), /use && for 'and'/);
});

Deno.test("referencesOf lists static paths and stops at computed indexes", () => {
  const ast = parseTemplate(
    "${{ steps.ena-check.outputs.needs_build && contains(inputs.types, target.instanceType) }}" +
      " ${{ inputs.list[inputs.i].x }} ${{ inputs.types[0] }} ${{ run.id }}",
  );
  assert.deepEqual(referencesOf(ast).map((r) => r.path), [
    "steps.ena-check.outputs.needs_build",
    "inputs.types",
    "target.instanceType",
    "inputs.list",
    "inputs.i",
    "inputs.types[0]",
    "run.id",
  ]);
  const [first] = referencesOf(parseExpression("  inputs.a"));
  assert.deepEqual(first.segments, ["a"]);
  assert.equal(first.root, "inputs");
  assert.equal(first.column, 3);
});

Deno.test("strings without ${{ are returned unchanged and not parsed", () => {
  assert.equal(evaluateTemplate("plain {{ text }} $ {x}", scope), "plain {{ text }} $ {x}");
  assert.equal(evaluateTemplate(42, scope), 42);
  assert.equal(evaluateTemplate(null, scope), null);
});
