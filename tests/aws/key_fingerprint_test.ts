import assert from "node:assert/strict";
import { createHash, createPublicKey, generateKeyPairSync } from "node:crypto";
import {
  describeFingerprintMismatch,
  ec2FingerprintAlgorithm,
  fingerprintLikeEc2,
  fingerprintMatches,
  fingerprintsOfPrivateKey,
  normaliseFingerprint,
} from "../../plugins/aws/launch/key-fingerprint.ts";
import { generateEd25519KeyPair } from "../../sim/keygen.ts";

Deno.test("ed25519 fingerprint is the base64 SHA-256 of the public key blob, matched with EC2's = padding", () => {
  const keys = generateEd25519KeyPair();
  const blob = Uint8Array.from(atob(keys.public.split(" ")[1]), (c) => c.charCodeAt(0));
  const padded = createHash("sha256").update(blob).digest("base64");
  const local = fingerprintsOfPrivateKey(keys.private);
  assert.equal(local.keyType, "ssh-ed25519");
  assert.equal(local.sha256, padded.replace(/=+$/, ""));
  assert.ok(fingerprintMatches(padded, local));
  assert.ok(fingerprintMatches(`SHA256:${padded.replace(/=+$/, "")}`, local));
});

Deno.test("RSA fingerprints: SHA-1 of the PKCS#8 DER private key and MD5 of the DER public key", () => {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  const pkcs8 = privateKey.export({ type: "pkcs8", format: "der" });
  const spki = createPublicKey(privateKey).export({ type: "spki", format: "der" });
  const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join(":");
  const sha1 = hex(createHash("sha1").update(pkcs8).digest());
  const local = fingerprintsOfPrivateKey(pem);
  assert.equal(local.keyType, "ssh-rsa");
  assert.equal(local.sha1PrivateKey, sha1);
  assert.ok(fingerprintMatches(sha1.toUpperCase(), local), "created-by-EC2 form matches");
  const md5 = hex(createHash("md5").update(spki).digest());
  assert.equal(local.md5PublicKey, md5);
  assert.ok(fingerprintMatches(md5, local), "imported form matches");
});

Deno.test("a fingerprint of another key does not match", () => {
  const a = fingerprintsOfPrivateKey(generateEd25519KeyPair().private);
  const b = fingerprintsOfPrivateKey(generateEd25519KeyPair().private);
  assert.equal(fingerprintMatches(b.sha256!, a), false);
});

Deno.test("normaliseFingerprint strips SHA256: and padding and lower-cases hex pairs", () => {
  assert.equal(normaliseFingerprint("SHA256:abc+/=="), "abc+/");
  assert.equal(normaliseFingerprint("AA:BB:0C"), "aa:bb:0c");
});

Deno.test("a mismatch against an EC2-created RSA key pair shows both SHA-1 fingerprints in EC2's hex form", () => {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const local = fingerprintsOfPrivateKey(
    privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
  );
  const ec2 = "1F:51:AE:28:BF:89:E9:D8:1F:25:5D:37:2D:7D:B8:CA:9F:F5:F1:6F";
  assert.equal(ec2FingerprintAlgorithm(ec2), "sha1-private");
  const line = describeFingerprintMismatch(ec2, local, "rsa");
  assert.equal(
    line,
    `EC2 has fingerprint ${ec2}, the file gives ${local.sha1PrivateKey!.toUpperCase()} ` +
      "(both SHA-1 of the DER PKCS#8 private key (RSA key pairs EC2 created))",
  );
});

Deno.test("an ed25519 mismatch shows the file's SHA-256 with EC2's padding, not the SHA256: form", () => {
  const local = fingerprintsOfPrivateKey(generateEd25519KeyPair().private);
  const ec2 = createHash("sha256").update("another key").digest("base64");
  const mine = fingerprintLikeEc2(ec2, local)!;
  assert.ok(mine.endsWith("="), mine);
  assert.ok(!mine.startsWith("SHA256:"));
  assert.equal(mine.replace(/=+$/, ""), local.sha256);
  assert.match(describeFingerprintMismatch(ec2, local), /\(both SHA-256 of the public key, base64/);
});

Deno.test("an ed25519 file against an RSA key pair's fingerprint names both key types", () => {
  const local = fingerprintsOfPrivateKey(generateEd25519KeyPair().private);
  const line = describeFingerprintMismatch(
    "aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99",
    local,
    "rsa",
  );
  assert.match(
    line,
    /MD5 of the DER public key .* rsa key pair, but the file holds an ssh-ed25519 key/,
  );
});
