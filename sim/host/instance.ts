/**
 * One simulated instance served over real SSH: the behavioural model
 * ({@link Machine}) behind an in-process ssh2 `Server` listening on the
 * instance's own loopback address. The listener exists only while the model
 * says the network is up: during boot, reboot and a driver reload connections
 * are refused (`ECONNREFUSED`), and when the NIC goes away every session is
 * cut at once.
 *
 * Auth: the image's login user only (`ec2-user`, `ubuntu`, `admin`, ...), public key only, signature verified against the
 * launch key with ssh2's `utils.parseKey(...).verify`.
 * @module
 */
import type { Buffer } from "node:buffer";
import { timingSafeEqual } from "node:crypto";
import net from "node:net";
import ssh2 from "ssh2";
import type { AuthContext, Connection, ServerChannel } from "ssh2";
import type { SimInstanceHost, SimLaunchSpec } from "../types.ts";
import { HostAgent } from "./agent.ts";
import { consoleText } from "./console-output.ts";
import { type HostKey, hostKeyFor } from "./host-key.ts";
import { initialHostState } from "./model/initial.ts";
import { type HostClock, Machine } from "./model/machine.ts";
import { runExec } from "./session.ts";

/** Options of {@link SimHost}. */
export interface SimHostOptions {
  sshPort: number;
  clock: HostClock;
  /** Where host keys are kept between simulator runs (optional). */
  hostKeyDir?: string;
  /** Wall-clock ms at simulated second 0 (default: now minus the clock's elapsed time). */
  wallEpochMs?: number;
}

/** The client aborted a command with an SSH `signal` request. */
class ClientSignal extends Error {
  constructor(readonly signalName: string) {
    super(`killed by SIG${signalName}`);
  }
}

/** A simulated instance reachable over SSH. */
export class SimHost implements SimInstanceHost {
  readonly instanceId: string;
  readonly address: string;
  /** The behavioural model (tests inspect and drive it). */
  readonly machine: Machine;
  readonly hostKey: HostKey;
  readonly #port: number;
  readonly #clock: HostClock;
  readonly #authorizedKey: ReturnType<typeof ssh2.utils.parseKey>;
  readonly #ssh: ssh2.Server;
  #listener: net.Server | null = null;
  #listening = false;
  readonly #sockets = new Set<net.Socket>();
  readonly #execs = new Set<AbortController>();
  #lifetime = new AbortController();
  #wake = new AbortController();
  #stopped = false;
  /** The SSM agent's side of the host (online with the NIC; runs scripts as root). */
  readonly agent: HostAgent;
  /** Simulated time sshd first accepted connections (after the first boot). */
  sshReadyAt: number | undefined;
  /** Simulated time the first client authenticated (its SSH session opened). */
  firstSessionAt: number | undefined;

