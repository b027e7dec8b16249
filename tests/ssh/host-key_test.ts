import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import {
  decideHostKey,
  fingerprintOf,
  keyTypeOf,
  parseConsoleFingerprints,
  type TrustedHostKey,
} from "../../plugins/ssh/host-key.ts";
import { ed25519Key } from "./test-server.ts";
import { consoleWith } from "./helpers.ts";

Deno.test("fingerprintOf is OpenSSH's SHA256 fingerprint without base64 padding", () => {
  const key = ed25519Key();
  const blob = Buffer.from(key.public.split(" ")[1], "base64");
  const expected = "SHA256:" +
    createHash("sha256").update(blob).digest("base64").replace(/=+$/, "");
  assert.equal(fingerprintOf(blob), expected);
  assert.doesNotMatch(fingerprintOf(blob), /=/);
  assert.equal(keyTypeOf(blob), "ssh-ed25519");
  assert.equal(keyTypeOf(new Uint8Array([0, 0])), "unknown");
});

Deno.test("parseConsoleFingerprints reads ED25519, ECDSA and RSA lines between the markers", () => {
  const found = parseConsoleFingerprints(consoleWith([
    "256 SHA256:abcDEF0123+/xyz no comment (ED25519)",
    "256 SHA256:ecdsaFingerprint root@ip-172-31-5-10 (ECDSA)",
    "3072 SHA256:rsaFingerprint root@ip-172-31-5-10 (RSA)",
  ]));
  assert.deepEqual(found, [
    { bits: 256, fingerprint: "SHA256:abcDEF0123+/xyz", type: "ED25519" },
    { bits: 256, fingerprint: "SHA256:ecdsaFingerprint", type: "ECDSA" },
    { bits: 3072, fingerprint: "SHA256:rsaFingerprint", type: "RSA" },
  ]);
});

Deno.test("parseConsoleFingerprints is empty before boot printed the block", () => {
  assert.deepEqual(parseConsoleFingerprints(""), []);
  assert.deepEqual(parseConsoleFingerprints("[    0.000000] Linux version 6.1.61\n"), []);
  assert.deepEqual(
    parseConsoleFingerprints("-----BEGIN SSH HOST KEY FINGERPRINTS-----\n256 SHA256:x (ED25519)"),
    [],
  );
});

const presented = { fingerprint: "SHA256:AAA", keyType: "ssh-ed25519" };

Deno.test("decideHostKey accepts a key listed on the console, refuses one that is not", () => {
  const listed = decideHostKey({
    presented,
    endpoint: "e",
    consoleFingerprints: [{ bits: 256, fingerprint: "SHA256:AAA", type: "ED25519" }],
  });
  assert.ok(listed.accept && listed.isNew && listed.trusted.source === "console");
  const other = decideHostKey({
    presented,
    endpoint: "e",
    consoleFingerprints: [{ bits: 256, fingerprint: "SHA256:BBB", type: "ED25519" }],
  });
  assert.ok(!other.accept);
  assert.match(other.reason, /not among the fingerprints/);
});

Deno.test("decideHostKey trusts on first use without console fingerprints", () => {
  const d = decideHostKey({ presented, endpoint: "e", consoleFingerprints: [] });
  assert.ok(d.accept && d.trusted.source === "tofu");
});

Deno.test("decideHostKey refuses a key different from the one trusted before", () => {
  const previous: TrustedHostKey = {
    fingerprint: "SHA256:OLD",
    keyType: "ssh-ed25519",
    source: "console",
    endpoint: "e",
    acceptedAt: "2026-01-01T00:00:00.000Z",
  };
  const changed = decideHostKey({ presented, endpoint: "e", previous, consoleFingerprints: [] });
  assert.ok(!changed.accept);
  assert.match(changed.reason, /CHANGED: expected SHA256:OLD/);
  const same = decideHostKey({
    presented: { ...presented, fingerprint: "SHA256:OLD" },
    endpoint: "e",
    previous,
    consoleFingerprints: [],
  });
  assert.ok(same.accept && !same.isNew && same.trusted === previous);
});
