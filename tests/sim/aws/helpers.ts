/**
 * Starts a simulator with a fake host fleet and SDK clients pointed at it,
 * with static fake credentials (no credential chain, no instance metadata).
 * @module
 */
import { EC2Client } from "@aws-sdk/client-ec2";
import { SSMClient } from "@aws-sdk/client-ssm";
import { STSClient } from "@aws-sdk/client-sts";
import { SimClock } from "../../../sim/clock.ts";
import {
  SIM_CREDENTIALS,
  type SimulatorHandle,
  startSimulator,
  type StartSimulatorOptions,
} from "../../../sim/mod.ts";
import { type FakeFleet, fakeFleetFactory } from "./fake-fleet.ts";

Deno.env.set("AWS_EC2_METADATA_DISABLED", "true");

/** A simulator under test, its fake fleet and clients. */
export interface SimFixture {
  sim: SimulatorHandle;
  fleet: FakeFleet;
  ec2: EC2Client;
  ssm: SSMClient;
  sts: STSClient;
  /** Clients for another region (same endpoint). */
  ec2In(region: string, maxAttempts?: number): EC2Client;
  /** With `manualTime`: moves simulated time forward by `simSeconds` (otherwise throws). */
  advance(simSeconds: number): void;
  /** Stops clients and the simulator. */
  close(): Promise<void>;
}

/**
 * Starts a fixture. Defaults: speed 2000 (20 simulated seconds of boot take 10 ms),
 * clients with `maxAttempts: 1` so faults surface at once. `manualTime: true`
 * stops simulated time until `advance()` moves it (deterministic state checks).
 */
export async function startFixture(
  options: StartSimulatorOptions & { maxAttempts?: number; manualTime?: boolean } = {},
): Promise<SimFixture> {
  const holder: { fleet?: FakeFleet } = {};
  let manualMs = 0;
  const clock = options.manualTime
    ? new SimClock({ speed: 1, realNowMs: () => manualMs })
    : undefined;
  const sim = await startSimulator({
    speed: 2000,
    hostFleet: fakeFleetFactory(holder),
    clock,
    ...options,
  });
  const clients: { destroy(): void }[] = [];
  const config = (region: string, maxAttempts = options.maxAttempts ?? 1) => ({
    endpoint: sim.endpoint,
    region,
    credentials: { ...SIM_CREDENTIALS },
    maxAttempts,
  });
  const track = <C extends { destroy(): void }>(c: C) => {
    clients.push(c);
    return c;
  };
  return {
    sim,
    fleet: holder.fleet!,
    ec2: track(new EC2Client(config(sim.region))),
    ssm: track(new SSMClient(config(sim.region))),
    sts: track(new STSClient(config(sim.region))),
    ec2In: (region, maxAttempts) => track(new EC2Client(config(region, maxAttempts))),
    advance: (simSeconds) => {
      if (!clock) throw new Error("advance() needs startFixture({ manualTime: true })");
      manualMs += simSeconds * 1000;
    },
    close: async () => {
      for (const c of clients) c.destroy();
      await sim.stop();
    },
  };
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(
  promise: Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the call to fail, but it succeeded");
}
