/**
 * How one remote command becomes an `AWS-RunShellScript` invocation, and
 * what its output limits are.
 *
 * - The agent runs the `commands` parameter as a shell script as root, with
 *   no login environment: the script sets `HOME` (unset under the agent),
 *   starts in it as an SSH session does, and puts the system binary
 *   directories first on `PATH` (as the SSH transport does, see
 *   `withSystemPath` in plugins/ssh/quote.ts).
 * - `sudo` is not used: the command already runs as root, and a host without
 *   sudo installed still works. Events and results name the command as given.
 * - stdin is fed byte-exact with `printf '%s' '<quoted data>' | { command; }`
 *   (printf is a shell builtin: no argument length limit).
 *
 * Source: AWS Systems Manager User Guide "AWS-RunShellScript" (parameters
 * `commands`, `workingDirectory`, `executionTimeout`; runs as root);
 * SSM API Reference "GetCommandInvocation" (StandardOutputContent: the first
 * 24,000 characters of stdout; StandardErrorContent: the first 8,000 of
 * stderr); the agent marks cut output with `---Output truncated---` /
 * `---Error truncated----` in ListCommandInvocations' `Output`.
 * @module
 */
import { shQuote, SYSTEM_PATH_DIRS } from "../ssh/quote.ts";

/** Name of the SSM document every command runs through. */
export const RUN_SHELL_SCRIPT = "AWS-RunShellScript";
/** Characters of stdout GetCommandInvocation returns at most. */
export const SSM_STDOUT_LIMIT = 24_000;
/** Characters of stderr GetCommandInvocation returns at most. */
export const SSM_STDERR_LIMIT = 8_000;

/** The `commands` parameter of AWS-RunShellScript that runs `command` (with `stdin` fed to it). */
export function runShellScriptCommands(command: string, stdin?: string): string[] {
  const body = stdin === undefined ? command : `printf '%s' ${shQuote(stdin)} | {\n${command}\n}`;
  return [
    [
      'HOME="${HOME:-/root}"; export HOME',
      'cd "$HOME" 2>/dev/null || cd /',
      `PATH=${SYSTEM_PATH_DIRS}:$PATH; export PATH`,
      body,
    ].join("\n"),
  ];
}

/** Which streams of an invocation's output were cut by GetCommandInvocation. */
export interface Truncation {
  stdout: boolean;
  stderr: boolean;
}

/** The agent's marks (`---Output truncated---`, `--output truncated--`, `---Error truncated----`). */
const OUTPUT_MARK = /-{2,4}output truncated-{2,4}\s*$/i;
const ERROR_MARK = /-{2,4}(?:error|output) truncated-{2,4}\s*$/i;

/**
 * Tells which streams may have been cut: content at (or beyond) the limit,
 * or ending with the agent's truncation mark. Output of exactly the limit is
 * counted as cut: the API cannot tell the two apart.
 */
export function detectTruncation(stdout: string, stderr: string): Truncation {
  return {
    stdout: stdout.length >= SSM_STDOUT_LIMIT || OUTPUT_MARK.test(stdout),
    stderr: stderr.length >= SSM_STDERR_LIMIT || ERROR_MARK.test(stderr),
  };
}
