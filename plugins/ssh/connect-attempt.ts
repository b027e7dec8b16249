/**
 * One SSH connection attempt over ssh2's `Client`, with public-key
 * authentication, asynchronous host key verification, abort support and a
 * classification of failures into "worth retrying" (sshd not up yet) and not.
 *
 * Failure shapes (NOTES.md, ssh2 1.17): connection refused -> `code:
 * "ECONNREFUSED"`, `level: "client-socket"`; wrong key -> `level:
 * "client-authentication"`; host key rejected -> `level: "handshake"`; TCP open
 * but no banner -> `level: "client-timeout"` after `readyTimeout`.
 * @module
 */
import type { Readable } from "node:stream";
import { Client } from "ssh2";
import type { AgentAuthMethod, ParsedKey, PublicKeyAuthMethod, ServerHostKeyAlgorithm } from "ssh2";
import type { Buffer } from "node:buffer";
import type { ErrorKind } from "../../runner/errors.ts";

/** Where to connect. */
export interface SshEndpoint {
  /** Host name or IP address. */
  host: string;
  /** TCP port. */
  port: number;
  /** Remote user, e.g. `ec2-user`. */
  user: string;
}

/** Options of {@link connectOnce}. */
export interface AttemptOptions {
  endpoint: SshEndpoint;
  /** Private key parsed by ssh2 (else `agent`). */
  key?: ParsedKey;
  /** Socket of the ssh-agent whose keys authenticate (`SSH_AUTH_SOCK`), when no `key`. */
  agent?: string;
  /** Milliseconds to wait for the SSH handshake (banner, key exchange, auth) to finish. */
  readyTimeoutMs: number;
  /** Keepalive interval in milliseconds (0 disables); 3 unanswered keepalives drop the connection. */
  keepaliveIntervalMs: number;
  /**
   * Host key algorithms to ask for first (e.g. those of the keys known_hosts
   * lists); ssh2's other defaults follow. Undefined: ssh2's order.
   */
  hostKeyAlgorithms?: string[];
  /** An already-open stream to speak SSH over (jump host `forwardOut`), instead of TCP. */
  sock?: Readable;
  /**
   * Checks the host key blob the server presented; resolves null to accept
   * or a reason to refuse.
   */
  verifyHostKey(keyBlob: Uint8Array): Promise<string | null>;
  /** Aborting destroys the attempt and rejects with the signal's reason. */
  signal: AbortSignal;
}

/** Host key algorithms ssh2 1.17 can verify (others, e.g. `sk-…`, cannot be asked for). */
const SSH2_HOST_KEY_ALGORITHMS: readonly ServerHostKeyAlgorithm[] = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "rsa-sha2-512",
  "rsa-sha2-256",
  "ssh-rsa",
  "ssh-dss",
];

/** The algorithms of `wanted` ssh2 supports, in order (none: undefined). */
function supportedHostKeyAlgorithms(
  wanted: readonly string[] | undefined,
): ServerHostKeyAlgorithm[] | undefined {
  const supported = SSH2_HOST_KEY_ALGORITHMS.filter((a) => wanted?.includes(a))
    .sort((a, b) => wanted!.indexOf(a) - wanted!.indexOf(b));
  return supported.length > 0 ? supported : undefined;
}

/** Why one attempt failed, and whether waiting and trying again may help. */
export class AttemptError extends Error {
  /** Kind the step should report if it gives up on this error. */
  readonly kind: ErrorKind;
  /** True when the server may simply not be up yet (refused, timeout, unreachable, no banner). */
  readonly retryable: boolean;
  /** ssh2 error level (`client-socket`, `client-timeout`, `client-authentication`, `handshake`, ...). */
  readonly level?: string;
  /** Socket error code, e.g. `ECONNREFUSED`. */
  readonly code?: string;
  constructor(
    message: string,
    init: { kind: ErrorKind; retryable: boolean; level?: string; code?: string; cause?: unknown },
  ) {
    super(message, { cause: init.cause });
    this.name = "AttemptError";
    this.kind = init.kind;
    this.retryable = init.retryable;
    this.level = init.level;
    this.code = init.code;
  }
}

const RETRYABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "EPIPE",
  "EAI_AGAIN",
]);

/**
 * Classifies an ssh2 connection error. A refused host key is never
 * retryable (kind `config`); an authentication failure is kind `auth` and
 * retryable (right after boot cloud-init may not have installed the key yet;
 * the caller bounds how often).
 */
