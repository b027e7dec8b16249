/**
 * Several simulated hosts each behind its own real OpenSSH `sshd`
 * (tests/helpers/openssh.ts), on distinct loopback addresses, as the
 * `[user@]host:port` list the existing-hosts pipeline takes.
 * @module
 */
import type { InstanceProfile } from "../../sim/profile.ts";
import { type OpenSshHost, startOpenSsh } from "../helpers/openssh.ts";

/** Running sshd hosts. */
export interface OpenSshHostList {
  hosts: OpenSshHost[];
  /** `user@address:port` of each host, in order. */
  specs: string[];
  /** Every sshd's log, labelled, for assertion messages. */
  logs(): string;
  /** Stops every sshd. */
  stop(): Promise<void>;
}

/**
 * Starts one sshd per profile, all accepting `authorizedKey`, with hosts at
 * `speed` simulated seconds per real second.
 * @throws Error from {@link startOpenSsh} (after stopping the ones started)
 */
export async function startHosts(
  authorizedKey: string,
  profiles: InstanceProfile[],
  speed: number,
): Promise<OpenSshHostList> {
  const hosts: OpenSshHost[] = [];
  const stop = async () => {
    for (const h of hosts.splice(0)) await h.stop();
  };
  try {
    for (const profile of profiles) {
      hosts.push(await startOpenSsh({ authorizedKey, profile, speed }));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    hosts,
    specs: hosts.map((h) => `${h.user}@${h.address}:${h.port}`),
    logs: () => hosts.map((h) => `--- sshd ${h.address}:${h.port}\n${h.log()}`).join("\n"),
    stop,
  };
}
