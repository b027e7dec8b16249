/**
 * State of a simulated host kept in a JSON file, for the model behind a real
 * OpenSSH `sshd` (`openssh-entry.ts` runs once per SSH command). Simulated
 * time is derived from the wall clock: `(Date.now() - epochMs) / 1000 * speed`.
 * No npm imports here: the entry runs without the project's import map.
 * @module
 */
import type { InstanceProfile } from "../profile.ts";
import { initialHostState } from "./model/initial.ts";
import { type HostClock, Machine } from "./model/machine.ts";
import type { HostState } from "./model/state.ts";

/** The state file's content. */
export interface StateFile {
  state: HostState;
  /** Wall-clock ms at simulated second 0, and simulated seconds per real second. */
  clock: { epochMs: number; speed: number };
}

/** A clock on wall time: simulated seconds = real seconds since `epochMs` times `speed`. */
export class WallClock implements HostClock {
  /**
   * @param epochMs wall-clock ms at simulated second 0
   * @param speed simulated seconds per real second (> 0)
   */
  constructor(readonly epochMs: number, readonly speed: number) {}
  now(): number {
    return ((Date.now() - this.epochMs) / 1000) * this.speed;
  }
  sleep(simSeconds: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const id = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, Math.max(0, (simSeconds * 1000) / this.speed));
      const onAbort = () => {
        clearTimeout(id);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}

/** Options of {@link writeInitialState}. */
export interface InitialStateOptions {
  instanceId?: string;
  instanceType?: string;
  /** Address whose last octets make the private IP (text only). */
  address: string;
  /** A parsed profile (defaults applied). */
  profile: InstanceProfile;
  /** Simulated seconds per real second (default 50). */
  speed?: number;
}

/**
 * Writes the state file of a freshly booted host (already reachable).
 * @throws Deno file errors when the file cannot be written
 */
export function writeInitialState(file: string, o: InitialStateOptions): void {
  const epochMs = Date.now();
  const state = initialHostState({
    instanceId: o.instanceId ?? "i-0opensshsim00001",
    instanceType: o.instanceType ?? "c7i.large",
    address: o.address,
    profile: o.profile,
    wallEpochMs: epochMs,
  });
  const clock = new WallClock(epochMs, o.speed ?? 50);
  const machine = new Machine(state, clock);
  machine.powerCycle(0);
  machine.settle();
  Deno.writeTextFileSync(
    file,
    JSON.stringify({ state, clock: { epochMs, speed: clock.speed } } satisfies StateFile),
  );
}

/** Reads a state file. @throws Deno/JSON errors when missing or corrupt */
export function readStateFile(file: string): StateFile {
  return JSON.parse(Deno.readTextFileSync(file)) as StateFile;
}

/** Writes a state file atomically (temp file + rename). */
export function writeStateFile(file: string, content: StateFile): void {
  const tmp = `${file}.${Deno.pid}.tmp`;
  Deno.writeTextFileSync(tmp, JSON.stringify(content));
  Deno.renameSync(tmp, file);
}
