import assert from "node:assert/strict";
import { mapStrings } from "../../runner/map-strings.ts";

Deno.test("mapStrings maps every string at any depth and keeps keys and other values", () => {
  const value = { "10.0.0.1": ["a", { b: "c", n: 1, t: true, z: null }], s: "d" };
  const out = mapStrings(value, (s) => s.toUpperCase());
  assert.deepEqual(out, { "10.0.0.1": ["A", { b: "C", n: 1, t: true, z: null }], s: "D" });
  assert.equal(value.s, "d", "the input is not changed");
});

Deno.test("mapStrings returns class instances as they are", () => {
  const error = new Error("at 10.0.0.1");
  const date = new Date(0);
  const out = mapStrings({ error, date }, () => "x");
  assert.equal(out.error, error);
  assert.equal(out.date, date);
});