  /** Creates the instance and starts its first boot (`boot_seconds + ssh_delay_seconds`). */
  constructor(spec: SimLaunchSpec, options: SimHostOptions) {
    this.instanceId = spec.instanceId;
    this.address = spec.address;
    this.#port = options.sshPort;
    this.#clock = options.clock;
    this.hostKey = hostKeyFor(spec.instanceId, options.hostKeyDir);
    this.#authorizedKey = ssh2.utils.parseKey(spec.authorizedKey);
    const state = initialHostState({
      instanceId: spec.instanceId,
      instanceType: spec.instanceType,
      address: spec.address,
      profile: spec.profile,
      ...(spec.loginUser ? { loginUser: spec.loginUser } : {}),
      wallEpochMs: options.wallEpochMs ?? Date.now() - options.clock.now() * 1000,
    });
    this.machine = new Machine(state, options.clock, {
      networkDown: () => this.#dropAll(),
      changed: () => this.#reconcile(),
      poweredOff: () => {
        this.#lifetime.abort(new Error("host powered off"));
        this.#lifetime = new AbortController();
      },
    });
    this.agent = new HostAgent({
      machine: this.machine,
      lifetime: () => this.#lifetime.signal,
      stopped: () => this.#stopped,
    });
    this.#ssh = new ssh2.Server(
      { hostKeys: [this.hostKey.privateKey] },
      (client) => this.#onClient(client),
    );
    this.machine.powerCycle(spec.profile.boot_seconds + spec.profile.ssh_delay_seconds);
  }

  /** TCP connections to its sshd open right now. */
  get connections(): number {
    return this.#sockets.size;
  }

  /** True once booted and sshd accepts connections. */
  get sshReady(): boolean {
    return !this.#stopped && this.#listening && this.machine.networkUp();
  }

  /** Console text; empty before the first boot completes. */
  consoleOutput(): string {
    const s = this.machine.state;
    this.machine.settle();
    if (s.bootCount === 0) return "";
    return consoleText({
      instanceId: s.instanceId,
      kernel: s.profile.kernel,
      hostname: s.hostname,
      hostKey: this.hostKey,
      bootDate: this.machine.wallDate(s.bootedAt ?? 0),
      bootCount: s.bootCount,
    });
  }

  /** API reboot: sessions drop, connections refused for `reboot_seconds`. */
  reboot(): void {
    if (!this.#stopped) this.machine.reboot();
  }

  /** Terminate: drops every session and stops listening for good. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#wake.abort();
    this.#lifetime.abort(new Error("instance terminated"));
    this.#dropAll();
    await this.#closeListener();
  }

  #dropAll(): void {
    for (const ac of this.#execs) ac.abort(new Error("connection lost: network down"));
    this.#execs.clear();
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
    queueMicrotask(() => this.#reconcile());
  }

  #closeListener(): Promise<void> {
    const l = this.#listener;
    this.#listener = null;
    this.#listening = false;
    if (!l) return Promise.resolve();
    return new Promise((resolve) => l.close(() => resolve()));
  }

  /** Opens or closes the listener to match the model; wakes up at the next change. */
  #reconcile(): void {
    if (this.#stopped) return;
    this.agent.notify();
    for (;;) {
      const up = this.machine.networkUp();
      if (up && !this.#listener) this.#listen();
      else if (!up && this.#listener) this.#closeListener();
      this.#wake.abort();
      const next = this.machine.nextChangeAt();
      // Time moves on while this runs: check again if a transition slipped past.
      if (this.machine.networkUp() !== up) continue;
      if (next === null) return;
      const wake = new AbortController();
      this.#wake = wake;
      this.#clock.sleep(next - this.#clock.now() + 0.001, wake.signal).then(
        () => this.#reconcile(),
        () => {},
      );
      return;
    }
  }

  #listen(): void {
    const listener = net.createServer((socket) => {
      if (!this.machine.networkUp() || this.#stopped) {
        socket.destroy();
        return;
      }
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
      socket.on("error", () => {});
      // Send small SSH packets at once (no Nagle delay), as sshd does.
      socket.setNoDelay(true);
      this.#ssh.injectSocket(socket);
    });
    listener.on(
      "error",
      (e) => console.error(`sim host ${this.instanceId}: sshd listen failed: ${e.message}`),
    );
    this.#listener = listener;
    listener.listen(this.#port, this.address, () => {
      if (this.#listener === listener) {
        this.#listening = true;
        this.sshReadyAt ??= this.#clock.now();
      }
    });
  }

  #authenticate(ctx: AuthContext): void {
    const key = this.#authorizedKey;
    if (
      ctx.method !== "publickey" || ctx.username !== this.machine.state.loginUser ||
      key instanceof Error
    ) {
      ctx.reject(["publickey"]);
      return;
    }
    const wanted = key.getPublicSSH();
    const offered = ctx.key.data;
    if (offered.length !== wanted.length || !timingSafeEqual(offered, wanted)) {
      ctx.reject(["publickey"]);
      return;
    }
    if (!ctx.signature) {
      ctx.accept(); // the client only asks whether this key would do
      return;
    }
    if (key.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) === true) ctx.accept();
    else ctx.reject(["publickey"]);
  }

  #onClient(client: Connection): void {
    client.on("error", () => {});
    client.on("authentication", (ctx) => this.#authenticate(ctx));
    client.on("ready", () => {
      this.firstSessionAt ??= this.#clock.now();
      client.on("session", (acceptSession) => {
        const session = acceptSession();
        let current: AbortController | null = null;
        session.on("pty", (accept) => accept?.());
        session.on("env", (accept) => accept?.());
        session.on("shell", (_accept, reject) => reject?.());
        session.on("close", () => current?.abort(new Error("channel closed by the client")));
        session.on("signal", (accept, _reject, info) => {
          accept?.();
          current?.abort(new ClientSignal(info.name));
        });
        session.on("exec", (accept, _reject, info) => {
          const channel = accept();
          const ac = new AbortController();
          current = ac;
          this.#runChannel(channel, info.command, ac);
        });
      });
    });
  }

  #runChannel(channel: ServerChannel, command: string, ac: AbortController): void {
    this.#execs.add(ac);
    let input = "";
    let ended = false;
    const waiters: (() => void)[] = [];
    channel.on("data", (d: Buffer) => (input += d.toString("utf8")));
    channel.on("end", () => {
      ended = true;
      for (const w of waiters.splice(0)) w();
    });
    channel.on("close", () => ac.abort(new Error("channel closed by the client")));
    const stdin = () =>
      ended ? Promise.resolve(input) : new Promise<string>((resolve, reject) => {
        waiters.push(() => resolve(input));
        ac.signal.addEventListener("abort", () => reject(ac.signal.reason), { once: true });
      });
    const write = (fn: () => void) => {
      if (ac.signal.aborted) return;
      try {
        fn();
      } catch { /* channel gone */ }
    };
    runExec({
      command,
      machine: this.machine,
      signal: ac.signal,
      lifetime: this.#lifetime.signal,
      io: {
        stdin,
        out: (s) => write(() => channel.write(s)),
        err: (s) => write(() => channel.stderr.write(s)),
      },
    }).then((outcome) => {
      this.#execs.delete(ac);
      try {
        if ("exitCode" in outcome) channel.exit(outcome.exitCode);
        else if (outcome.aborted instanceof ClientSignal) {
          channel.exit(outcome.aborted.signalName, false, "");
        } else return; // connection lost: nothing more reaches the client
        channel.end();
      } catch { /* channel gone */ }
    });
  }
}
