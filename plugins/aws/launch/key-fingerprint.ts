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
import { type ParsedKey, utils } from "ssh2";

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
 * Computes the fingerprints of a private key file's text (OpenSSH or PEM
 * format, unencrypted). Encrypted keys go through `loadPrivateKey`
 * (plugins/ssh/private-key.ts) and {@link fingerprintsOfParsedKey}.
 * @param keyText the file's content.
 * @throws Error when the key cannot be parsed or is encrypted (no passphrase is taken).
 */
export function fingerprintsOfPrivateKey(keyText: string): KeyFingerprints {
  const parsed = utils.parseKey(keyText);
  if (parsed instanceof Error) throw parsed;
  return fingerprintsOfParsedKey(Array.isArray(parsed) ? parsed[0] : parsed);
}

/**
 * Computes the fingerprints of a private key as ssh2 parsed it (decrypted).
 * Every key gets `sha256` (base64 SHA-256 of the public key blob); RSA keys
 * also the SHA-1 and MD5 forms EC2 shows for RSA key pairs.
 * @throws Error when `key` is a public key.
 */
export function fingerprintsOfParsedKey(key: ParsedKey): KeyFingerprints {
  if (!key.isPrivateKey()) throw new Error("the file holds a public key, not a private key");
  const blob = key.getPublicSSH();
  const result: KeyFingerprints = {
    keyType: key.type,
    sha256: createHash("sha256").update(blob).digest("base64").replace(/=+$/, ""),
  };
  if (key.type === "ssh-rsa") {
    const privateKey = createPrivateKey(key.getPrivatePEM());
    const pkcs8 = privateKey.export({ type: "pkcs8", format: "der" });
    result.sha1PrivateKey = hexPairs(createHash("sha1").update(pkcs8).digest());
    const spki = createPublicKey(privateKey).export({ type: "spki", format: "der" });
    result.md5PublicKey = hexPairs(createHash("md5").update(spki).digest());
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

/** The algorithm behind an EC2 `KeyFingerprint`, recognised by its form. */
export type Ec2FingerprintAlgorithm = "sha256" | "sha1-private" | "md5-public";

/** Names of the algorithms, for messages (EC2 User Guide "Verify the fingerprint of your key pair"). */
const ALGORITHM_NAMES: Record<Ec2FingerprintAlgorithm, string> = {
  "sha256": "SHA-256 of the public key, base64 (ed25519 key pairs)",
  "sha1-private": "SHA-1 of the DER PKCS#8 private key (RSA key pairs EC2 created)",
  "md5-public": "MD5 of the DER public key (imported RSA key pairs)",
};

/**
 * Which algorithm an EC2 fingerprint was made with: 20 hex pairs are SHA-1,
 * 16 hex pairs MD5, anything else base64 SHA-256.
 */
export function ec2FingerprintAlgorithm(awsFingerprint: string): Ec2FingerprintAlgorithm {
  const f = normaliseFingerprint(awsFingerprint);
  if (/^[0-9a-f]{2}(:[0-9a-f]{2}){19}$/.test(f)) return "sha1-private";
  if (/^[0-9a-f]{2}(:[0-9a-f]{2}){15}$/.test(f)) return "md5-public";
  return "sha256";
}

/**
 * The local key's fingerprint written the way EC2 wrote `awsFingerprint`
 * (same algorithm; for SHA-256 the same `SHA256:` prefix and `=` padding; for
 * hex the same case), or undefined when the local key has no such form (an
 * ed25519 file against an RSA key pair).
 */
export function fingerprintLikeEc2(
  awsFingerprint: string,
  local: KeyFingerprints,
): string | undefined {
  const aws = awsFingerprint.trim();
  switch (ec2FingerprintAlgorithm(aws)) {
    case "sha1-private":
    case "md5-public": {
      const hex = ec2FingerprintAlgorithm(aws) === "sha1-private"
        ? local.sha1PrivateKey
        : local.md5PublicKey;
      if (!hex) return undefined;
      return /[A-F]/.test(aws) ? hex.toUpperCase() : hex;
    }
    case "sha256": {
      if (!local.sha256) return undefined;
      const body = aws.replace(/^SHA256:/, "");
      const padded = /=$/.test(body)
        ? local.sha256 + "=".repeat((4 - (local.sha256.length % 4)) % 4)
        : local.sha256;
      return aws.startsWith("SHA256:") ? `SHA256:${padded}` : padded;
    }
  }
}

/**
 * One line comparing EC2's fingerprint with the file's, both in EC2's form and
 * naming the algorithm, e.g. `EC2 has fingerprint X, the file gives Y (both
 * SHA-256 of the public key, base64 (ed25519 key pairs))`.
 */
export function describeFingerprintMismatch(
  awsFingerprint: string,
  local: KeyFingerprints,
  keyType?: string,
): string {
  const algorithm = ec2FingerprintAlgorithm(awsFingerprint);
  const name = ALGORITHM_NAMES[algorithm];
  const mine = fingerprintLikeEc2(awsFingerprint, local);
  if (mine === undefined) {
    return `EC2 has fingerprint ${awsFingerprint.trim()} (${name}) for a${
      keyType ? ` ${keyType}` : ""
    } key pair, but the file holds an ${local.keyType} key, which has no such fingerprint`;
  }
  return `EC2 has fingerprint ${awsFingerprint.trim()}, the file gives ${mine} (both ${name})`;
}
