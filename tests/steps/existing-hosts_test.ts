/** `existing-hosts` input: an empty host entry says so instead of showing the address form. */
import assert from "node:assert/strict";
import { ExistingHostsInput } from "../../steps/existing-hosts.ts";

Deno.test("existing-hosts input refuses an empty host entry as empty, once", () => {
  const result = ExistingHostsInput.safeParse({ hosts: ["a", ""] });
  assert.equal(result.success, false);
  const issues = result.error!.issues;
  assert.equal(issues.length, 1, JSON.stringify(issues));
  assert.deepEqual(issues[0].path, ["hosts", 1]);
  assert.match(issues[0].message, /^this entry is empty/);
});
