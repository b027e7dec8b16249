/**
 * Running one command on an open ssh2 connection: collect stdout/stderr,
 * exit status or signal, kill the remote process on abort, and notice a
 * connection that drops under the command.
 * @module
 */
import { Buffer } from "node:buffer";
import type { Client, ClientChannel } from "ssh2";

/** What happened to one remote command. */
export interface ExecOutcome {
  stdout: string;
  stderr: string;
  /** Exit status; null when killed by a signal, aborted or the connection dropped. */
  exitCode: number | null;
  /** Signal name (e.g. `KILL`, `TERM`) when the process died of one. */
  signal?: string;
  /** True when the connection dropped before the command finished. */
  dropped: boolean;
  /** True when `abortSignal` aborted it (the remote process was sent KILL and the channel closed). */
  aborted: boolean;
  /** Wall time, milliseconds. */
  durationMs: number;
}

/** Options of {@link execCommand}. */
export interface ExecOptions {
  /** Written to stdin, then EOF. Without it stdin is closed at once (like `ssh host cmd </dev/null`). */
  stdin?: string;
  /** Aborting kills the remote process: `signal KILL` on the channel, then close. */
  abortSignal?: AbortSignal;
  /** Tells whether the connection is gone (checked when the channel closes without an exit status). */
  isConnectionLost: () => boolean;
}

/**
 * Executes `command` on `client`. Never rejects for a non-zero exit, a drop
 * or an abort (see the flags of {@link ExecOutcome}); rejects only when the
 * channel cannot be opened, with ssh2's error. On abort it sends `signal KILL`
 * and closes the channel, and settles at once without waiting for the server.
 */
export function execCommand(
  client: Client,
  command: string,
  options: ExecOptions,
): Promise<ExecOutcome> {
  const started = performance.now();
  return new Promise<ExecOutcome>((resolve, reject) => {
    const { abortSignal } = options;
    let channel: ClientChannel | undefined;
    let aborted = false;
    let settled = false;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let exitCode: number | null = null;
    let signalName: string | undefined;
    let exited = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      abortSignal?.removeEventListener("abort", onAbort);
      resolve({
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        exitCode: exited && !aborted ? exitCode : null,
        ...(signalName ? { signal: signalName } : aborted ? { signal: "KILL" } : {}),
        dropped: !exited && !aborted && options.isConnectionLost(),
        aborted,
        durationMs: Math.round(performance.now() - started),
      });
    };
    const kill = (ch: ClientChannel) => {
      try {
        sendSignal(ch, "KILL");
      } catch { /* channel already closing */ }
      try {
        ch.close();
      } catch { /* already closed */ }
    };
    // Settles at once: a server that ignores the signal (e.g. OpenSSH refuses
    // signals to ForceCommand sessions) must not keep the step waiting.
    const onAbort = () => {
      aborted = true;
      if (channel) kill(channel);
      settle();
    };
    abortSignal?.addEventListener("abort", onAbort, { once: true });
    client.exec(command, (error, ch) => {
      if (error) {
        if (settled) return;
        settled = true;
        abortSignal?.removeEventListener("abort", onAbort);
        reject(error);
        return;
      }
      channel = ch;
      if (aborted) {
        kill(ch);
        return;
      }
      ch.on("data", (chunk: Buffer) => out.push(chunk));
      ch.stderr.on("data", (chunk: Buffer) => err.push(chunk));
      ch.on("exit", (code: number | null, signal?: string) => {
        exited = true;
        exitCode = typeof code === "number" ? code : null;
        if (signal) signalName = signal.replace(/^SIG/, "");
      });
      ch.on("close", settle);
      if (options.stdin !== undefined) ch.end(options.stdin);
      else ch.end();
    });
  });
}

/** The parts of ssh2's channel internals {@link sendSignal} needs (ssh2 1.17). */
interface ChannelInternals {
  outgoing?: { id: number; state: string };
  _client?: { _protocol?: { signal(id: number, name: string): void } };
}

/**
 * Sends an SSH `signal` channel request (RFC 4254 section 6.9). ssh2's
 * `channel.signal()` sends nothing once our side of the channel has ended
 * (stdin EOF is sent at once), so the request goes through the protocol
 * object directly while the channel is open (requests are allowed after EOF).
 */
function sendSignal(channel: ClientChannel, name: string): void {
  const internals = channel as unknown as ChannelInternals;
  const protocol = internals._client?._protocol;
  const outgoing = internals.outgoing;
  if (outgoing && (outgoing.state === "open" || outgoing.state === "eof") && protocol) {
    protocol.signal(outgoing.id, name);
  } else {
    channel.signal(name);
  }
}
