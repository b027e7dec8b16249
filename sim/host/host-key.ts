/**
 * SSH host keys of simulated instances: one ed25519 key per instance, made
 * in-process (or loaded from `hostKeyDir` when one was saved before), and its
 * OpenSSH fingerprint `SHA256:<base64 without padding>`.
 * @module
 */
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { generateEd25519KeyPair } from "../keygen.ts";

/** A host key pair. */
export interface HostKey {
  /** OpenSSH private key text. */
  privateKey: string;
  /** `ssh-ed25519 AAAA...` (no comment). */
  publicKey: string;
  /** `SHA256:...` as `ssh-keygen -l` prints it. */
  fingerprint: string;
}

/** `SHA256:<base64, no padding>` of an OpenSSH public key line's blob. */
export function sshFingerprint(publicKeyLine: string): string {
  const blob = Buffer.from(publicKeyLine.trim().split(/\s+/)[1] ?? "", "base64");
  return "SHA256:" + createHash("sha256").update(blob).digest("base64").replace(/=+$/, "");
}

/**
 * The host key of an instance: read from `<dir>/<instanceId>_ed25519` when
 * `dir` is given and the file exists, else generated (and saved there, mode 0600).
 * @throws Deno errors when `dir` is given but not writable
 */
export function hostKeyFor(instanceId: string, dir?: string): HostKey {
  const file = dir ? join(dir, `${instanceId}_ed25519`) : undefined;
  if (file) {
    try {
      const privateKey = Deno.readTextFileSync(file);
      const publicKey = Deno.readTextFileSync(file + ".pub").trim();
      return { privateKey, publicKey, fingerprint: sshFingerprint(publicKey) };
    } catch { /* not saved yet */ }
  }
  const pair = generateEd25519KeyPair();
  const publicKey = pair.public.trim().split(/\s+/).slice(0, 2).join(" ");
  if (file && dir) {
    Deno.mkdirSync(dir, { recursive: true });
    Deno.writeTextFileSync(file, pair.private, { mode: 0o600 });
    Deno.writeTextFileSync(file + ".pub", publicKey + "\n");
  }
  return { privateKey: pair.private, publicKey, fingerprint: sshFingerprint(publicKey) };
}
