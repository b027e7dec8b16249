/**
 * Building remote command lines: POSIX shell quoting and the `sudo -n`
 * prefix `RemoteShell.run({ sudo: true })` adds.
 * @module
 */

/**
 * Quotes `value` as one word for a POSIX shell: bare when it holds only
 * `A-Z a-z 0-9 _ - . / : = @ + ,`, else single-quoted with `'` as `'\''`.
 */
export function shQuote(value: string): string {
  if (value !== "" && /^[A-Za-z0-9_\-./:=@+,]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** Characters that make a command line more than one simple command. */
const SHELL_SYNTAX = /[;&|<>`$()\n\\*?{}\[\]!#~"']/;

/**
 * The command line that runs `command` as root without ever prompting:
 * `sudo -n <command>` for a simple command, or `sudo -n sh -c '<command>'`
 * when it uses shell syntax (pipes, `&&`, redirections, `$(...)`, quotes), so
 * the whole line runs as root and not only its first word.
 */
export function withSudo(command: string): string {
  const trimmed = command.trim();
  return SHELL_SYNTAX.test(trimmed) ? `sudo -n sh -c ${shQuote(trimmed)}` : `sudo -n ${trimmed}`;
}
