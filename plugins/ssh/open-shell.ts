/**
 * Opening (or reusing) the SSH session of the current target: the work of
 * the `connect` step. Loads the key, sets up host key trust (console
 * fingerprints or trust on first use), waits for sshd, and stores the
 * session in the run's service registry under {@link shellServiceKey}, where
 * host steps find it with `shellFor(ctx)` and the run closes it at the end.
 * @module
 */
import { StepError } from "../../runner/errors.ts";
import type { StepContext, Target } from "../../runner/types.ts";
import type { ConsolePolling } from "./console-output.ts";
import type { TrustedHostKey } from "./host-key.ts";
import { type HostKeyPolicy, HostKeyTrust } from "./host-key-trust.ts";
import { parseJumpHost } from "./jump-host.ts";
import { expandHome, loadPrivateKey } from "./private-key.ts";
import { SshRemoteShell } from "./remote-shell.ts";
import { shellServiceKey } from "./shell-registry.ts";
import type { Backoff } from "./wait-for-sshd.ts";

/** Default remote user of Amazon Linux 2023 (PTP.md section 7). */
export const DEFAULT_SSH_USER = "ec2-user";

/** Options of {@link openShell} (the `connect` step's inputs, resolved). */
export interface OpenShellOptions {
  /** Path of the private key (`~` allowed). */
  privateKey: string;
  /** Remote user when the target names none (default `ec2-user`). */
  user?: string;
  /** Port when the target names none (else `settings.sshPort`, else 22). */
  port?: number;
  /** Bound of the wait for sshd, seconds. */
  waitTimeoutSeconds: number;
  /** Jump host `user@host[:port]`. */
  jumpHost?: string;
  /** `console` (default; TOFU when no console output), `tofu` or `known-hosts`. */
  hostKeyPolicy: HostKeyPolicy;
  /** known_hosts file of policy `known-hosts` (`~` allowed; default `~/.ssh/known_hosts`). */
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
  /** The host key accepted for the target. */
  hostKey: TrustedHostKey;
  /** True when an already-open session was reused. */
  reused: boolean;
}

/** Resolves user and port of a target: the target's own, else the options, else defaults. */
export function targetEndpoint(
  target: Target,
  options: Pick<OpenShellOptions, "user" | "port">,
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
    user: target.user ?? options.user ?? DEFAULT_SSH_USER,
    port: target.port ?? options.port ?? settingsPort ?? 22,
  };
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
  let created = false;
  const shell = await ctx.services.get(shellServiceKey(target.id), async () => {
    const key = await loadPrivateKey(ctx, options.privateKey, { inputKey: "private_key" });
    const region = target.region ?? ctx.settings.region ?? Deno.env.get("AWS_REGION");
    const useConsole = options.hostKeyPolicy === "console" && target.instanceId !== undefined &&
      region !== undefined;
    if (options.hostKeyPolicy === "console" && !useConsole) {
      ctx.log.debug(
        `no instance id/region for ${target.label}: host key will be trusted on first use`,
      );
    }
    const instanceId = target.instanceId!;
    const targetTrust = new HostKeyTrust({
      id: target.id,
      journal: ctx.journal,
      log: ctx.log,
      ...(options.hostKeyPolicy === "known-hosts"
        ? {
          knownHosts: {
            file: expandHome(options.knownHostsFile ?? "~/.ssh/known_hosts"),
            host: endpoint.host,
            port: endpoint.port,
          },
        }
        : {}),
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
    const jumpTrust = jump
      ? new HostKeyTrust({
        id: `jump:${jump.host}:${jump.port}`,
        journal: ctx.journal,
        log: ctx.log,
      })
      : undefined;
    const session = new SshRemoteShell(ctx, {
      targetId: target.id,
      target: endpoint,
      jump,
      key: key.key,
      targetTrust,
      jumpTrust,
      waitTimeoutSeconds: options.waitTimeoutSeconds,
      readyTimeoutMs: options.readyTimeoutMs,
      backoff: options.backoff,
      // A host that already runs refuses because sshd is down or the port is wrong.
      failFastOnRefused: !target.launchedByRun,
    });
    // Console fingerprints are waited for before connecting, never inside the handshake.
    const policy = await targetTrust.prefetch();
    if (policy !== "known" && options.hostKeyPolicy !== "known-hosts") {
      ctx.log.info(
        policy === "console"
          ? `host key of ${target.label}: checked against the fingerprints on its console`
          : `host key of ${target.label}: trusted on first use (no console fingerprints)`,
      );
    }
    await session.connect(signal, ctx);
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
  return { shell, hostKey, reused: !created };
}
