import assert from "node:assert/strict";
import { StepError } from "../../runner/errors.ts";
import { expandHome, loadPrivateKey, PASSPHRASE_ENV } from "../../plugins/ssh/private-key.ts";
import { makeTestContext } from "../helpers/context.ts";
import { writeKeyFile } from "./helpers.ts";
import { ed25519Key, rsaPemKey } from "./test-server.ts";

const source = { inputKey: "private_key" };

function configError(pattern: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof StepError, String(error));
    assert.equal(error.kind, "config");
    assert.match(error.message, pattern);
    return true;
  };
}

Deno.test("a missing key file is a config error naming the path and the input key", async () => {
  const ctx = makeTestContext();
  await assert.rejects(
    loadPrivateKey(ctx, "/nonexistent/dir/my-key.pem", source),
    configError(/private_key "\/nonexistent\/dir\/my-key.pem" does not exist/),
  );
});

Deno.test("a directory given as key is a config error", async () => {
  const ctx = makeTestContext();
  const dir = Deno.makeTempDirSync();
  await assert.rejects(loadPrivateKey(ctx, dir, source), configError(/is not a file/));
});

Deno.test("expandHome expands ~/ from HOME and leaves other paths alone", () => {
  const home = Deno.env.get("HOME");
  Deno.env.set("HOME", "/home/tester");
  try {
    assert.equal(expandHome("~/.ssh/key.pem"), "/home/tester/.ssh/key.pem");
    assert.equal(expandHome("/abs/key"), "/abs/key");
    assert.equal(expandHome("rel~/key"), "rel~/key");
  } finally {
    if (home) Deno.env.set("HOME", home);
  }
});

Deno.test("a ~ path that does not exist names both the given and the expanded path", async () => {
  const ctx = makeTestContext();
  await assert.rejects(
    loadPrivateKey(ctx, "~/no-such-ptp-runner-key.pem", source),
    configError(
      /"~\/no-such-ptp-runner-key.pem" \(\/.*no-such-ptp-runner-key.pem\) does not exist/,
    ),
  );
});

Deno.test("a group/other-readable key loads with a warning naming the mode", async () => {
  const ctx = makeTestContext();
  const path = writeKeyFile(ed25519Key(), 0o644);
  const key = await loadPrivateKey(ctx, path, source);
  assert.equal(key.type, "ssh-ed25519");
  const warning = ctx.events.find((e) => e.type === "log" && e.level === "warn");
  assert.ok(warning && warning.type === "log");
  assert.match(warning.message, /mode 0644/);
  assert.match(warning.message, /chmod 600/);
});

Deno.test("a 0600 key loads without a warning and no key material reaches any event", async () => {
  const ctx = makeTestContext();
  const pair = ed25519Key();
  const key = await loadPrivateKey(ctx, writeKeyFile(pair), source);
  assert.equal(key.encrypted, false);
  assert.equal(ctx.events.filter((e) => e.type === "log" && e.level === "warn").length, 0);
  const body = pair.private.split("\n")[1];
  assert.ok(!JSON.stringify(ctx.events).includes(body));
});

Deno.test("an encrypted key is decrypted with the passphrase from PTP_RUNNER_KEY_PASSPHRASE", async () => {
  const ctx = makeTestContext();
  const path = writeKeyFile(ed25519Key("correct horse"));
  Deno.env.set(PASSPHRASE_ENV, "correct horse");
  try {
    const key = await loadPrivateKey(ctx, path, source);
    assert.equal(key.encrypted, true);
    assert.equal(key.key.isPrivateKey(), true);
  } finally {
    Deno.env.delete(PASSPHRASE_ENV);
  }
});

Deno.test("the key is loaded once per run: a second target reuses it without asking for the passphrase again", async () => {
  const ctx = makeTestContext({ settings: { interactive: false } });
  const path = writeKeyFile(ed25519Key("correct horse"));
  Deno.env.set(PASSPHRASE_ENV, "correct horse");
  let first;
  try {
    first = await loadPrivateKey(ctx, path, source);
  } finally {
    Deno.env.delete(PASSPHRASE_ENV);
  }
  // No passphrase available now: a second parse would fail.
  const second = await loadPrivateKey(ctx, path, source);
  assert.equal(second, first);
});

Deno.test("an encrypted key with a wrong passphrase is a config error", async () => {
  const ctx = makeTestContext();
  const path = writeKeyFile(ed25519Key("correct horse"));
  Deno.env.set(PASSPHRASE_ENV, "wrong");
  try {
    await assert.rejects(loadPrivateKey(ctx, path, source), configError(/cannot decrypt/));
  } finally {
    Deno.env.delete(PASSPHRASE_ENV);
  }
});

Deno.test("an encrypted key without a passphrase in a non-interactive run names the variable", async () => {
  const ctx = makeTestContext({ settings: { interactive: false } });
  const path = writeKeyFile(ed25519Key("secret"));
  await assert.rejects(
    loadPrivateKey(ctx, path, source),
    configError(/is encrypted: set PTP_RUNNER_KEY_PASSPHRASE/),
  );
});

Deno.test("an RSA PEM key (EC2's format) loads", async () => {
  const ctx = makeTestContext();
  const key = await loadPrivateKey(ctx, writeKeyFile(await rsaPemKey()), source);
  assert.equal(key.type, "ssh-rsa");
});

Deno.test("a public key file given as private_key is a config error", async () => {
  const ctx = makeTestContext();
  const path = writeKeyFile(ed25519Key().public);
  await assert.rejects(loadPrivateKey(ctx, path, source), configError(/private key/));
});

Deno.test("a file that is not a key is a config error naming the expected formats", async () => {
  const ctx = makeTestContext();
  const path = writeKeyFile("hello, not a key\n");
  await assert.rejects(loadPrivateKey(ctx, path, source), configError(/RSA or ed25519/));
});
