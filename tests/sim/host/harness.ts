/**
 * Test harness for the simulated hosts: a manual clock (sleeps advance
 * simulated time at once, so tests are instant), a booted {@link Machine} made
 * from a profile, and `sh()` to run a command line as ec2-user and collect
 * its output.
 * @module
 */
import { type InstanceProfile, InstanceProfileSchema } from "../../../sim/profile.ts";
import { initialHostState } from "../../../sim/host/model/initial.ts";
import { type HostClock, Machine } from "../../../sim/host/model/machine.ts";
import { runExec } from "../../../sim/host/session.ts";

/** A clock that only moves when slept on or advanced. */
export class ManualClock implements HostClock {
  t = 0;
  now(): number {
    return this.t;
  }
  sleep(simSeconds: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.t += simSeconds;
    return Promise.resolve();
  }
  /** Moves time forward by `s` simulated seconds. */
  advance(s: number): void {
    this.t += s;
  }
}

/** Profile with defaults for an x86_64 PHC-capable type, plus overrides. */
export function profile(overrides: Record<string, unknown> = {}): InstanceProfile {
  return InstanceProfileSchema.parse({
    architecture: "x86_64",
    phc_support: "supported",
    ...overrides,
  });
}

/** A booted host on a manual clock, with `sh()` to run commands. */
export interface TestHost {
  machine: Machine;
  clock: ManualClock;
  /** Times the network dropped (sessions cut). */
  drops: number;
  /** Runs a command line as ec2-user; `signal` aborts it. */
  sh(command: string, options?: { stdin?: string; signal?: AbortSignal }): Promise<Result>;
}

/** Outcome of {@link TestHost.sh}. */
export interface Result {
  stdout: string;
  stderr: string;
  /** Exit status; null when the session was cut. */
  code: number | null;
}

/** Creates and boots a host. */
export function testHost(overrides: Record<string, unknown> = {}): TestHost {
  const clock = new ManualClock();
  const p = profile(overrides);
  const state = initialHostState({
    instanceId: "i-0123456789abcdef0",
    instanceType: "c7i.large",
    address: "127.0.0.12",
    profile: p,
    wallEpochMs: Date.UTC(2026, 4, 6, 0, 30, 0),
  });
  let session = new AbortController();
  let lifetime = new AbortController();
  const host: TestHost = {
    machine: undefined as unknown as Machine,
    clock,
    drops: 0,
    async sh(command, options = {}) {
      let stdout = "";
      let stderr = "";
      if (!host.machine.networkUp()) {
        return { stdout, stderr: "ssh: connect: Connection refused", code: null };
      }
      const signal = options.signal
        ? AbortSignal.any([session.signal, options.signal])
        : session.signal;
      const outcome = await runExec({
        command,
        machine: host.machine,
        signal,
        lifetime: lifetime.signal,
        io: {
          stdin: () => Promise.resolve(options.stdin ?? ""),
          out: (s) => (stdout += s),
          err: (s) => (stderr += s),
        },
      });
      return { stdout, stderr, code: "exitCode" in outcome ? outcome.exitCode : null };
    },
  };
  host.machine = new Machine(state, clock, {
    networkDown: () => {
      host.drops++;
      session.abort(new Error("connection lost"));
      session = new AbortController();
    },
    poweredOff: () => {
      lifetime.abort(new Error("powered off"));
      lifetime = new AbortController();
    },
  });
  host.machine.powerCycle(1);
  clock.advance(1);
  host.machine.settle();
  host.drops = 0;
  return host;
}
