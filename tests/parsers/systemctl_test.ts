import assert from "node:assert/strict";
import {
  parseSystemctlIsActive,
  parseSystemctlShow,
  showNumber,
} from "../../plugins/parsers/systemctl.ts";

Deno.test("parseSystemctlShow reads Key=Value lines, keeping `=` inside values", () => {
  const props = parseSystemctlShow(
    "SubState=running\nNRestarts=2\nExecStart={ path=/usr/sbin/chronyd ; argv[]=/usr/sbin/chronyd $OPTIONS }\n",
  );
  assert.equal(props.SubState, "running");
  assert.equal(showNumber(props, "NRestarts"), 2);
  assert.equal(props.ExecStart, "{ path=/usr/sbin/chronyd ; argv[]=/usr/sbin/chronyd $OPTIONS }");
  assert.equal(showNumber(props, "MainPID"), null);
});

Deno.test("parseSystemctlIsActive maps known states and anything else to unknown", () => {
  assert.equal(parseSystemctlIsActive("active\n"), "active");
  assert.equal(parseSystemctlIsActive("\nfailed\n"), "failed");
  assert.equal(parseSystemctlIsActive("activating"), "activating");
  assert.equal(parseSystemctlIsActive(""), "unknown");
  assert.equal(parseSystemctlIsActive("Failed to connect to bus"), "unknown");
});
