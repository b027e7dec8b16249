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

/**
 * Directories of system binaries put before a non-root user's `$PATH` for
 * every remote command: Debian's sshd gives such a user
 * `/usr/local/bin:/usr/bin:/bin:/usr/games`, so `modinfo`, `ethtool` and
 * `chronyd` (all in `/usr/sbin`) answer "command not found" (exit 127) there.
 * Domain source: `shared/NOTES.md` ("A real Linux host with a real PHC").
 */
export const SYSTEM_PATH_DIRS = "/usr/local/sbin:/usr/sbin:/sbin";

/**
 * The line sent over SSH for `command`: it first puts
 * {@link SYSTEM_PATH_DIRS} on `$PATH` (for the command and for `sudo -n`
 * itself), then runs `command` unchanged in the same login shell.
 */
export function withSystemPath(command: string): string {
  return `PATH=${SYSTEM_PATH_DIRS}:$PATH; export PATH; ${command}`;
}
