/**
 * Benchmark figures of issue 14 ("pay only for what is needed"), from one
 * mixed-fleet run against the simulator at a fixed speed: billed against
 * needed instance-seconds, and how soon SSH sessions open. Times come from the
 * simulator (simulated seconds: when each instance became `running`, when
 * TerminateInstances arrived, when its sshd first accepted, when the first
 * client authenticated) and from the CLI's `--log-json` (when each target's
 * verdict was final, `target-finished`).
 * @module
 */
import type { SimulatorHandle } from "../sim/mod.ts";
import { type FleetFigures, runFleet } from "./fleet.ts";

/**
 * The mixed fleet: two functional types, one that builds the ENA driver (the
 * slow target, m7a.large) and two unsupported types (launched anyway).
 */
export const MIXED_FLEET = "c7i.large,r7g.large,m7a.large,m6i.large,c6i.large";

/** Figures of the mixed-fleet run. */
export interface PayFigures {
  fleet: FleetFigures;
  /** Σ per instance of running → TerminateInstances, simulated seconds. */
  billedSeconds: number;
  /** Σ per instance of running → its target's verdict, simulated seconds. */
  neededSeconds: number;
  /** Median of running → first SSH session, simulated seconds. */
  runningToSessionMedian: number;
  /** Median of sshd ready → first SSH session, simulated seconds. */
  sshdReadyToSessionMedian: number;
}

/** Median of a non-empty list (NaN when empty). */
export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Simulator speed of the mixed-fleet run. Low on purpose: an SSH handshake
 * costs real CPU (both processes share the machine), which the simulator
 * multiplies by its speed; at 5 a 100 ms handshake is 0.5 simulated seconds.
 */
export const PAY_SPEED = 5;

/** Runs the mixed fleet and measures; `speed` = simulator speed. */
export async function payFigures(speed = PAY_SPEED): Promise<PayFigures> {
  let measured: Omit<PayFigures, "fleet"> | undefined;
  const fleet = await runFleet(0, speed, {
    instanceTypes: MIXED_FLEET,
    set: { allow_unsupported: "true", placement_group: "" },
    inspect: async (sim, eventsFile) => {
      measured = await measure(sim, eventsFile);
    },
  });
  return { fleet, ...measured! };
}

async function measure(
  sim: SimulatorHandle,
  eventsFile: string,
): Promise<Omit<PayFigures, "fleet">> {
  // Simulated time of a wall-clock instant (the clock is linear in real time).
  const offset = sim.clock.now() - (Date.now() / 1000) * sim.clock.speed;
  const simAt = (iso: string) => (Date.parse(iso) / 1000) * sim.clock.speed + offset;
  const events = (await Deno.readTextFile(eventsFile)).trim().split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const instanceOf = new Map<string, string>();
  const verdictAt = new Map<string, number>();
  for (const e of events) {
    const r = e.resource as { kind?: string; id?: string; targetId?: string } | undefined;
    if (e.type === "resource" && r?.kind === "ec2-instance" && r.id && r.targetId) {
      instanceOf.set(r.targetId, r.id);
    }
    if (e.type === "target-finished") {
      const id = instanceOf.get(String(e.targetId));
      if (id) verdictAt.set(id, simAt(String(e.time)));
    }
  }
  const now = sim.clock.now();
  let billed = 0;
  let needed = 0;
  const runningToSession: number[] = [];
  const readyToSession: number[] = [];
  for (const i of sim.instances()) {
    billed += (i.terminatedAt ?? now) - i.runningAt;
    needed += Math.max(0, (verdictAt.get(i.instanceId) ?? now) - i.runningAt);
    if (i.firstSessionAt !== undefined) {
      runningToSession.push(i.firstSessionAt - i.runningAt);
      if (i.sshReadyAt !== undefined) readyToSession.push(i.firstSessionAt - i.sshReadyAt);
    }
  }
  return {
    billedSeconds: billed,
    neededSeconds: needed,
    runningToSessionMedian: median(runningToSession),
    sshdReadyToSessionMedian: median(readyToSession),
  };
}
