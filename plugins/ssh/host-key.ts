/**
 * SSH host keys: OpenSSH-style fingerprints, the fingerprints an EC2
 * instance prints on its console, and the trust decision (console
 * fingerprints, trust on first use, and never a silently changed key).
 *
 * Domain source: PTP.md section 7 — a fresh AL2023 instance prints its host key
 * fingerprints between `-----BEGIN SSH HOST KEY FINGERPRINTS-----` and
 * `-----END SSH HOST KEY FINGERPRINTS-----` (`256 SHA256:<base64> comment (ED25519)`).
 * @module
 */
import { createHash } from "node:crypto";
import { Buffer } from "node:buffer";

/**
 * OpenSSH fingerprint of a host key blob (SSH wire format, as ssh2 hands it
 * to `hostVerifier`): `SHA256:` + unpadded base64 of its SHA-256 digest.
 */
export function fingerprintOf(keyBlob: Uint8Array): string {
  const digest = createHash("sha256").update(keyBlob).digest("base64");
  return `SHA256:${digest.replace(/=+$/, "")}`;
}

/** Key type named inside a host key blob (e.g. `ssh-ed25519`), or `unknown`. */
export function keyTypeOf(keyBlob: Uint8Array): string {
  const buf = Buffer.from(keyBlob);
  if (buf.length < 4) return "unknown";
  const len = buf.readUInt32BE(0);
  if (len <= 0 || len > 64 || 4 + len > buf.length) return "unknown";
  return buf.subarray(4, 4 + len).toString("latin1");
}

/** One fingerprint line of the console output. */
export interface ConsoleFingerprint {
  /** Key size in bits, e.g. 256. */
  bits: number;
  /** `SHA256:...` (or `MD5:...` on very old images). */
  fingerprint: string;
  /** Key type in parentheses, e.g. `ED25519`, `RSA`, `ECDSA`. */
  type: string;
}

/**
 * Parses the fingerprint lines between the `SSH HOST KEY FINGERPRINTS`
 * markers of an EC2 console output (cloud-init may prefix each line with
 * `ec2: `). Returns an empty list when the block is absent (not booted yet).
 */
export function parseConsoleFingerprints(consoleText: string): ConsoleFingerprint[] {
  const begin = consoleText.lastIndexOf("-----BEGIN SSH HOST KEY FINGERPRINTS-----");
  if (begin < 0) return [];
  const end = consoleText.indexOf("-----END SSH HOST KEY FINGERPRINTS-----", begin);
  if (end < 0) return [];
  const block = consoleText.slice(begin, end);
  const found: ConsoleFingerprint[] = [];
  for (const line of block.split(/\r?\n/)) {
    const m = /(\d+)\s+((?:SHA256|MD5):\S+)\s+.*?\(([A-Za-z0-9-]+)\)\s*$/.exec(line);
    if (m) found.push({ bits: Number(m[1]), fingerprint: m[2], type: m[3].toUpperCase() });
  }
  return found;
}

/** How an accepted host key was trusted. */
export type HostKeySource = "console" | "tofu" | "known-hosts";

/** A host key accepted for a target, as recorded in the journal. */
export interface TrustedHostKey {
  /** `SHA256:...` fingerprint. */
  fingerprint: string;
  /** Key type, e.g. `ssh-ed25519`. */
  keyType: string;
  /**
   * `console` when it matched the instance's console output, `known-hosts` when
   * a line of the user's known_hosts file has it, `tofu` when trusted on first use.
   */
  source: HostKeySource;
  /** `address:port` it was seen at. */
  endpoint: string;
  /** ISO time it was accepted. */
  acceptedAt: string;
}

/** Journal key under which the trusted host key of `targetId` is stored. */
export function hostKeyJournalKey(targetId: string): string {
  return `ssh.hostKey.${targetId}`;
}

/** Outcome of checking a presented host key. */
export type HostKeyDecision =
  | { accept: true; trusted: TrustedHostKey; isNew: boolean }
  | { accept: false; reason: string };

/**
 * Decides whether to accept `presented`:
 * - a key already trusted for the target must be identical (a change is
 *   refused, never silently accepted);
 * - else, when `consoleFingerprints` is non-empty, the key must be among them
 *   (source `console`);
 * - else it is trusted on first use (source `tofu`).
 */
export function decideHostKey(options: {
  presented: { fingerprint: string; keyType: string };
  endpoint: string;
  previous?: TrustedHostKey;
  consoleFingerprints: readonly ConsoleFingerprint[];
  now?: Date;
}): HostKeyDecision {
  const { presented, previous, consoleFingerprints, endpoint } = options;
  if (previous) {
    if (previous.fingerprint === presented.fingerprint) {
      return { accept: true, trusted: previous, isNew: false };
    }
    return {
      accept: false,
      reason:
        `host key of ${endpoint} CHANGED: expected ${previous.fingerprint} (${previous.source}, accepted ${previous.acceptedAt}), got ${presented.fingerprint} (${presented.keyType}); refusing to connect (possible man-in-the-middle, or the instance was replaced)`,
    };
  }
  const acceptedAt = (options.now ?? new Date()).toISOString();
  if (consoleFingerprints.length > 0) {
    if (consoleFingerprints.some((f) => f.fingerprint === presented.fingerprint)) {
      return {
        accept: true,
        isNew: true,
        trusted: { ...presented, source: "console", endpoint, acceptedAt },
      };
    }
    return {
      accept: false,
      reason:
        `host key of ${endpoint} (${presented.fingerprint}, ${presented.keyType}) is not among the fingerprints the instance printed on its console (${
          consoleFingerprints.map((f) => `${f.fingerprint} ${f.type}`).join(", ")
        }); refusing to connect`,
    };
  }
  return {
    accept: true,
    isNew: true,
    trusted: { ...presented, source: "tofu", endpoint, acceptedAt },
  };
}
