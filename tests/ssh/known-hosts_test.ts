import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import { Buffer } from "node:buffer";
import { join } from "node:path";
import { StepError } from "../../runner/errors.ts";
import {
  checkKnownHost,
  knownHostsName,
  type KnownHostsVerdict,
  parseKnownHosts,
  preferredHostKeyAlgorithms,
} from "../../plugins/ssh/known-hosts.ts";
import { closeServices, contextFor, fastOpen, writeKeyFile } from "./helpers.ts";
import { ed25519Key, rsaPemKey, startTestServer, type TestServer } from "./test-server.ts";
import { defaultHostKeyPolicy } from "../../plugins/ssh/open-shell.ts";
import { hostKeyJournalKey } from "../../plugins/ssh/host-key.ts";
import { knownHostsRefusal } from "../../plugins/ssh/host-key-trust.ts";

const blob = (b64: string) => Uint8Array.from(Buffer.from(b64, "base64"));
/** A key blob in SSH wire format: string key type, then `body` (enough for matching). */
function keyBlob(type: string, body: string): string {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(type.length);
  return Buffer.concat([length, Buffer.from(type), Buffer.from(body)]).toString("base64");
}
const KEY_A = keyBlob("ssh-ed25519", "key-a");
const KEY_B = keyBlob("ssh-ed25519", "key-b");
const KEY_R = keyBlob("ssh-rsa", "key-r");

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

