import assert from "node:assert/strict";
import { parseKeepPolicy } from "../../plugins/aws/release/keep-policy.ts";

Deno.test("--keep keywords parse to their modes and no value means ask", () => {
  assert.deepEqual(parseKeepPolicy(undefined), { mode: "ask" });
  assert.deepEqual(parseKeepPolicy(""), { mode: "ask" });
  assert.deepEqual(parseKeepPolicy("none"), { mode: "none" });
  assert.deepEqual(parseKeepPolicy("all"), { mode: "all" });
  assert.deepEqual(parseKeepPolicy("functional"), { mode: "functional" });
});

Deno.test("--keep with comma-separated instance ids keeps exactly those", () => {
  assert.deepEqual(parseKeepPolicy("i-0abc, i-0def"), { mode: "ids", ids: ["i-0abc", "i-0def"] });
});

Deno.test("--keep with a word that is neither a keyword nor an instance id names the flag", () => {
  assert.throws(() => parseKeepPolicy("functionl"), /--keep: "functionl" is not valid; use none/);
});
