import assert from "node:assert/strict";
import { AL2023_CHRONY_CONF } from "./fake-host.ts";
import {
  DROP_IN_PATH,
  dropInContent,
  hasAmazonTimeSync,
  includesDirectory,
  markedLine,
  planChronyChange,
  REFCLOCK_LINE,
} from "../../plugins/ptp/chrony-config.ts";

const NO_INCLUDE = "server 169.254.169.123 prefer iburst\ndriftfile /var/lib/chrony/drift\n";

Deno.test("includesDirectory counts confdir and include but not sourcedir or comments", () => {
  assert.equal(includesDirectory("include /etc/chrony.d/*.conf\n"), true);
  assert.equal(includesDirectory("confdir /run/chrony.d /etc/chrony.d /usr/lib/chrony.d\n"), true);
  assert.equal(includesDirectory("sourcedir /etc/chrony.d\n"), false);
  assert.equal(includesDirectory("# include /etc/chrony.d/*.conf\n"), false);
  assert.equal(includesDirectory("include /etc/chrony.dx/*.conf\n"), false);
});

Deno.test("planChronyChange writes the managed drop-in when chrony.conf includes /etc/chrony.d", () => {
  const plan = planChronyChange(AL2023_CHRONY_CONF, null);
  assert.equal(plan.action, "write-drop-in");
  assert.equal(plan.file, DROP_IN_PATH);
  if (plan.action !== "write-drop-in") return;
  assert.match(plan.content, /^# Managed by ptp-runner/);
  assert.ok(plan.content.split("\n").includes(REFCLOCK_LINE));
});

Deno.test("planChronyChange is a no-op when the drop-in already has the same content", () => {
  const plan = planChronyChange(AL2023_CHRONY_CONF, dropInContent());
  assert.equal(plan.action, "none");
});

Deno.test("planChronyChange appends one marked line when the drop-in directory is not included", () => {
  const plan = planChronyChange(NO_INCLUDE, null);
  assert.equal(plan.action, "append-line");
  if (plan.action !== "append-line") return;
  assert.equal(plan.text, `${REFCLOCK_LINE} # added by ptp-runner\n`);
  const missingNewline = planChronyChange("server 169.254.169.123 iburst", null);
  assert.equal(
    missingNewline.action === "append-line" && missingNewline.text.startsWith("\n"),
    true,
  );
});

Deno.test("planChronyChange sees its own marked line as already present", () => {
  const plan = planChronyChange(`${NO_INCLUDE}${markedLine()}\n`, null);
  assert.equal(plan.action, "none");
});

Deno.test("planChronyChange replaces only an outdated marked line and keeps the user's lines", () => {
  const conf = `${NO_INCLUDE}refclock PHC /dev/ptp_ena poll 2 # added by ptp-runner\nrtcsync\n`;
  const plan = planChronyChange(conf, null);
  assert.equal(plan.action, "replace-marked-line");
  if (plan.action !== "replace-marked-line") return;
  assert.equal(plan.content, `${NO_INCLUDE}${markedLine()}\nrtcsync\n`);
});

Deno.test("planChronyChange never edits a user's own refclock line for /dev/ptp_ena", () => {
  const same = planChronyChange(`${NO_INCLUDE}${REFCLOCK_LINE}\n`, null);
  assert.equal(same.action, "none");
  const other = planChronyChange(
    `${AL2023_CHRONY_CONF}refclock PHC /dev/ptp_ena poll 0 tai\n`,
    null,
  );
  assert.equal(other.action, "conflict");
});

Deno.test("hasAmazonTimeSync finds the Amazon Time Sync server line", () => {
  assert.equal(hasAmazonTimeSync(AL2023_CHRONY_CONF), true);
  assert.equal(hasAmazonTimeSync("pool 2.amazon.pool.ntp.org iburst\n"), false);
});
