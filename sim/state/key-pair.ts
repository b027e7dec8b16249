/**
 * The simulator's EC2 key pair: an ed25519 key generated in-process with
 * ssh2's `utils.generateKeyPairSync`, and its fingerprint as EC2 reports it.
 * @module
 */
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import type { SimKeyPair } from "./account.ts";
import { generateEd25519KeyPair } from "../keygen.ts";

/**
 * EC2's fingerprint of an ed25519 public key: the base64 (with `=` padding)
 * SHA-256 digest of the public key blob, i.e. of the base64-decoded second
 * field of the OpenSSH line. Source: EC2 User Guide, "Verify the fingerprint
 * of your key pair" (ED25519 key pairs: SHA-256 digest, base64).
 * @param publicKeyLine `ssh-ed25519 AAAA… comment`
 * @throws Error when the line has no base64 key blob.
 */
export function ed25519Fingerprint(publicKeyLine: string): string {
  const blob = publicKeyLine.trim().split(/\s+/)[1];
  if (!blob) throw new Error(`not an OpenSSH public key line: ${publicKeyLine.slice(0, 40)}`);
  return createHash("sha256").update(Buffer.from(blob, "base64")).digest("base64");
}

/**
 * Generates an ed25519 key pair named `keyName`.
 * @returns the API record (with `publicKey` as an OpenSSH line and EC2's
 *   fingerprint) and the private key in OpenSSH format (`-----BEGIN OPENSSH PRIVATE KEY-----`).
 */
export function generateKeyPair(
  keyName: string,
  keyPairId: string,
  createTime: Date,
): { keyPair: SimKeyPair; privateKey: string } {
  const generated = generateEd25519KeyPair({ comment: keyName });
  const publicKey = generated.public.trim();
  return {
    keyPair: {
      keyPairId,
      keyName,
      keyType: "ed25519",
      publicKey,
      fingerprint: ed25519Fingerprint(publicKey),
      createTime,
      tags: {},
    },
    privateKey: generated.private,
  };
}
