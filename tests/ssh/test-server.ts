/**
 * An in-process ssh2 `Server` on 127.0.0.x for the SSH plugin's tests: public
 * key authentication against one authorised key, and a handful of scripted
 * commands (`echo`, `fail N`, `stderr`, `killed TERM`, `sleep`, `cat`, `drop`,
 * `whoami`). Records the commands it ran and the signals it received.
 * @module
 */
import { Buffer } from "node:buffer";
import { connect, type Server as NetServer, type Socket } from "node:net";
import { timingSafeEqual } from "node:crypto";
import ssh2 from "ssh2";
import type { Connection, ParsedKey, ServerChannel } from "ssh2";
import { generateEd25519KeyPair } from "../../sim/keygen.ts";

const { Server, utils } = ssh2;

/** A key pair made in-process. */
export interface TestKeyPair {
  /** Private key text (OpenSSH or PEM). */
  private: string;
  /** Public key line `ssh-ed25519 AAAA...`. */
  public: string;
}

/**
 * Generates an ed25519 key pair (OpenSSH format), optionally encrypted.
 * ssh2's generator under Deno sometimes (about 1 in 600) drops a leading zero
 * byte of the key and writes a malformed file: generate again until it parses.
 */
export function ed25519Key(passphrase?: string): TestKeyPair {
  return generateEd25519KeyPair({ passphrase });
}

/** Generates an RSA key pair as EC2 hands it out (PEM / PKCS#1). */
export async function rsaPemKey(): Promise<TestKeyPair> {
  const { generateKeyPairSync } = await import("node:crypto");
  const pair = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "pkcs1", format: "pem" },
  });
  const parsed = utils.parseKey(pair.privateKey) as ParsedKey;
  return {
    private: pair.privateKey,
    public: `${parsed.type} ${parsed.getPublicSSH().toString("base64")}`,
  };
}

/** Options of {@link startTestServer}. */
export interface TestServerOptions {
  /** Loopback address, default 127.0.0.1. */
  host?: string;
  /** Port; 0 (default) picks a free one. */
  port?: number;
  /** Host key (private, OpenSSH); generated when absent. */
  hostKey?: TestKeyPair;
  /** Public key allowed to log in. */
  authorizedKey: string;
  /** User allowed to log in (default `ec2-user`). */
  user?: string;
  /** Accept `tcpip` forwarding requests (to act as a jump host). */
  allowForwarding?: boolean;
  /** More host keys (e.g. an RSA one besides the ed25519 `hostKey`), as sshd has one per type. */
  extraHostKeys?: TestKeyPair[];
}

/** The `PATH=DIRS:$PATH; export PATH; ` prefix of every line the SSH plugin sends. */
const PATH_PREFIX = /^PATH=[^;\s]+:\$PATH; export PATH; /;

/** A running test server. */
export interface TestServer {
  host: string;
  port: number;
  hostKey: TestKeyPair;
  /** Commands received, in order (after the PATH prefix the login shell ran). */
  commands: string[];
  /** Command lines exactly as received, in order. */
  lines: string[];
  /** Signals received by running commands (`KILL`, ...). */
  signals: string[];
  /** Number of commands whose channel closed before they finished. */
  killed: number;
  /** Forwarding requests served (`host:port`). */
  forwards: string[];
  /** Drops every client connection at once (like a driver reload). */
  dropAll(): void;
  /** Stops listening and drops every connection. */
  close(): Promise<void>;
}

