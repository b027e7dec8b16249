/**
 * The host key trust of one target (or jump host): decides on every
 * presented key with {@link decideHostKey}, records a newly accepted key in
 * the run journal at once, and remembers it for reconnects.
 * @module
 */
import type { JournalApi, Logger } from "../../runner/types.ts";
import {
  type ConsoleFingerprint,
  decideHostKey,
  fingerprintOf,
  hostKeyJournalKey,
  type HostKeySource,
  keyTypeOf,
  type TrustedHostKey,
} from "./host-key.ts";
import {
  checkKnownHost,
  knownHostsName,
  type KnownHostsVerdict,
  parseKnownHosts,
  preferredHostKeyAlgorithms,
} from "./known-hosts.ts";

/**
 * Host key checking policy: `console` (fingerprints from the console, TOFU
 * fallback), `tofu`, or `known-hosts` (the key must be in the user's
 * known_hosts file, as `ssh` with `StrictHostKeyChecking yes`).
 */
export type HostKeyPolicy = "console" | "tofu" | "known-hosts";

/**
 * Why a known_hosts check refuses the presented key (wording after `ssh`'s own:
 * what is wrong, the file and line, and the command that fixes it), or
 * undefined when the key is known.
 * - `revoked`: the key is on an `@revoked` line.
 * - `changed`: the host is listed with another key of the same type (`ssh`:
 *   "REMOTE HOST IDENTIFICATION HAS CHANGED"): `ssh-keygen -f FILE -R NAME` removes the old one.
 * - `unknown`: no key of this type is listed (`ssh` with `StrictHostKeyChecking
 *   yes`: "No ... host key is known"): `ssh-keyscan` adds it, or `host_key_policy
 *   tofu` trusts the key seen first.
 */
export function knownHostsRefusal(
  verdict: KnownHostsVerdict,
  where: {
    file: string;
    host: string;
    port: number;
    endpoint: string;
    /** The file does not exist. */
    missing?: boolean;
    /** Addresses are redacted in the run's output: the commands quoted will show `[IPv4-N]`. */
    redacted?: boolean;
    presented: { fingerprint: string; keyType: string };
  },
): string | undefined {
  const { file, host, port, presented } = where;
  const unredact = where.redacted
    ? " (the address is redacted in this output: run again with --no-redact for a command " +
      "to paste)"
    : "";
  const name = knownHostsName(host, port);
  const what = `host key ${presented.fingerprint} (${presented.keyType}) of ${where.endpoint}`;
  switch (verdict.match) {
    case "known":
      return undefined;
    case "revoked":
      return `${what} is marked @revoked in ${file}:${verdict.line}; refusing to connect`;
    case "changed":
      return `${what} is not the key ${file} lists for ${name} (${
        verdict.lines.map((line) => `${file}:${line}`).join(", ")
      }): REMOTE HOST IDENTIFICATION HAS CHANGED, or someone is in between; refusing to ` +
        `connect. If the host was reinstalled and ${presented.fingerprint} is its new key, ` +
        `remove the old one with: ssh-keygen -f '${file}' -R '${name}'${unredact}`;
    case "unknown":
      return `${name} is not in ${file}${
        where.missing ? " (no such file)" : ""
      } (host_key_policy known-hosts): no ${presented.keyType} host key is known for it${
        verdict.otherTypes.length > 0
          ? ` (only ${
            verdict.otherTypes.map((o) => `${o.keyType} at ${file}:${o.line}`).join(", ")
          }, which the host no longer offers)`
          : ""
      }. ` +
        `Check that ${presented.fingerprint} is the host's key (ssh-keygen -lf ` +
        `/etc/ssh/ssh_host_*_key.pub on the host), then add it with: ssh-keyscan ` +
        `${port === 22 ? "" : `-p ${port} `}${host} >> ${file}${unredact}; or trust the key ` +
        `seen first ` +
        `with host_key_policy tofu (the existing-hosts pipeline: --set host_key_policy=tofu)`;
  }
}

/** Options of {@link HostKeyTrust}. */
export interface HostKeyTrustOptions {
  /** Journal key suffix: the target id, or `jump:<host>:<port>`. */
  id: string;
  journal: JournalApi;
  log: Logger;
  /**
   * Reads the console fingerprints (policy `console` with an instance id);
   * called at most once, on the first key that has no trusted predecessor.
   * Undefined: trust on first use.
   */
  consoleFingerprints?: () => Promise<ConsoleFingerprint[]>;
  /** Policy `known-hosts`: the file (absolute) and the name it lists the endpoint under. */
  knownHosts?: { file: string; host: string; port: number };
  /** Addresses are redacted in the run's output (`settings.redact`): refusals say how to see them. */
  redacted?: boolean;
}

/** Verifies presented host keys for one endpoint. */
export class HostKeyTrust {
  #options: HostKeyTrustOptions;
  #console?: Promise<ConsoleFingerprint[]>;

