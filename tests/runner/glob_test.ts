import assert from "node:assert/strict";
import { globToRegExp } from "../../runner/glob.ts";

Deno.test("globToRegExp: *, ? and classes, anchored, literal dots", () => {
  const re = globToRegExp("ena-ptp-[0-9]?");
  assert.ok(re.test("ena-ptp-05"));
  assert.ok(!re.test("ena-ptp-5"));
  assert.ok(!re.test("xena-ptp-05"));
  assert.ok(globToRegExp("c7*.large").test("c7gn.large"));
  assert.ok(!globToRegExp("c7i.large").test("c7ixlarge"));
  assert.ok(globToRegExp("[!a]bc").test("xbc") && !globToRegExp("[!a]bc").test("abc"));
});

Deno.test("globToRegExp: case-sensitive unless ignoreCase", () => {
  assert.ok(!globToRegExp("ENA-*").test("ena-ptp-05"));
  assert.ok(globToRegExp("ENA-*", { ignoreCase: true }).test("ena-ptp-05"));
});
