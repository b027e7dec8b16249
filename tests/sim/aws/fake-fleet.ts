/**
 * A stand-in for the simulated hosts (`sim/host/`) so the endpoint can be
 * tested alone: each fake host "boots" after `boot_seconds + ssh_delay_seconds`
 * of simulated time and then shows host key fingerprints in its console
 * output. Records launches, reboots and stops for assertions.
 * @module
 */
import type { SimClock } from "../../../sim/clock.ts";
import type { HostFleetOptions } from "../../../sim/mod.ts";
import type { SimHostFleet, SimInstanceHost, SimLaunchSpec } from "../../../sim/types.ts";

/** A fake host and what happened to it. */
export interface FakeHost extends SimInstanceHost {
  readonly spec: SimLaunchSpec;
  reboots: number;
  stopped: boolean;
}

/** The fake fleet plus the options the simulator created it with. */
export interface FakeFleet extends SimHostFleet {
  options?: HostFleetOptions;
  hosts: FakeHost[];
}

/** A fingerprint line in the format AL2023's cloud-init prints. */
export const FAKE_FINGERPRINT =
  "256 SHA256:Wq3ZkHt8mJ1xq0p4VvXb2yC7nD5eF6gH9iJ0kL1mN2o no comment (ED25519)";

function fakeHost(spec: SimLaunchSpec, clock: SimClock): FakeHost {
  const readyAt = clock.now() + spec.profile.boot_seconds + spec.profile.ssh_delay_seconds;
  return {
    spec,
    instanceId: spec.instanceId,
    address: spec.address,
    reboots: 0,
    stopped: false,
    get sshReady() {
      return !this.stopped && clock.now() >= readyAt;
    },
    consoleOutput() {
      if (clock.now() < readyAt) return "";
      return [
        "[    0.000000] Linux version 6.1.158-180.294.amzn2023.x86_64",
        "cloud-init[1]: Cloud-init v. 22.2.2 running 'modules:final'",
        "-----BEGIN SSH HOST KEY FINGERPRINTS-----",
        FAKE_FINGERPRINT,
        "-----END SSH HOST KEY FINGERPRINTS-----",
        "",
      ].join("\n");
    },
    reboot() {
      this.reboots++;
    },
    stop() {
      this.stopped = true;
      return Promise.resolve();
    },
  };
}

/** A factory for `startSimulator({ hostFleet })` that keeps the created fleet in `holder.fleet`. */
export function fakeFleetFactory(
  holder: { fleet?: FakeFleet },
): (options: HostFleetOptions) => SimHostFleet {
  return (options) => {
    const hosts: FakeHost[] = [];
    const fleet: FakeFleet = {
      options,
      hosts,
      launch(spec) {
        const host = fakeHost(spec, options.clock);
        hosts.push(host);
        return host;
      },
      get(instanceId) {
        return hosts.find((h) => h.instanceId === instanceId);
      },
      stopAll() {
        for (const host of hosts) host.stopped = true;
        return Promise.resolve();
      },
    };
    holder.fleet = fleet;
    return fleet;
  };
}
