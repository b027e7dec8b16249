/**
 * EC2 key pair fingerprints computed from a local private key file, to check
 * that `private_key` belongs to the key pair `key_name` before launching.
 *
 * How EC2 computes `KeyFingerprint` (EC2 User Guide "Verify the fingerprint of
 * your key pair"; EC2 API Reference "KeyPairInfo"):
 * - ed25519 (created or imported): base64 SHA-256 of the public key blob, the
 *   OpenSSH default; EC2 may pad it with `=`, ssh-keygen does not.
 * - RSA created by EC2: SHA-1 of the DER PKCS#8 private key, hex pairs with `:`.
 * - RSA imported: MD5 of the DER (SubjectPublicKeyInfo) public key, hex pairs
 *   with `:` (what `openssl pkey -pubout -outform DER | openssl md5 -c` prints).
 * @module
 */
import { createHash, createPrivateKey, createPublicKey } from "node:crypto";
import { utils } from "ssh2";

/** Fingerprints of one private key in every form EC2 may show. */
export interface KeyFingerprints {
  /** `ssh-ed25519` or `ssh-rsa`. */
  keyType: string;
  /** ed25519: base64 SHA-256 of the public key blob, no padding. */
  sha256?: string;
  /** RSA created by EC2: SHA-1 of the DER PKCS#8 private key, `aa:bb:...`. */
  sha1PrivateKey?: string;
  /** RSA imported: MD5 of the DER public key, `aa:bb:...`. */
  md5PublicKey?: string;
}

function hexPairs(digest: Uint8Array): string {
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join(":");
}

/**
 * Computes the fingerprints of a private key (OpenSSH or PEM format, unencrypted).
 * @param keyText the file's content.
 * @throws Error when the key cannot be parsed or is encrypted (no passphrase is taken).
 */
export function fingerprintsOfPrivateKey(keyText: string): KeyFingerprints {
  const parsed = utils.parseKey(keyText);
  if (parsed instanceof Error) throw parsed;
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key.isPrivateKey()) throw new Error("the file holds a public key, not a private key");
  const blob = key.getPublicSSH();
  const result: KeyFingerprints = { keyType: key.type };
  if (key.type === "ssh-ed25519") {
    result.sha256 = createHash("sha256").update(blob).digest("base64").replace(/=+$/, "");
  } else if (key.type === "ssh-rsa") {
    const privateKey = createPrivateKey(key.getPrivatePEM());
    const pkcs8 = privateKey.export({ type: "pkcs8", format: "der" });
    result.sha1PrivateKey = hexPairs(createHash("sha1").update(pkcs8).digest());
    const spki = createPublicKey(privateKey).export({ type: "spki", format: "der" });
    result.md5PublicKey = hexPairs(createHash("md5").update(spki).digest());
  } else {
    result.sha256 = createHash("sha256").update(blob).digest("base64").replace(/=+$/, "");
  }
  return result;
}

/** Normalises an EC2 fingerprint for comparison: no `SHA256:` prefix, no `=` padding, hex lower-case. */
export function normaliseFingerprint(fingerprint: string): string {
  const f = fingerprint.trim().replace(/^SHA256:/, "").replace(/=+$/, "");
  return /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2})+$/.test(f) ? f.toLowerCase() : f;
}

/** True when the key pair's `KeyFingerprint` matches one of the local key's fingerprints. */
export function fingerprintMatches(awsFingerprint: string, local: KeyFingerprints): boolean {
  const wanted = normaliseFingerprint(awsFingerprint);
  return [local.sha256, local.sha1PrivateKey, local.md5PublicKey]
    .filter((f): f is string => f !== undefined)
    .some((f) => normaliseFingerprint(f) === wanted);
}

/** The local fingerprints as one line for messages, e.g. `SHA256:abc` or `SHA-1 aa:.. / MD5 bb:..`. */
export function describeFingerprints(local: KeyFingerprints): string {
  if (local.sha256) return `SHA256:${local.sha256}`;
  return `SHA-1 ${local.sha1PrivateKey} (EC2-created) / MD5 ${local.md5PublicKey} (imported)`;
}
