import assert from "node:assert/strict";
import { parseScript, ShellSyntaxError } from "../../../sim/host/shell/parser.ts";
import { testHost } from "./harness.ts";

Deno.test("shell keeps single-quoted text literal and expands variables in double quotes", async () => {
  const h = testHost();
  const r = await h.sh(`echo '$HOME  a' "$HOME  b" $USER\\ c`);
  assert.equal(r.stdout, "$HOME  a /home/ec2-user  b ec2-user c\n");
});

Deno.test("shell runs ; && || in order and short-circuits on exit status", async () => {
  const h = testHost();
  const r = await h.sh("false && echo no; false || echo yes; true && echo both; echo end");
  assert.equal(r.stdout, "yes\nboth\nend\n");
  assert.equal(r.code, 0);
});

Deno.test("shell pipes stdout into the next command and returns the last command's status", async () => {
  const h = testHost();
  const r = await h.sh("printf 'a\\nb\\nc\\n' | grep -c .");
  assert.equal(r.stdout, "3\n");
  const failing = await h.sh("echo x | false");
  assert.equal(failing.code, 1);
  const lastOk = await h.sh("false | echo ok");
  assert.equal(lastOk.code, 0);
});

Deno.test("shell command substitution feeds $(uname -r) into a path", async () => {
  const h = testHost({ kernel: "6.12.40-63.114.amzn2023.x86_64" });
  const r = await h.sh("echo /lib/modules/$(uname -r)/updates");
  assert.equal(r.stdout, "/lib/modules/6.12.40-63.114.amzn2023.x86_64/updates\n");
});

Deno.test("shell redirections write, append, merge stderr and discard to /dev/null", async () => {
  const h = testHost();
  await h.sh("echo one > /tmp/f; echo two >> /tmp/f");
  assert.equal((await h.sh("cat /tmp/f")).stdout, "one\ntwo\n");
  const merged = await h.sh("cat /nope 2>&1");
  assert.equal(merged.stdout, "cat: /nope: No such file or directory\n");
  assert.equal(merged.stderr, "");
  const quiet = await h.sh("cat /nope 2>/dev/null; echo rc=$?");
  assert.equal(quiet.stdout, "rc=1\n");
  assert.equal(quiet.stderr, "");
  const input = await h.sh("grep two < /tmp/f");
  assert.equal(input.stdout, "two\n");
});

Deno.test("shell recursion through sh -c and bash -c keeps quoting", async () => {
  const h = testHost();
  const r = await h.sh(`sh -c 'echo "a b"; bash -c "echo inner"'`);
  assert.equal(r.stdout, "a b\ninner\n");
});

Deno.test("shell globs unquoted patterns and keeps quoted ones literal", async () => {
  const h = testHost();
  await h.sh("mkdir -p /tmp/g; touch /tmp/g/a.conf /tmp/g/b.conf /tmp/g/c.txt");
  assert.equal((await h.sh("echo /tmp/g/*.conf")).stdout, "/tmp/g/a.conf /tmp/g/b.conf\n");
  assert.equal((await h.sh("echo '/tmp/g/*.conf'")).stdout, "/tmp/g/*.conf\n");
  assert.equal((await h.sh("echo /tmp/g/*.none")).stdout, "/tmp/g/*.none\n");
});

Deno.test("shell reports unknown commands with exit 127 and syntax errors with exit 2", async () => {
  const h = testHost();
  const r = await h.sh("ptp4l -i ens5");
  assert.equal(r.code, 127);
  assert.equal(r.stderr, "bash: ptp4l: command not found\n");
  const s = await h.sh("echo 'unterminated");
  assert.equal(s.code, 2);
  assert.match(s.stderr, /unexpected EOF/);
  assert.throws(() => parseScript("echo a &&"), ShellSyntaxError);
  assert.throws(() => parseScript("; echo"), ShellSyntaxError);
});

Deno.test("shell refuses non-root writes to system paths while sudo -n may write", async () => {
  const h = testHost();
  const denied = await h.sh("echo 'options ena phc_enable=1' > /etc/modprobe.d/x.conf");
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /Permission denied/);
  const tee = await h.sh("echo hi | tee /etc/modprobe.d/x.conf");
  assert.equal(tee.code, 1);
  assert.equal(tee.stderr, "tee: /etc/modprobe.d/x.conf: Permission denied\n");
  const ok = await h.sh(
    "echo 'options ena phc_enable=1' | sudo -n tee /etc/modprobe.d/x.conf >/dev/null",
  );
  assert.equal(ok.code, 0);
  assert.equal((await h.sh("cat /etc/modprobe.d/x.conf")).stdout, "options ena phc_enable=1\n");
  assert.equal((await h.sh("sudo -n id -u; id -u")).stdout, "0\n1000\n");
});

Deno.test("shell applies a profile override to a matching simple command before the model", async () => {
  const h = testHost({
    overrides: [
      { command: "modinfo -F version ena", stdout: "1.5.0K\n" },
      { regex: "^ethtool -T ", stdout: "PTP Hardware Clock: 7\n", exit: 0 },
    ],
  });
  assert.equal((await h.sh("sudo -n modinfo -F version ena")).stdout, "1.5.0K\n");
  assert.equal((await h.sh("ethtool -T ens5 | grep PTP")).stdout, "PTP Hardware Clock: 7\n");
  assert.equal((await h.sh("uname -m")).stdout, "x86_64\n");
});

Deno.test("shell variable assignments before a command reach its environment only", async () => {
  const h = testHost();
  const r = await h.sh('FOO=bar env | grep ^FOO=; echo "[$FOO]"');
  assert.equal(r.stdout, "FOO=bar\n[]\n");
});
