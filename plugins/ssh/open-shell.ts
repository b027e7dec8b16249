/**
 * Opening (or reusing) the SSH session of the current target: the work of
 * the `connect` step. Loads the key (or uses the ssh-agent at
 * `SSH_AUTH_SOCK` when none is given), sets up host key trust (known_hosts
 * for hosts the run did not launch, console fingerprints or trust on first
 * use for launched instances), waits for sshd, and stores the
 * session in the run's service registry under {@link shellServiceKey}, where
 * host steps find it with `shellFor(ctx)` and the run closes it at the end.
 * @module
 */
import { StepError } from "../../runner/errors.ts";
import type { StepContext, Target } from "../../runner/types.ts";
import type { ConsolePolling } from "./console-output.ts";
import type { TrustedHostKey } from "./host-key.ts";
import { type HostKeyPolicy, HostKeyTrust } from "./host-key-trust.ts";
import type { ParsedKey } from "ssh2";
import { AGENT_SOCKET_ENV, agentIdentities, agentSocket } from "./agent.ts";
import { parseJumpHost } from "./jump-host.ts";
import { expandHome, loadPrivateKey } from "./private-key.ts";
import { SshRemoteShell } from "./remote-shell.ts";
import { shellServiceKey } from "./shell-registry.ts";
import type { Backoff } from "./wait-for-sshd.ts";

/** Default remote user of Amazon Linux 2023 (PTP.md section 7). */
export const DEFAULT_SSH_USER = "ec2-user";

/** A login user chosen for a target, and where it came from (for error messages). */
export interface LoginUserChoice {
  /** User name, e.g. `ubuntu`. */
  user: string;
  /** What chose it, e.g. `the login user of the target's Ubuntu image`. */
  source: string;
}

/** Options of {@link openShell} (the `connect` step's inputs, resolved). */
export interface OpenShellOptions {
  /**
   * Path of the private key (`~` allowed); undefined or empty: the keys of the
   * ssh-agent at `SSH_AUTH_SOCK`, as `ssh` uses them.
   */
  privateKey?: string;
  /** Remote user when the target names none, and where it came from (default `ec2-user`). */
  login?: LoginUserChoice;
  /** Port when the target names none (else `settings.sshPort`, else 22). */
  port?: number;
  /** Bound of the wait for sshd, seconds. */
  waitTimeoutSeconds: number;
  /** Jump host `user@host[:port]`. */
  jumpHost?: string;
  /**
   * `known-hosts`, `console` (TOFU when no console output) or `tofu`; undefined:
   * {@link defaultHostKeyPolicy} of the target.
   */
  hostKeyPolicy?: HostKeyPolicy;
  /**
   * known_hosts file of policy `known-hosts`, for the target and the jump host
   * (`~` allowed; default `~/.ssh/known_hosts`).
   */
  knownHostsFile?: string;
  /** Per-attempt handshake timeout, milliseconds. */
  readyTimeoutMs?: number;
  /** Backoff between attempts. */
  backoff?: Backoff;
  /** Console output polling (attempts, delay). */
  consolePolling?: ConsolePolling;
}

/** What {@link openShell} gives back. */
export interface OpenedShell {
  shell: SshRemoteShell;
  /** What authenticated: the key file, or the ssh-agent at `SSH_AUTH_SOCK`. */
  auth: "key-file" | "ssh-agent";
  /** The host key accepted for the target. */
  hostKey: TrustedHostKey;
  /** True when an already-open session was reused. */
  reused: boolean;
}

/**
 * The host key policy of a target when the pipeline names none: `known-hosts`
 * for a host the run did not launch (it already ran, so its key can be known,
 * and `ssh` would check it in known_hosts), `console` for an instance the run
 * launched (its key is new; the console prints its fingerprints).
 */
export function defaultHostKeyPolicy(target: Pick<Target, "launchedByRun">): HostKeyPolicy {
  return target.launchedByRun ? "console" : "known-hosts";
}

