/**
 * The set of simulated hosts the fake EC2 endpoint launches into.
 * @module
 */
import type { SimHostFleet, SimInstanceHost, SimLaunchSpec } from "../types.ts";
import { SimHost } from "./instance.ts";
import type { HostClock } from "./model/machine.ts";

/** Options of {@link createHostFleet}. */
export interface HostFleetOptions {
  /** Port every host's sshd listens on, at the host's own loopback address. */
  sshPort: number;
  /** The simulator's clock (`now()` and `sleep()` in simulated seconds). */
  clock: HostClock;
  /** Directory for per-instance host keys (kept between runs); optional. */
  hostKeyDir?: string;
}

/** A fleet whose hosts are {@link SimHost}s (tests reach the model through `host()`). */
export interface SimHostFleetImpl extends SimHostFleet {
  /** The host with its model, for tests and the `sim` command. */
  host(instanceId: string): SimHost | undefined;
}

/**
 * Creates the fleet. `launch(spec)` makes the host, which boots for
 * `profile.boot_seconds + profile.ssh_delay_seconds` simulated seconds and
 * then accepts SSH on `spec.address:sshPort`.
 * @throws Error from `launch` when the instance id is already used
 */
export function createHostFleet(options: HostFleetOptions): SimHostFleetImpl {
  const hosts = new Map<string, SimHost>();
  return {
    launch(spec: SimLaunchSpec): SimInstanceHost {
      if (hosts.has(spec.instanceId)) {
        throw new Error(`instance ${spec.instanceId} already launched`);
      }
      const host = new SimHost(spec, options);
      hosts.set(spec.instanceId, host);
      return host;
    },
    get: (id) => hosts.get(id),
    host: (id) => hosts.get(id),
    async stopAll() {
      await Promise.all([...hosts.values()].map((h) => h.stop()));
    },
  };
}
