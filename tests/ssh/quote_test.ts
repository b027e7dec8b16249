import assert from "node:assert/strict";
import { shQuote, withSudo } from "../../plugins/ssh/quote.ts";

Deno.test("shQuote leaves safe words bare and single-quotes the rest", () => {
  assert.equal(shQuote("ens5"), "ens5");
  assert.equal(shQuote("/etc/chrony.d/ptp-runner.conf"), "/etc/chrony.d/ptp-runner.conf");
  assert.equal(shQuote(""), "''");
  assert.equal(shQuote("a b"), "'a b'");
  assert.equal(shQuote("it's"), `'it'\\''s'`);
  assert.equal(shQuote("$(reboot)"), "'$(reboot)'");
});

Deno.test("withSudo prefixes a simple command and wraps shell syntax so all of it runs as root", () => {
  assert.equal(withSudo("systemctl restart chronyd"), "sudo -n systemctl restart chronyd");
  assert.equal(withSudo("  udevadm trigger "), "sudo -n udevadm trigger");
  assert.equal(
    withSudo("udevadm control --reload-rules && udevadm trigger --subsystem-match=ptp"),
    "sudo -n sh -c 'udevadm control --reload-rules && udevadm trigger --subsystem-match=ptp'",
  );
  assert.equal(
    withSudo("cat /sys/class/ptp/*/clock_name"),
    "sudo -n sh -c 'cat /sys/class/ptp/*/clock_name'",
  );
  assert.equal(
    withSudo("echo 'options ena phc_enable=1' > /etc/modprobe.d/x.conf"),
    `sudo -n sh -c 'echo '\\''options ena phc_enable=1'\\'' > /etc/modprobe.d/x.conf'`,
  );
});