Deno.test("a key of a type the host is not listed with is unknown, not changed (as ssh)", () => {
  const entries = parseKnownHosts(`# x\nh ssh-rsa ${KEY_R}\nh ssh-ed25519 ${KEY_A}\n`);
  assert.deepEqual(checkKnownHost(entries, "h", 22, blob(KEY_B)), { match: "changed", lines: [3] });
  const rsaOnly = parseKnownHosts(`h ssh-rsa ${KEY_R}\n`);
  assert.deepEqual(checkKnownHost(rsaOnly, "h", 22, blob(KEY_A)), {
    match: "unknown",
    otherTypes: [{ line: 1, keyType: "ssh-rsa" }],
  });
  // ...so the server is asked for the listed types first.
  assert.deepEqual(preferredHostKeyAlgorithms(entries, "h", 22), [
    "rsa-sha2-512",
    "rsa-sha2-256",
    "ssh-rsa",
    "ssh-ed25519",
  ]);
  assert.deepEqual(preferredHostKeyAlgorithms(entries, "other", 22), []);
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
          [
            "",
            /is not in .*known_hosts.*ssh-keyscan -p \d+ 127\.0\.0\.1 >> .*known_hosts.*host_key_policy tofu/,
          ],
          [
            `# old\n${name} ssh-ed25519 ${KEY_B}\n`,
            new RegExp(
              `is not the key .*known_hosts lists for \\[127\\.0\\.0\\.1\\]:\\d+ \\(.*known_hosts:2\\)` +
                `: REMOTE HOST IDENTIFICATION HAS CHANGED.*ssh-keygen -f '.*known_hosts' -R '\\[127`,
            ),
          ],
          [
            `@revoked * ${server.hostKey.public.split(" ").slice(0, 2).join(" ")}\n` +
            serverLine(server, name) + "\n",
            /is marked @revoked in .*known_hosts:1/,
          ],
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

Deno.test("the host key policy defaults to known-hosts for hosts the run did not launch, console for launched ones", () => {
  assert.equal(defaultHostKeyPolicy({ launchedByRun: false }), "known-hosts");
  assert.equal(defaultHostKeyPolicy({ launchedByRun: true }), "console");
});

Deno.test({
  name:
    "without a policy, an existing host is checked against ~/.ssh/known_hosts (missing: refused with what to do)",
  sanitizeResources: true,
  async fn() {
    const key = ed25519Key();
    const server = await startTestServer({ authorizedKey: key.public });
    const home = await Deno.makeTempDir();
    const oldHome = Deno.env.get("HOME");
    Deno.env.set("HOME", home);
    const open = async (target = {}) => {
      const ctx = contextFor(server, target);
      try {
        return await fastOpen(ctx, writeKeyFile(key), {
          hostKeyPolicy: undefined,
          waitTimeoutSeconds: 0.5,
        });
      } finally {
        await closeServices(ctx);
      }
    };
    try {
      await assert.rejects(open(), (error: unknown) => {
        assert.ok(error instanceof StepError, String(error));
        assert.equal(error.kind, "config");
        assert.ok(
          error.message.includes(`is not in ${home}/.ssh/known_hosts (no such file)`),
          error.message,
        );
        return true;
      });
      await Deno.mkdir(join(home, ".ssh"));
      await Deno.writeTextFile(
        join(home, ".ssh/known_hosts"),
        serverLine(server, hashed(knownHostsName(server.host, server.port))) + "\n",
      );
      assert.equal((await open()).hostKey.source, "known-hosts");
      // A launched instance keeps its policy: console, trust on first use without an instance id.
      await Deno.writeTextFile(join(home, ".ssh/known_hosts"), "");
      assert.equal((await open({ launchedByRun: true })).hostKey.source, "tofu");
    } finally {
      if (oldHome === undefined) Deno.env.delete("HOME");
      else Deno.env.set("HOME", oldHome);
      await server.close();
      await Deno.remove(home, { recursive: true });
    }
  },
});

Deno.test({
  name: "with known-hosts, the jump host is checked against known_hosts too",
  sanitizeResources: true,
  async fn() {
    const key = ed25519Key();
    const target = await startTestServer({ authorizedKey: key.public, host: "127.0.0.3" });
    const jump = await startTestServer({
      authorizedKey: key.public,
      host: "127.0.0.2",
      allowForwarding: true,
    });
    const dir = await Deno.makeTempDir();
    const file = join(dir, "known_hosts");
    const open = async () => {
      const ctx = contextFor(target);
      try {
        await fastOpen(ctx, writeKeyFile(key), {
          hostKeyPolicy: "known-hosts",
          knownHostsFile: file,
          jumpHost: `ec2-user@127.0.0.2:${jump.port}`,
          waitTimeoutSeconds: 0.5,
        });
        return ctx.journalValues.get(hostKeyJournalKey(`jump:127.0.0.2:${jump.port}`)) as {
          source: string;
        };
      } finally {
        await closeServices(ctx);
      }
    };
    try {
      await Deno.writeTextFile(
        file,
        serverLine(target, knownHostsName(target.host, target.port)) + "\n",
      );
      await assert.rejects(open(), /jump host .*\[127\.0\.0\.2\]:\d+ is not in .*known_hosts/);
      await Deno.writeTextFile(
        file,
        serverLine(jump, knownHostsName(jump.host, jump.port)) + "\n",
        { append: true },
      );
      assert.equal((await open()).source, "known-hosts");
      assert.equal(jump.forwards.length, 1);
    } finally {
      await jump.close();
      await target.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a host listed with its RSA key only is asked for that key and accepted, as ssh does",
  sanitizeResources: true,
  async fn() {
    const key = ed25519Key();
    const rsa = await rsaPemKey();
    // ed25519 first: ssh2 would otherwise get the ed25519 key, which the file does not list.
    const server = await startTestServer({ authorizedKey: key.public, extraHostKeys: [rsa] });
    const dir = await Deno.makeTempDir();
    const file = join(dir, "known_hosts");
    await Deno.writeTextFile(file, `${knownHostsName(server.host, server.port)} ${rsa.public}\n`);
    const ctx = contextFor(server);
    try {
      const opened = await fastOpen(ctx, writeKeyFile(key), {
        hostKeyPolicy: "known-hosts",
        knownHostsFile: file,
        waitTimeoutSeconds: 0.5,
      });
      assert.equal(opened.hostKey.keyType, "ssh-rsa");
      assert.equal(opened.hostKey.source, "known-hosts");
    } finally {
      await closeServices(ctx);
      await server.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("known_hosts refusals say how to see a redacted address, only when addresses are redacted", () => {
  const where = {
    file: "/home/u/.ssh/known_hosts",
    host: "10.0.0.5",
    port: 2222,
    endpoint: "ec2-user@10.0.0.5:2222",
    presented: { fingerprint: "SHA256:abc", keyType: "ssh-ed25519" },
  };
  const verdicts: KnownHostsVerdict[] = [
    { match: "unknown", otherTypes: [] },
    { match: "changed", lines: [3] },
  ];
  for (const verdict of verdicts) {
    const redacted = knownHostsRefusal(verdict, { ...where, redacted: true });
    const plain = knownHostsRefusal(verdict, where);
    assert.match(redacted ?? "", /run again with --no-redact/, verdict.match);
    assert.ok(plain && !plain.includes("--no-redact"), verdict.match);
  }
});
