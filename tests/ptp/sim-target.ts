/**
 * One simulated host (sim/host) over real SSH for step tests: boots it with a
 * profile, connects like the connect step, and gives a test context whose
 * remote shell is that SSH session.
 * @module
 */
import { openShell } from "../../plugins/ssh/open-shell.ts";
import { SimClock } from "../../sim/clock.ts";
import { createHostFleet } from "../../sim/host/mod.ts";
import { type InstanceProfile, InstanceProfileSchema } from "../../sim/profile.ts";
import { generateEd25519KeyPair } from "../../sim/keygen.ts";
import type { RunSettings } from "../../runner/types.ts";
import { makeTarget, makeTestContext, type TargetTestContext } from "../helpers/context.ts";
import type { Target } from "../../runner/types.ts";

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** A connected simulated target; `stop` closes SSH and the simulated host. */
export interface SimulatedTarget {
  ctx: TargetTestContext;
  target: Target;
  stop: () => Promise<void>;
}

/**
 * Boots one simulated host with `profile` (an x86_64 PHC-capable c7i.large
 * unless overridden) at loopback `address` and connects to it.
 * @param settings run settings for the context (e.g. `{ dryRun: true }`)
 */
export async function simulatedTarget(
  profile: Partial<InstanceProfile>,
  address: string,
  settings: Partial<RunSettings> = {},
): Promise<SimulatedTarget> {
  const keys = generateEd25519KeyPair();
  const dir = Deno.makeTempDirSync({ prefix: "ptp-sim-" });
  const keyPath = `${dir}/id_ed25519`;
  Deno.writeTextFileSync(keyPath, keys.private, { mode: 0o600 });
  const sshPort = freePort();
  const clock = new SimClock({ speed: 100 });
  const fleet = createHostFleet({ sshPort, clock });
  fleet.launch({
    instanceId: "i-0123456789abcdef0",
    instanceType: "c7i.large",
    address,
    profile: InstanceProfileSchema.parse({
      architecture: "x86_64",
      phc_support: "supported",
      boot_seconds: 1,
      ssh_delay_seconds: 1,
      ...profile,
    }),
    authorizedKey: keys.public,
  });
  const target = makeTarget({ id: "c7i.large-1", label: "c7i.large 1 of 1", address });
  const ctx = makeTestContext({ target, settings: { sshPort, ...settings } });
  ctx.sleep = (seconds, signal) => clock.sleep(seconds, signal);
  const signal = AbortSignal.timeout(60_000);
  const opened = await openShell(ctx, {
    privateKey: keyPath,
    waitTimeoutSeconds: 120,
    hostKeyPolicy: "tofu",
    backoff: { initialDelaySeconds: 0.5, maxDelaySeconds: 2, factor: 2 },
  }, signal);
  const stop = async () => {
    await opened.shell.close();
    await fleet.stopAll();
    clock.dispose();
    Deno.removeSync(dir, { recursive: true });
  };
  return { ctx, target, stop };
}

/** The command lines a context's steps sent, in order (from its `command` events). */
export function sentCommands(ctx: TargetTestContext): string[] {
  return ctx.events.flatMap((e) => e.type === "command" ? [e.command] : []);
}
