/**
 * Starts the built-in simulator for integration tests of the AWS steps and
 * points the process environment and a test context at it. Not a test file.
 * @module
 */
import { type SimulatorHandle, startSimulator } from "../../../sim/mod.ts";
import type { RunSettings } from "../../../runner/types.ts";
import type { SimHostFleet, SimInstanceHost, SimLaunchSpec } from "../../../sim/types.ts";
import { makeTestContext, type TestContext } from "../../helpers/context.ts";
import { RunJournal } from "../../../runner/journal.ts";
import { newRunId } from "../../../runner/run-id.ts";
import launch, { LaunchInputSchema } from "../../../steps/launch.ts";
import { tempDir } from "../../helpers/temp.ts";

/** A simulator, the env it needs, and contexts bound to it. */
export interface SimSetup {
  sim: SimulatorHandle;
  /** A fresh context (step id/type given) sharing the setup's services and journal store. */
  context(
    step: { id: string; type: string },
    settings?: Partial<RunSettings>,
    extra?: Parameters<typeof makeTestContext>[0],
  ): TestContext;
  /** Closes every AWS client made and stops the simulator. */
  stop(): Promise<void>;
}

/**
 * A host fleet without SSH: the AWS steps never connect to hosts, so their
 * tests skip the simulated operating systems.
 */
export function hostlessFleet(): SimHostFleet {
  const hosts = new Map<string, SimInstanceHost>();
  return {
    launch(spec: SimLaunchSpec) {
      const host: SimInstanceHost = {
        instanceId: spec.instanceId,
        address: spec.address,
        sshReady: false,
        consoleOutput: () => "",
        reboot: () => {},
        stop: () => Promise.resolve(),
      };
      hosts.set(spec.instanceId, host);
      return host;
    },
    get: (id) => hosts.get(id),
    stopAll: () => Promise.resolve(),
  };
}

/**
 * Starts a simulator at `speed` (simulated seconds per real second) and sets
 * its env (endpoint, region, static credentials, `AWS_EC2_METADATA_DISABLED`).
 */
export async function setupSim(speed = 1000): Promise<SimSetup> {
  const sim = await startSimulator({ speed, hostFleet: hostlessFleet });
  for (const [k, v] of Object.entries(sim.env)) Deno.env.set(k, v);
  Deno.env.delete("AWS_PROFILE");
  const contexts: TestContext[] = [];
  return {
    sim,
    context(step, settings = {}, extra = {}) {
      const ctx = makeTestContext({
        ...extra,
        step,
        settings: {
          region: sim.region,
          aws: { endpoint: sim.endpoint },
          timeScale: sim.timeScale,
          ...settings,
        },
      });
      // Scaled sleeps, as the runner's context does.
      Object.assign(ctx, {
        sleep: (seconds: number, signal?: AbortSignal) =>
          new Promise<void>((resolve, reject) => {
            if (signal?.aborted) return reject(signal.reason);
            const timer = setTimeout(resolve, seconds * ctx.settings.timeScale * 1000);
            signal?.addEventListener("abort", () => {
              clearTimeout(timer);
              reject(signal.reason);
            }, { once: true });
          }),
      });
      contexts.push(ctx);
      return ctx;
    },
    async stop() {
      for (const ctx of contexts) {
        for (const service of ctx.serviceMap.values()) {
          const s = service as { close?: () => unknown };
          if (typeof s?.close === "function") await s.close();
        }
      }
      await sim.stop();
    },
  };
}

/**
 * Launches `types` like a run that was then killed: journal on disk (with
 * its targets), no cleanup.
 */
export async function killedRun(setup: SimSetup, types: string[], createGroup = false) {
  const workDir = await tempDir("ptp-recovery-");
  const runId = newRunId();
  const journal = await RunJournal.create(workDir, {
    runId,
    pipeline: { name: "ptp", file: "/tmp/ptp.yaml" },
    inputs: {},
  });
  const ctx = setup.context({ id: "launch", type: "launch" });
  Object.assign(ctx, { journal, runId });
  const input = LaunchInputSchema.parse({
    ...setup.sim.defaultInputs,
    ...(createGroup ? { placement_group: undefined, create_placement_group: true } : {}),
    instance_types: types,
  });
  await launch.run(ctx, input, new AbortController().signal);
  journal.update({ targets: [...ctx.targets] });
  await journal.save();
  return { workDir, runId, journal, targets: ctx.targets };
}