export function classifyConnectError(
  error: Error & { level?: string; code?: string },
  hostKeyRefusal: string | null,
  /** Where the keys came from when not a key file, e.g. `the ssh-agent at SSH_AUTH_SOCK=/tmp/a`. */
  keySource?: string,
): AttemptError {
  const { level, code } = error;
  if (hostKeyRefusal) {
    return new AttemptError(hostKeyRefusal, { kind: "config", retryable: false, level, code });
  }
  if (level === "agent") {
    // The ssh-agent failed (gone, refused to sign): waiting for sshd does not help.
    return new AttemptError(`ssh-agent: ${error.message}`, {
      kind: "config",
      retryable: false,
      level,
      code,
      cause: error,
    });
  }
  if (level === "client-authentication") {
    const which = keySource ? ` (tried the keys of ${keySource})` : "";
    return new AttemptError(`authentication refused${which}: ${error.message}`, {
      kind: "auth",
      retryable: true,
      level,
      code,
      cause: error,
    });
  }
  const retryable = level === "client-timeout" || level === "client-socket" ||
    level === "protocol" || level === "handshake" ||
    (code !== undefined && RETRYABLE_CODES.has(code)) ||
    /timed out|refused|reset|lost|unreachable|closed/i.test(error.message);
  const what = level === "client-timeout"
    ? "no SSH banner/handshake in time"
    : code
    ? `${code}`
    : error.message;
  // Node's socket messages ("connect ECONNREFUSED 10.0.0.1:22") add nothing to the code.
  const detail = code && what !== error.message && !error.message.includes(code)
    ? ` (${error.message})`
    : "";
  return new AttemptError(`${what}${detail}`, {
    kind: "connection",
    retryable,
    level,
    code,
    cause: error,
  });
}

/**
 * Opens one authenticated SSH connection.
 * @returns the ready client (caller owns it and must `end()` it).
 * @throws AttemptError (see {@link classifyConnectError}); the signal's reason on abort.
 */
export function connectOnce(options: AttemptOptions): Promise<Client> {
  const { endpoint, signal } = options;
  signal.throwIfAborted();
  return new Promise<Client>((resolve, reject) => {
    const client = new Client();
    let settled = false;
    let hostKeyRefusal: string | null = null;
    const finish = (error: unknown, ok?: Client) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      if (ok) resolve(ok);
      else {
        client.removeAllListeners("ready");
        client.destroy();
        reject(error);
      }
    };
    const onAbort = () => finish(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    client.on("ready", () => {
      client.removeListener("error", onError);
      client.removeListener("close", onClose);
      // Later errors surface through the session's own handlers.
      client.on("error", () => {});
      finish(null, client);
    });
    const onError = (error: Error & { level?: string; code?: string }) =>
      finish(
        classifyConnectError(
          error,
          hostKeyRefusal,
          options.key ? undefined : `the ssh-agent at SSH_AUTH_SOCK=${options.agent}`,
        ),
      );
    const onClose = () =>
      finish(
        hostKeyRefusal
          ? new AttemptError(hostKeyRefusal, { kind: "config", retryable: false })
          : new AttemptError("connection closed during the SSH handshake", {
            kind: "connection",
            retryable: true,
          }),
      );
    client.on("error", onError);
    client.on("close", onClose);
    const preferred = supportedHostKeyAlgorithms(options.hostKeyAlgorithms);
    const auth: PublicKeyAuthMethod | AgentAuthMethod = options.key
      ? { type: "publickey", username: endpoint.user, key: options.key }
      : { type: "agent", username: endpoint.user, agent: options.agent ?? "" };
    try {
      client.connect({
        host: endpoint.host,
        port: endpoint.port,
        username: endpoint.user,
        ...(options.sock ? { sock: options.sock } : {}),
        ...(preferred
          ? {
            // Moved to the front of ssh2's list (remove, then prepend), keeping the rest.
            algorithms: { serverHostKey: { remove: preferred, prepend: preferred, append: [] } },
          }
          : {}),
        authHandler: [auth],
        readyTimeout: options.readyTimeoutMs,
        keepaliveInterval: options.keepaliveIntervalMs,
        keepaliveCountMax: 3,
        // Must not be an async function: ssh2 treats any returned value as the verdict.
        hostVerifier: (key: Buffer, verify: (valid: boolean) => void): void => {
          options.verifyHostKey(new Uint8Array(key)).then(
            (refusal) => {
              hostKeyRefusal = refusal;
              verify(refusal === null);
            },
            (error) => {
              hostKeyRefusal = `host key check failed: ${(error as Error).message}`;
              verify(false);
            },
          );
        },
      });
      // Commands are small request/response exchanges: do not let Nagle delay them.
      client.setNoDelay(true);
    } catch (error) {
      finish(
        new AttemptError(`cannot start SSH connection: ${(error as Error).message}`, {
          kind: "config",
          retryable: false,
          cause: error,
        }),
      );
    }
  });
}
