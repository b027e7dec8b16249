/**
 * Contracts of the SSH plugin: the remote shell host steps run commands
 * through. Implemented in `plugins/ssh/` over ssh2.
 * @module
 */

/** Result of one remote command. */
export interface CommandResult {
  /** The command line as sent (never contains secrets). */
  command: string;
  /** Standard output, UTF-8. */
  stdout: string;
  /** Standard error, UTF-8. */
  stderr: string;
  /** Exit status; null when the process was killed by a signal or the connection dropped. */
  exitCode: number | null;
  /** Signal name when killed by a signal (e.g. `TERM`). */
  signal?: string;
  /** Wall time, milliseconds. */
  durationMs: number;
  /**
   * Streams the transport cut (SSM returns the first 24,000 characters of
   * stdout and 8,000 of stderr); absent when nothing was cut (always over SSH).
   */
  truncated?: { stdout: boolean; stderr: boolean };
}

/** Options of {@link RemoteShell.run}. */
export interface RunOptions {
  /** Aborting kills the remote process (signal, then channel close) and rejects. */
  signal?: AbortSignal;
  /** Data written to the command's stdin, then EOF. */
  stdin?: string;
  /** Prefix `sudo -n` (never prompts for a password); over SSM commands run as root already. */
  sudo?: boolean;
  /** Throw a `StepError("command")` when the exit status is not 0 (default false). */
  check?: boolean;
  /** Expect the connection to drop (driver reload, reboot): a drop is not an error. */
  expectDisconnect?: boolean;
}

/**
 * A command runner bound to one target: over SSH (plugins/ssh/remote-shell.ts)
 * or SSM Run Command (plugins/ssm/remote-shell.ts); host steps do not know which.
 */
export interface RemoteShell {
  /**
   * Runs `command` through the remote user's shell and records a `command`
   * event (command, exit status, duration). The SSH session puts
   * `/usr/local/sbin:/usr/sbin:/sbin` before the user's `$PATH` first (see
   * `withSystemPath` in quote.ts); events and results name `command` as given.
   * @throws StepError kind `connection` when the connection is lost (unless `expectDisconnect`),
   *   `command` when `check` is set and the exit status is not 0, `cancelled` on abort.
   */
  run(command: string, options?: RunOptions): Promise<CommandResult>;
  /**
   * Drops the connection (if still open) and connects again with backoff,
   * verifying the host key is unchanged. Used after a driver reload or reboot.
   * @throws StepError kind `connection` when the bounded wait runs out; `config`
   *   when the host key changed.
   */
  reconnect(signal?: AbortSignal): Promise<void>;
}
