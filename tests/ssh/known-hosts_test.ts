import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import { Buffer } from "node:buffer";
import { join } from "node:path";
import { StepError } from "../../runner/errors.ts";
import { checkKnownHost, knownHostsName, parseKnownHosts } from "../../plugins/ssh/known-hosts.ts";
import { closeServices, contextFor, fastOpen, writeKeyFile } from "./helpers.ts";
import { ed25519Key, startTestServer, type TestServer } from "./test-server.ts";

const blob = (b64: string) => Uint8Array.from(Buffer.from(b64, "base64"));
const KEY_A = Buffer.from("key-a-blob").toString("base64");
const KEY_B = Buffer.from("key-b-blob").toString("base64");

/** A hashed host pattern as `ssh-keygen -H` writes it. */
function hashed(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString("base64")}|${createHmac("sha1", salt).update(name).digest("base64")}`;
}

Deno.test("known_hosts lines match by plain name, [host]:port, hashed name and wildcard", () => {
  const entries = parseKnownHosts([
    "# comment",
    `10.0.0.5,web ssh-ed25519 ${KEY_A}`,
    `[10.0.0.6]:2222 ssh-ed25519 ${KEY_A} note`,
    `${hashed("10.0.0.7")} ssh-ed25519 ${KEY_A}`,
    `*.lab ssh-ed25519 ${KEY_A}`,
    "@cert-authority *.corp ssh-rsa AAAA",
    "garbage",
  ].join("\n"));
  assert.equal(entries.length, 4);
  assert.deepEqual(checkKnownHost(entries, "10.0.0.5", 22, blob(KEY_A)), {
    match: "known",
    line: 2,
  });
  assert.deepEqual(checkKnownHost(entries, "10.0.0.6", 2222, blob(KEY_A)), {
    match: "known",
    line: 3,
  });
  assert.equal(checkKnownHost(entries, "10.0.0.6", 22, blob(KEY_A)).match, "unknown");
  assert.deepEqual(checkKnownHost(entries, "10.0.0.7", 22, blob(KEY_A)), {
    match: "known",
    line: 4,
  });
  assert.equal(checkKnownHost(entries, "box.lab", 22, blob(KEY_A)).match, "known");
  assert.deepEqual(checkKnownHost(entries, "10.0.0.5", 22, blob(KEY_B)), {
    match: "changed",
    lines: [2],
  });
  assert.equal(knownHostsName("h", 22), "h");
  assert.equal(knownHostsName("h", 2200), "[h]:2200");
});

Deno.test("a @revoked key is refused for every host", () => {
  const entries = parseKnownHosts(`@revoked * ssh-ed25519 ${KEY_A}\nh ssh-ed25519 ${KEY_A}\n`);
  assert.deepEqual(checkKnownHost(entries, "h", 22, blob(KEY_A)), { match: "revoked", line: 1 });
});

function serverLine(server: TestServer, name: string): string {
  return `${name} ${server.hostKey.public.split(" ").slice(0, 2).join(" ")}`;
}

Deno.test({
  name: "host_key_policy known-hosts accepts a listed key and refuses an unlisted or changed one",
  sanitizeResources: true,
  async fn() {
    const key = ed25519Key();
    const server = await startTestServer({ authorizedKey: key.public });
    const dir = await Deno.makeTempDir();
    const file = join(dir, "known_hosts");
    const name = knownHostsName(server.host, server.port);
    const open = async (text: string) => {
      await Deno.writeTextFile(file, text);
      const ctx = contextFor(server);
      try {
        return await fastOpen(ctx, writeKeyFile(key), {
          hostKeyPolicy: "known-hosts",
          knownHostsFile: file,
          waitTimeoutSeconds: 0.5,
        });
      } finally {
        await closeServices(ctx);
      }
    };
    try {
      const opened = await open(serverLine(server, hashed(name)) + "\n");
      assert.equal(opened.hostKey.source, "known-hosts");
      for (
        const [text, pattern] of [
          ["", /is not in .*known_hosts.*ssh-keyscan/],
          [`${name} ssh-ed25519 ${KEY_B}\n`, /is not the one .* lists .*ssh-keygen -R/],
        ] as const
      ) {
        await assert.rejects(open(text), (error: unknown) => {
          assert.ok(error instanceof StepError, String(error));
          assert.equal(error.kind, "config", error.message);
          assert.match(error.message, pattern);
          return true;
        });
      }
      assert.equal(server.commands.length, 0);
    } finally {
      await server.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
