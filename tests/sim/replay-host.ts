/**
 * Harness of the sample replay tests: one simulated AL2023 host (sim/host)
 * booted from a profile whose `overrides` replay captured output, reached
 * over real SSH by the `connect` step (trust on first use), and a runner for
 * the host steps that validates input and output through the step's schemas.
 * @module
 */
import connect from "../../steps/connect.ts";
import type { StepPlugin, Target } from "../../runner/types.ts";
import { SimClock } from "../../sim/clock.ts";
import { createHostFleet } from "../../sim/host/mod.ts";
import { generateEd25519KeyPair } from "../../sim/keygen.ts";
import { InstanceProfileSchema } from "../../sim/profile.ts";
import { makeTarget, makeTestContext, type TestContext } from "../helpers/context.ts";
import { closeServices } from "../ssh/helpers.ts";
import { freePort } from "../ssh/test-server.ts";

/**
 * A profile `overrides` entry (sim/README.md "Overriding a command's output"):
 * exactly one of `command` (exact text after `sudo -n` is stripped) or
 * `regex`; stdout/stderr default to empty, exit to 0.
 */
export interface Override {
  command?: string;
  regex?: string;
  stdout?: string;
  stderr?: string;
  exit?: number;
}

/** A connected simulated host. */
export interface ReplayHost {
  ctx: TestContext;
  target: Target;
  /** Runs a step on the target: input parsed by its schema, output checked by its schema. */
  // deno-lint-ignore no-explicit-any
  run(plugin: StepPlugin<any, any>, input?: Record<string, unknown>): Promise<any>;
  /** Every command line the steps sent so far (`command` events). */
  commands(): string[];
  /** Closes the SSH session and stops the host. */
  stop(): Promise<void>;
}

/** Simulated seconds per real second of the replay hosts. */
const SPEED = 400;

/**
 * Boots a host from `profile` (x86_64, PhcSupport supported, fast boot, plus
 * the given fields) with `overrides` at `address` (a 127.x.y.z address no
 * other test uses), then runs the `connect` step.
 * @throws the connect step's error when SSH does not come up
 */
export async function replayHost(
  address: string,
  overrides: Override[],
  profile: Record<string, unknown> = {},
): Promise<ReplayHost> {
  const keys = generateEd25519KeyPair();
  const dir = Deno.makeTempDirSync({ prefix: "ptp-replay-" });
  const keyPath = `${dir}/id_ed25519`;
  Deno.writeTextFileSync(keyPath, keys.private, { mode: 0o600 });
  const sshPort = await freePort(address);
  const clock = new SimClock({ speed: SPEED });
  const fleet = createHostFleet({ sshPort, clock });
  fleet.launch({
    instanceId: "i-0feed5a3p1e000001",
    instanceType: "c7i.large",
    address,
    profile: InstanceProfileSchema.parse({
      architecture: "x86_64",
      phc_support: "supported",
      boot_seconds: 1,
      ssh_delay_seconds: 1,
      ...profile,
      overrides,
    }),
    authorizedKey: keys.public,
  });
  const target = makeTarget({ id: "c7i.large-1", label: "c7i.large 1 of 1", address });
  const ctx = makeTestContext({
    step: { id: "connect", type: "connect" },
    target,
    settings: { sshPort },
  });
  ctx.sleep = (seconds, signal) => clock.sleep(seconds, signal);
  const stop = async () => {
    await closeServices(ctx);
    await fleet.stopAll();
    clock.dispose();
    Deno.removeSync(dir, { recursive: true });
  };
  // deno-lint-ignore no-explicit-any
  const run = async (plugin: StepPlugin<any, any>, input: Record<string, unknown> = {}) => {
    const parsed = plugin.input.parse(input);
    return plugin.output.parse(await plugin.run(ctx, parsed, AbortSignal.timeout(60_000)));
  };
  try {
    await run(connect, { private_key: keyPath, host_key_policy: "tofu" });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    ctx,
    target,
    run,
    commands: () => ctx.events.flatMap((e) => e.type === "command" ? [e.command] : []),
    stop,
  };
}
