/**
 * One simulated host (sim/host) booted with a profile and connected to over
 * real SSH like the connect step does, for step-level simulator tests.
 * @module
 */
import { openShell } from "../../plugins/ssh/open-shell.ts";
import type { RemoteShell } from "../../plugins/ssh/types.ts";
import { SimClock } from "../../sim/clock.ts";
import { distributionFacts } from "../../sim/host/model/distribution.ts";
import { createHostFleet } from "../../sim/host/mod.ts";
import { type InstanceProfile, InstanceProfileSchema } from "../../sim/profile.ts";
import type { RunSettings } from "../../runner/types.ts";
import { generateEd25519KeyPair } from "../../sim/keygen.ts";
import type { Target } from "../../runner/types.ts";
import { makeTarget, makeTestContext, type TargetTestContext } from "./context.ts";

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** A booted simulated host, its target and context, and how to stop it. */
export interface SimTarget {
  ctx: TargetTestContext;
  target: Target;
  /** The target's remote shell (as the steps get it). */
  shell: RemoteShell;
  stop(): Promise<void>;
}

/**
 * Boots one simulated host with `profile` (profile YAML keys, parsed by the
 * simulator's schema, over a supported x86_64 type) at
 * `address` (loopback) and connects to it like the connect step does.
 * @param settings run settings for the context (e.g. `{ dryRun: true }` for check mode)
 */
export async function simulatedTarget(
  profile: Partial<InstanceProfile> | Record<string, unknown>,
  address: string,
  settings: Partial<RunSettings> = {},
): Promise<SimTarget> {
  const keys = generateEd25519KeyPair();
  const dir = Deno.makeTempDirSync({ prefix: "ptp-sim-" });
  const keyPath = `${dir}/id_ed25519`;
  Deno.writeTextFileSync(keyPath, keys.private, { mode: 0o600 });
  const sshPort = freePort();
  const clock = new SimClock({ speed: 100 });
  const fleet = createHostFleet({ sshPort, clock });
  const parsed = InstanceProfileSchema.parse({
    architecture: "x86_64",
    phc_support: "supported",
    boot_seconds: 1,
    ssh_delay_seconds: 1,
    ...profile,
  });
  fleet.launch({
    instanceId: "i-0123456789abcdef0",
    instanceType: "c7i.large",
    address,
    profile: parsed,
    authorizedKey: keys.public,
  });
  const target = makeTarget({ id: "host-1", label: "host 1 of 1", address });
  const ctx = makeTestContext({ target, settings: { sshPort, ...settings } });
  ctx.sleep = (seconds, signal) => clock.sleep(seconds, signal);
  const opened = await openShell(ctx, {
    privateKey: keyPath,
    // The host lets in its distribution's default user (as its AMI's would).
    login: {
      user: distributionFacts(parsed.distribution).loginUser,
      source: "the simulated host's distribution",
    },
    waitTimeoutSeconds: 120,
    hostKeyPolicy: "tofu",
    backoff: { initialDelaySeconds: 0.5, maxDelaySeconds: 2, factor: 2 },
  }, AbortSignal.timeout(60_000));
  const stop = async () => {
    await opened.shell.close();
    await fleet.stopAll();
    clock.dispose();
    Deno.removeSync(dir, { recursive: true });
  };
  return { ctx, target, shell: opened.shell, stop };
}

/** The command lines a context's steps sent, in order (from its `command` events). */
export function sentCommands(ctx: TargetTestContext): string[] {
  return ctx.events.flatMap((e) => e.type === "command" ? [e.command] : []);
}
