/**
 * The AWS-RunShellScript script of plugins/ssm/script.ts, run by a real
 * `/bin/sh` as the agent would: stdin reaches the command byte-exact, the
 * exit status is the command's, and truncation is detected at the limits.
 */
import assert from "node:assert/strict";
import {
  detectTruncation,
  runShellScriptCommands,
  SSM_STDERR_LIMIT,
  SSM_STDOUT_LIMIT,
} from "../../plugins/ssm/script.ts";

/** Runs the script like the agent (the `commands` lines joined by newlines, run by sh). */
async function runScript(lines: string[]): Promise<{ code: number; stdout: string }> {
  const out = await new Deno.Command("/bin/sh", {
    args: ["-c", lines.join("\n")],
    env: { PATH: "/usr/bin:/bin" },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: new TextDecoder().decode(out.stdout) };
}

Deno.test("stdin reaches the command byte-exact, quotes, $, backslashes and no final newline included", async () => {
  for (
    const stdin of [
      "refclock PHC /dev/ptp0 poll 0 delay 0.000010 prefer\n",
      "no newline at the end",
      'it\'s $HOME `date` \\n "quoted"\n\n',
      "",
    ]
  ) {
    const { code, stdout } = await runScript(runShellScriptCommands("cat", stdin));
    assert.equal(code, 0);
    assert.equal(stdout, stdin);
  }
});

Deno.test("the script's exit status is the command's, with and without stdin", async () => {
  assert.equal((await runScript(runShellScriptCommands("exit 7"))).code, 7);
  assert.equal((await runScript(runShellScriptCommands("cat >/dev/null; exit 5", "x"))).code, 5);
});

Deno.test("the script sets HOME when the agent leaves it unset and puts the system directories on PATH", async () => {
  const { stdout } = await runScript(runShellScriptCommands('echo "$HOME $PATH"'));
  assert.match(stdout, /^\/root \/usr\/local\/sbin:\/usr\/sbin:\/sbin:/);
});

Deno.test("truncation: at the limits, or with the agent's marks, and not below", () => {
  assert.deepEqual(
    detectTruncation("x".repeat(SSM_STDOUT_LIMIT - 1), "e".repeat(SSM_STDERR_LIMIT - 1)),
    {
      stdout: false,
      stderr: false,
    },
  );
  assert.deepEqual(detectTruncation("x".repeat(SSM_STDOUT_LIMIT), "e".repeat(SSM_STDERR_LIMIT)), {
    stdout: true,
    stderr: true,
  });
  assert.deepEqual(detectTruncation("abc\n---Output truncated---", "abc\n---Error truncated----"), {
    stdout: true,
    stderr: true,
  });
});

Deno.test("truncation: the simulator's and the agent's lower-case marks count too", () => {
  assert.deepEqual(detectTruncation("abc--output truncated--", "abc--output truncated--"), {
    stdout: true,
    stderr: true,
  });
});