  constructor(options: HostKeyTrustOptions) {
    this.#options = options;
  }

  /** The key trusted so far (from this run's journal), if any. */
  get trusted(): TrustedHostKey | undefined {
    return this.#options.journal.get(hostKeyJournalKey(this.#options.id)) as
      | TrustedHostKey
      | undefined;
  }

  /** Source of the trusted key, if any. */
  get source(): HostKeySource | undefined {
    return this.trusted?.source;
  }

  /**
   * Reads the console fingerprints now, outside any SSH handshake (the read
   * polls for up to a minute while the console has none yet; inside the
   * handshake that wait would time it out and look like sshd's fault). Does
   * nothing when a key is already trusted or the policy has no console.
   * @returns the policy that will apply: `known` (a key trusted earlier in
   *   this run), `console` (fingerprints found), `tofu` (none: trust on first use).
   * @throws the signal's reason when the read is aborted.
   */
  async prefetch(): Promise<"known" | "console" | "tofu"> {
    if (this.trusted) return "known";
    if (!this.#options.consoleFingerprints) return "tofu";
    this.#console ??= this.#options.consoleFingerprints();
    try {
      return (await this.#console).length > 0 ? "console" : "tofu";
    } catch (error) {
      this.#console = undefined;
      throw error;
    }
  }

  /**
   * Host key algorithms to offer first (policy `known-hosts` with no key
   * trusted yet): those of the keys the file lists for the endpoint, so the
   * server presents one of them, as `ssh` does. Undefined: ssh2's defaults.
   */
  async preferredAlgorithms(): Promise<string[] | undefined> {
    if (this.trusted || !this.#options.knownHosts) return undefined;
    const { file, host, port } = this.#options.knownHosts;
    let text: string;
    try {
      text = await Deno.readTextFile(file);
    } catch {
      return undefined; // verify() says what is wrong with the file
    }
    const algorithms = preferredHostKeyAlgorithms(parseKnownHosts(text), host, port);
    return algorithms.length > 0 ? algorithms : undefined;
  }

  /**
   * Checks `keyBlob` presented at `endpoint`.
   * @returns null when accepted (a new key is journalled before returning), or the refusal reason.
   */
  async verify(endpoint: string, keyBlob: Uint8Array): Promise<string | null> {
    const presented = { fingerprint: fingerprintOf(keyBlob), keyType: keyTypeOf(keyBlob) };
    const previous = this.trusted;
    if (!previous && this.#options.knownHosts) {
      return await this.#verifyKnownHosts(endpoint, keyBlob, presented);
    }
    let consoleFingerprints: ConsoleFingerprint[] = [];
    if (!previous && this.#options.consoleFingerprints) {
      this.#console ??= this.#options.consoleFingerprints();
      try {
        consoleFingerprints = await this.#console;
      } catch (error) {
        this.#console = undefined; // aborted: read again on the next attempt
        throw error;
      }
    }
    const decision = decideHostKey({ presented, endpoint, previous, consoleFingerprints });
    if (!decision.accept) {
      this.#options.log.error(decision.reason);
      return decision.reason;
    }
    if (decision.isNew) {
      await this.#options.journal.put(hostKeyJournalKey(this.#options.id), decision.trusted);
      this.#options.log.info(
        `host key of ${endpoint} accepted (${decision.trusted.source}): ${decision.trusted.fingerprint} ${decision.trusted.keyType}`,
      );
    }
    return null;
  }

  async #verifyKnownHosts(
    endpoint: string,
    keyBlob: Uint8Array,
    presented: { fingerprint: string; keyType: string },
  ): Promise<string | null> {
    const { file, host, port } = this.#options.knownHosts!;
    let text = "";
    let missing = false;
    try {
      text = await Deno.readTextFile(file);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) {
        const reason = `cannot read ${file}: ${(error as Error).message}`;
        this.#options.log.error(reason);
        return reason;
      }
      missing = true;
    }
    const verdict = checkKnownHost(parseKnownHosts(text), host, port, keyBlob);
    const reason = knownHostsRefusal(verdict, {
      file,
      host,
      port,
      endpoint,
      missing,
      presented,
      redacted: this.#options.redacted,
    });
    if (reason) {
      this.#options.log.error(reason);
      return reason;
    }
    const trusted: TrustedHostKey = {
      ...presented,
      source: "known-hosts",
      endpoint,
      acceptedAt: new Date().toISOString(),
    };
    await this.#options.journal.put(hostKeyJournalKey(this.#options.id), trusted);
    this.#options.log.info(
      `host key of ${endpoint} accepted (known_hosts ${file}:${
        verdict.match === "known" ? verdict.line : "?"
      }): ${presented.fingerprint} ${presented.keyType}`,
    );
    return null;
  }
}