/** Finds a free TCP port on `host`. */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  const listener = Deno.listen({ hostname: host, port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  await Promise.resolve();
  return port;
}

/** Starts an ssh2 server; resolves once it listens. */
export function startTestServer(options: TestServerOptions): Promise<TestServer> {
  const host = options.host ?? "127.0.0.1";
  const hostKey = options.hostKey ?? ed25519Key();
  const allowed = utils.parseKey(options.authorizedKey) as ParsedKey;
  const allowedPub = allowed.getPublicSSH();
  const user = options.user ?? "ec2-user";
  const connections = new Set<Connection>();
  const sockets = new Set<Socket>();
  const state = {
    commands: [] as string[],
    lines: [] as string[],
    signals: [] as string[],
    killed: 0,
    forwards: [] as string[],
  };

  // ssh2's Server drops `signal` requests that come after the client's EOF (it
  // sends EOF at once), so signals are recorded from the protocol debug log.
  const debug = (message: string) => {
    const m = /Inbound: CHANNEL_REQUEST \(r:\d+, signal: (\S+)\)$/.exec(message);
    if (m) state.signals.push(m[1]);
  };
  const hostKeys = [hostKey.private, ...(options.extraHostKeys ?? []).map((k) => k.private)];
  const server = new Server({ hostKeys, debug }, (client) => {
    connections.add(client);
    (client as unknown as { setNoDelay(on: boolean): void }).setNoDelay(true);
    client.on("close", () => connections.delete(client));
    client.on("error", () => {});
    client.on("authentication", (ctx) => {
      if (
        ctx.method === "publickey" && ctx.username === user &&
        ctx.key.algo === allowed.type && ctx.key.data.length === allowedPub.length &&
        timingSafeEqual(ctx.key.data, allowedPub)
      ) {
        if (!ctx.signature) return ctx.accept(); // key query before signing
        if (allowed.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) === true) return ctx.accept();
      }
      ctx.reject(["publickey"]);
    });
    client.on("ready", () => {
      client.on("tcpip", (accept, reject, info) => {
        if (!options.allowForwarding) return reject();
        state.forwards.push(`${info.destIP}:${info.destPort}`);
        const sock = connect(info.destPort, info.destIP);
        sockets.add(sock);
        sock.on("close", () => sockets.delete(sock));
        sock.once("connect", () => {
          const channel = accept();
          sock.pipe(channel).pipe(sock);
          channel.on("close", () => sock.destroy());
          sock.on("close", () => channel.close());
        });
        sock.once("error", () => reject());
      });
      client.on("session", (acceptSession) => {
        const session = acceptSession();
        session.on("exec", (accept, _reject, info) => {
          const channel = accept();
          // Like a login shell, run the `PATH=...; export PATH;` prefix the SSH plugin sends.
          state.lines.push(info.command);
          const command = info.command.replace(PATH_PREFIX, "");
          state.commands.push(command);
          runCommand(command, channel, { stopped: false }, state, () => client.end());
        });
      });
    });
  });

  return new Promise((resolve, reject) => {
    const net = server as unknown as NetServer;
    net.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      const port = (net.address() as { port: number }).port;
      const dropAll = () => {
        for (const c of connections) {
          // Abrupt, like a NIC going away: destroy the socket under the SSH connection.
          const sock = (c as unknown as { _sock?: Socket })._sock;
          if (sock) sock.destroy();
          else c.end();
        }
        for (const s of sockets) s.destroy();
      };
      resolve({
        host,
        port,
        hostKey,
        get commands() {
          return state.commands;
        },
        get lines() {
          return state.lines;
        },
        get signals() {
          return state.signals;
        },
        get killed() {
          return state.killed;
        },
        get forwards() {
          return state.forwards;
        },
        dropAll,
        close: () =>
          new Promise<void>((done) => {
            dropAll();
            net.close(() => done());
          }),
      });
    });
  });
}

function runCommand(
  command: string,
  channel: ServerChannel,
  running: { stopped: boolean },
  state: { killed: number },
  endClient: () => void,
): void {
  const [word, ...args] = command.split(" ");
  const finish = (code: number) => {
    if (running.stopped) return;
    running.stopped = true;
    channel.exit(code);
    channel.end();
  };
  channel.on("close", () => {
    if (!running.stopped) {
      running.stopped = true;
      state.killed++;
    }
  });
  switch (word) {
    case "echo":
      channel.write(args.join(" ") + "\n");
      return finish(0);
    case "whoami":
      channel.write("ec2-user\n");
      return finish(0);
    case "stderr":
      channel.stderr.write(args.join(" ") + "\n");
      return finish(Number(args[0] ?? 1) || 1);
    case "fail":
      channel.stderr.write(`failing with ${args[0]}\n`);
      return finish(Number(args[0]));
    case "killed":
      running.stopped = true;
      channel.exit(args[0] ?? "TERM", false, "");
      channel.end();
      return;
    case "cat": {
      const chunks: Buffer[] = [];
      channel.on("data", (c: Buffer) => chunks.push(c));
      channel.on("end", () => {
        channel.write(Buffer.concat(chunks));
        finish(0);
      });
      return;
    }
    case "sleep":
      channel.write("started\n");
      channel.resume(); // consume stdin so the channel can close
      return; // runs until killed
    case "drop":
      channel.write("going down\n");
      setTimeout(endClient, 10);
      return;
    default:
      channel.stderr.write(`${word}: command not found\n`);
      return finish(127);
  }
}
