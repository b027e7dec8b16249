import assert from "node:assert/strict";
import { parseChronydLog } from "../../plugins/parsers/chronyd-log.ts";
import { sample } from "./samples.ts";

Deno.test("parseChronydLog finds the invalid refclock fatal error with its line and file", () => {
  const log = parseChronydLog(sample("chronyd-invalid-refclock.log"));
  assert.equal(log.version, "4.6.1");
  assert.deepEqual(log.fatalErrors, [{
    message: "Invalid refclock option at line 8 in file /etc/chrony/conf.d/refclock.conf",
    line: 8,
    file: "/etc/chrony/conf.d/refclock.conf",
  }]);
});

Deno.test("parseChronydLog reads `Could not open PHC` without a location", () => {
  const log = parseChronydLog("Fatal error : Could not open PHC\n");
  assert.deepEqual(log.fatalErrors, [{ message: "Could not open PHC" }]);
  assert.equal(log.version, null);
});