/**
 * Resolves user and port of a target: the target's own (`user@host`), else
 * the options, else defaults (`ec2-user`, `settings.sshPort`, 22).
 * @throws StepError `config` when the target has no address.
 */
export function targetEndpoint(
  target: Target,
  options: Pick<OpenShellOptions, "login" | "port">,
  settingsPort?: number,
): { host: string; port: number; user: string } {
  if (!target.address) {
    throw new StepError(
      "config",
      `target ${target.label} has no address to connect to (the launch step did not give it a public or private IP)`,
    );
  }
  return {
    host: target.address,
    user: target.user ?? options.login?.user ?? DEFAULT_SSH_USER,
    port: target.port ?? options.port ?? settingsPort ?? 22,
  };
}

/** Where the user of {@link targetEndpoint} came from, in words. */
function userSource(target: Target, options: Pick<OpenShellOptions, "login">): string {
  if (target.user !== undefined) return `named with the host as ${target.user}@${target.address}`;
  return options.login?.source ?? "the default, as no image or input named one";
}

/**
 * The refused-key error of a session, naming the user tried, where it came
 * from and how to try another: the `user` input (`--set user=NAME`), or
 * `NAME@host` for a host given with its user.
 */
function withUserHint(
  error: StepError,
  target: Target,
  options: Pick<OpenShellOptions, "login">,
  user: string,
): StepError {
  const fix = target.user !== undefined
    ? `give the host as NAME@${target.address}`
    : "set it: --set user=NAME (or the connect step's with: user: NAME)";
  return new StepError(
    "auth",
    `${error.message}. User tried: ${user} (${
      userSource(target, options)
    }); if the image's login user is another (ubuntu on Ubuntu, admin on Debian, ...), ${fix}`,
    { cause: error, ...(error.evidence ? { evidence: error.evidence } : {}) },
  );
}

/**
 * What authenticates: the parsed key file when `privateKey` is given, else
 * the ssh-agent at `SSH_AUTH_SOCK` (checked to answer and hold a key).
 * @throws StepError `config` for an unusable key file, no key file and no
 *   agent, or an agent that cannot be reached or holds no key.
 */
async function sessionCredentials(
  ctx: StepContext,
  privateKey: string | undefined,
): Promise<{ key: ParsedKey } | { agent: string }> {
  if (privateKey) {
    return { key: (await loadPrivateKey(ctx, privateKey, { inputKey: "private_key" })).key };
  }
  const socket = agentSocket();
  if (!socket) {
    throw new StepError(
      "config",
      `no private_key given and no ssh-agent (${AGENT_SOCKET_ENV} is not set): set ` +
        `private_key to the key file, or start an agent holding the key ` +
        `(eval "$(ssh-agent)"; ssh-add KEYFILE)`,
    );
  }
  const agent = await ctx.services.get(`ssh:agent:${socket}`, () => agentIdentities(socket));
  ctx.log.info(
    `authenticating with the ssh-agent at ${AGENT_SOCKET_ENV}=${socket} ` +
      `(${agent.keyTypes.length} key(s): ${agent.keyTypes.join(", ")})`,
  );
  return { agent: socket };
}

/**
 * Opens the current target's SSH session or reuses the open one.
 * @throws StepError `config` (no target/address, bad key, bad jump host, refused
 *   or changed host key), `auth` (key refused), `connection` (sshd not reachable
 *   within the wait); the signal's reason on abort.
 */
