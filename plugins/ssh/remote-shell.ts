/**
 * {@link RemoteShell} over ssh2: one connection per target, reused by every
 * command, with reconnect (backoff, same host key) and a per-step view so
 * `command` events name the step that ran them.
 * @module
 */
import type { Client, ParsedKey } from "ssh2";
import { StepError } from "../../runner/errors.ts";
import { outputTail, StepBoundShell } from "./step-bound-shell.ts";
import type { StepContext } from "../../runner/types.ts";
import { AttemptError, connectOnce, type SshEndpoint } from "./connect-attempt.ts";
import { execCommand, type ExecOutcome } from "./exec.ts";
import type { HostKeyTrust } from "./host-key-trust.ts";
import { forwardThrough } from "./jump-host.ts";
import { withSudo, withSystemPath } from "./quote.ts";
import type { CommandResult, RunOptions } from "./types.ts";
import { type Backoff, waitForSsh } from "./wait-for-sshd.ts";

/** Everything a session needs to (re)connect. */
export interface SessionConfig {
  /** Target id, put on `command` events. */
  targetId: string;
  /** The host to run commands on. */
  target: SshEndpoint;
  /** Optional jump host the target is reached through. */
  jump?: SshEndpoint;
  /** Parsed private key (used for the jump host too); else `agent`. */
  key?: ParsedKey;
  /** Socket of the ssh-agent that authenticates (target and jump host) when there is no `key`. */
  agent?: string;
  /** Host key trust of the target. */
  targetTrust: HostKeyTrust;
  /** Host key trust of the jump host (required with `jump`). */
  jumpTrust?: HostKeyTrust;
  /** Bound of each wait for sshd (connect and reconnect), seconds. */
  waitTimeoutSeconds: number;
  /** Per-attempt SSH handshake timeout, milliseconds (default 20000). */
  readyTimeoutMs?: number;
  /** Keepalive interval, milliseconds (default 15000; 0 disables). */
  keepaliveIntervalMs?: number;
  /** Backoff between attempts (default {@link DEFAULT_BACKOFF}). */
  backoff?: Backoff;
  /** Give up soon on refused connections (an existing host, not a booting instance). */
  failFastOnRefused?: boolean;
}

interface Connection {
  client: Client;
  jump?: Client;
  /** The connection can no longer run commands (dropped or being closed). */
  lost: boolean;
  /** Sockets already closed: ssh2 `close` seen on each client. */
  closed: Set<Client>;
}

/** `user@host:port` of an endpoint. */
export function describeEndpoint(e: SshEndpoint): string {
  return `${e.user}@${e.host.includes(":") ? `[${e.host}]` : e.host}:${e.port}`;
}

/**
 * An SSH session to one target. Create it, {@link connect} it, store it in
 * the service registry (it has `close()`), and hand steps `forStep` views.
 */
export class SshRemoteShell extends StepBoundShell {
  readonly config: SessionConfig;
  #conn?: Connection;
  #closed = false;

  /** @param ctx context of the step that opened it (events of un-bound calls name that step). */
  constructor(ctx: StepContext, config: SessionConfig) {
    super(ctx);
    this.config = config;
  }

  /** `user@host:port` of the target. */
  get endpoint(): string {
    return describeEndpoint(this.config.target);
  }

  /** True while the connection is open. */
  get connected(): boolean {
    return this.#conn !== undefined && !this.#conn.lost;
  }

  /**
   * Connects (waiting for sshd with backoff) unless already connected.
   * @throws StepError `connection` when the wait runs out, `auth` for a refused key,
   *   `config` for a refused host key; the signal's reason on abort.
   */
  async connect(signal: AbortSignal, ctx: StepContext = this.openerCtx): Promise<void> {
    if (this.#closed) throw new StepError("internal", `SSH session to ${this.endpoint} was closed`);
    if (this.connected) return;
    this.#conn = await waitForSsh(ctx, () => this.#attempt(signal), {
      description: this.endpoint +
        (this.config.jump ? ` via ${describeEndpoint(this.config.jump)}` : ""),
      waitTimeoutSeconds: this.config.waitTimeoutSeconds,
      backoff: this.config.backoff,
      failFastOnRefused: this.config.failFastOnRefused,
      signal,
    });
  }

  async #attempt(signal: AbortSignal): Promise<Connection> {
    const { config } = this;
    const common = {
      key: config.key,
      agent: config.agent,
      readyTimeoutMs: config.readyTimeoutMs ?? 20_000,
      keepaliveIntervalMs: config.keepaliveIntervalMs ?? 15_000,
      signal,
    };
    let jump: Client | undefined;
    let sock;
    if (config.jump) {
      const jumpEndpoint = config.jump;
      const jumpName = describeEndpoint(jumpEndpoint);
      const trust = config.jumpTrust;
      if (!trust) throw new StepError("internal", "jump host without host key trust");
      try {
        jump = await connectOnce({
          ...common,
          endpoint: jumpEndpoint,
          hostKeyAlgorithms: await trust.preferredAlgorithms(),
          verifyHostKey: (blob) => trust.verify(jumpName, blob),
        });
        sock = await forwardThrough(jump, config.target);
      } catch (error) {
        jump?.end();
        if (error instanceof AttemptError) {
          throw new AttemptError(`jump host ${jumpName}: ${error.message}`, {
            kind: error.kind,
            retryable: error.retryable,
            level: error.level,
            code: error.code,
            cause: error,
          });
        }
        throw error;
      }
    }
    let client: Client;
    try {
      client = await connectOnce({
        ...common,
        endpoint: config.target,
        hostKeyAlgorithms: await config.targetTrust.preferredAlgorithms(),
        sock,
        verifyHostKey: (blob) => config.targetTrust.verify(this.endpoint, blob),
      });
    } catch (error) {
      jump?.end();
      throw error;
    }
    const conn: Connection = { client, jump, lost: false, closed: new Set() };
    client.on("close", () => {
      conn.lost = true;
      conn.closed.add(client);
    });
    client.on("end", () => {
      conn.lost = true;
    });
    jump?.on("close", () => {
      conn.lost = true;
      conn.closed.add(jump!);
      client.end();
    });
    return conn;
  }

  /**
   * Runs `command` and emits a `command` event through `ctx`.
   * @throws see {@link RemoteShell.run}.
   */
  override async runFor(
    ctx: StepContext,
    command: string,
    options: RunOptions = {},
  ): Promise<CommandResult> {
    const sent = options.sudo ? withSudo(command) : command;
    options.signal?.throwIfAborted();
    const conn = this.#conn;
    if (!conn || conn.lost) {
      throw new StepError(
        "connection",
        `SSH connection to ${this.endpoint} is ${
          conn ? "lost" : "not open"
        }; cannot run \`${sent}\` (after a reboot or driver reload call reconnect())`,
      );
    }
    const started = performance.now();
    let outcome: ExecOutcome;
    try {
      // The PATH prefix is transport: events and results name the command as the step wrote it.
      outcome = await execCommand(conn.client, withSystemPath(sent), {
        stdin: options.stdin,
        abortSignal: options.signal,
        isConnectionLost: () => conn.lost,
      });
    } catch (error) {
      const durationMs = Math.round(performance.now() - started);
      if (options.expectDisconnect && conn.lost) {
        ctx.emit({
          type: "command",
          targetId: this.config.targetId,
          stepId: ctx.step.id,
          command: sent,
          exitCode: null,
          durationMs,
        });
        return { command: sent, stdout: "", stderr: "", exitCode: null, durationMs };
      }
      throw new StepError(
        "connection",
        `SSH to ${this.endpoint}: cannot start \`${sent}\` (${(error as Error).message})`,
        { cause: error },
      );
    }
    ctx.emit({
      type: "command",
      targetId: this.config.targetId,
      stepId: ctx.step.id,
      command: sent,
      exitCode: outcome.exitCode,
      ...(outcome.signal ? { signal: outcome.signal } : {}),
      durationMs: outcome.durationMs,
    });
    if (outcome.aborted) {
      throw options.signal?.reason ?? new DOMException("aborted", "AbortError");
    }
    const result: CommandResult = {
      command: sent,
      stdout: outcome.stdout,
      stderr: outcome.stderr,
      exitCode: outcome.exitCode,
      ...(outcome.signal ? { signal: outcome.signal } : {}),
      durationMs: outcome.durationMs,
    };
    if (outcome.dropped) {
      if (options.expectDisconnect) return result;
      throw new StepError(
        "connection",
        `SSH connection to ${this.endpoint} dropped while running \`${sent}\``,
        { evidence: outputTail(outcome.stderr + outcome.stdout) || undefined },
      );
    }
    if (options.check && result.exitCode !== 0) {
      const status = result.exitCode === null
        ? `was killed${result.signal ? ` by SIG${result.signal}` : ""}`
        : `exited with status ${result.exitCode}`;
      const evidence = outputTail(result.stderr) || outputTail(result.stdout);
      throw new StepError(
        "command",
        `\`${sent}\` ${status} on ${this.endpoint}${
          evidence ? `: ${evidence.split("\n").slice(-1)[0]}` : ""
        }`,
        { evidence: evidence || undefined },
      );
    }
    return result;
  }

  /**
   * Drops the connection and connects again with backoff, verifying the
   * host key is the one accepted before.
   * @throws see {@link RemoteShell.reconnect}.
   */
  override async reconnectFor(ctx: StepContext, signal?: AbortSignal): Promise<void> {
    const old = this.#conn;
    this.#conn = undefined;
    if (old) await closeConnection(old);
    await this.connect(signal ?? new AbortController().signal, ctx);
  }

  /** Closes the connection (and the jump host's); waits briefly for the sockets to close. Never throws. */
  async close(): Promise<void> {
    this.#closed = true;
    const conn = this.#conn;
    this.#conn = undefined;
    if (conn) await closeConnection(conn);
  }
}

/** Ends a connection and waits (up to 2 s) for its sockets to close, then destroys them. */
async function closeConnection(conn: Connection): Promise<void> {
  conn.lost = true;
  const open = [conn.client, conn.jump].filter((c): c is Client =>
    c !== undefined && !conn.closed.has(c)
  );
  await Promise.all(open.map(
    (client) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          client.destroy();
          done();
        }, 2000);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        client.once("close", done);
        try {
          client.end();
        } catch {
          done();
        }
      }),
  ));
}