export async function openShell(
  ctx: StepContext,
  options: OpenShellOptions,
  signal: AbortSignal,
): Promise<OpenedShell> {
  const target = ctx.target;
  if (!target) throw new StepError("config", `step "${ctx.step.id}" needs a target`);
  const endpoint = targetEndpoint(target, options, ctx.settings.sshPort);
  const jump = options.jumpHost ? parseJumpHost(options.jumpHost, endpoint.user) : undefined;
  const policy = options.hostKeyPolicy ?? defaultHostKeyPolicy(target);
  const knownHostsFile = policy === "known-hosts"
    ? expandHome(options.knownHostsFile ?? "~/.ssh/known_hosts")
    : undefined;
  let created = false;
  const shell = await ctx.services.get(shellServiceKey(target.id), async () => {
    const credentials = await sessionCredentials(ctx, options.privateKey);
    const region = target.region ?? ctx.settings.region ?? Deno.env.get("AWS_REGION");
    const useConsole = policy === "console" && target.instanceId !== undefined &&
      region !== undefined;
    if (policy === "console" && !useConsole) {
      ctx.log.debug(
        `no instance id/region for ${target.label}: host key will be trusted on first use`,
      );
    }
    const instanceId = target.instanceId!;
    const targetTrust = new HostKeyTrust({
      id: target.id,
      journal: ctx.journal,
      log: ctx.log,
      ...(knownHostsFile
        ? { knownHosts: { file: knownHostsFile, host: endpoint.host, port: endpoint.port } }
        : {}),
      redacted: ctx.settings.redact,
      consoleFingerprints: useConsole
        ? async () => {
          const { consoleHostKeyFingerprints } = await import("./console-output.ts");
          return consoleHostKeyFingerprints(
            ctx,
            instanceId,
            region!,
            signal,
            options.consolePolling,
          );
        }
        : undefined,
    });
    // The jump host already runs: with known-hosts it is checked like the target (as ssh -J does).
    const jumpTrust = jump
      ? new HostKeyTrust({
        id: `jump:${jump.host}:${jump.port}`,
        journal: ctx.journal,
        log: ctx.log,
        ...(knownHostsFile
          ? { knownHosts: { file: knownHostsFile, host: jump.host, port: jump.port } }
          : {}),
        redacted: ctx.settings.redact,
      })
      : undefined;
    const session = new SshRemoteShell(ctx, {
      targetId: target.id,
      target: endpoint,
      jump,
      ...credentials,
      targetTrust,
      jumpTrust,
      waitTimeoutSeconds: options.waitTimeoutSeconds,
      readyTimeoutMs: options.readyTimeoutMs,
      backoff: options.backoff,
      // A host that already runs refuses because sshd is down or the port is wrong.
      failFastOnRefused: !target.launchedByRun,
    });
    ctx.log.debug(
      `logging in to ${target.label} as ${endpoint.user} (${userSource(target, options)})`,
    );
    // Console fingerprints are waited for before connecting, never inside the handshake.
    const applied = await targetTrust.prefetch();
    if (applied !== "known") {
      ctx.log.info(
        knownHostsFile
          ? `host key of ${target.label}: checked against ${knownHostsFile} (host_key_policy ` +
            `known-hosts${
              options.hostKeyPolicy ? "" : ", the default for a host the run did not launch"
            })`
          : applied === "console"
          ? `host key of ${target.label}: checked against the fingerprints on its console`
          : `host key of ${target.label}: trusted on first use (no console fingerprints)`,
      );
    }
    try {
      await session.connect(signal, ctx);
    } catch (error) {
      if (error instanceof StepError && error.kind === "auth") {
        throw withUserHint(error, target, options, endpoint.user);
      }
      throw error;
    }
    created = true;
    return session;
  });
  if (!(shell instanceof SshRemoteShell)) {
    throw new StepError(
      "internal",
      `the SSH session of ${target.label} is not an ssh2 session (injected?)`,
    );
  }
  if (!created) await shell.connect(signal, ctx);
  const hostKey = shell.config.targetTrust.trusted;
  if (!hostKey) {
    throw new StepError("internal", `no host key was recorded for ${shell.endpoint}`);
  }
  return { shell, hostKey, reused: !created, auth: shell.config.key ? "key-file" : "ssh-agent" };
}
