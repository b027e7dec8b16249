/**
 * End to end: key files and host specs that cannot work are refused before
 * the run (exit 2, no run journal): a private key block with a garbage body,
 * an encrypted key with a wrong PTP_RUNNER_KEY_PASSPHRASE, an empty
 * private_key, a host with port 0. A bad value read by two steps is reported
 * once.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { generateEd25519KeyPair } from "../../sim/keygen.ts";
import { EXISTING_HOSTS_PIPELINE, makeWorkDir, PTP_PIPELINE, runCli } from "./helpers.ts";

async function assertNoRun(cwd: string, what: string): Promise<void> {
  const runs = await Array.fromAsync(Deno.readDir(join(cwd, ".ptp-runner", "runs"))).catch(
    () => [],
  );
  assert.deepEqual(runs, [], `${what}: no run journal was created`);
}

Deno.test("unusable keys and a port-0 host exit 2 before the run, each problem said once", async () => {
  const cwd = await makeWorkDir();
  try {
    const garbage = join(cwd, "garbage.pem");
    await Deno.writeTextFile(
      garbage,
      "-----BEGIN OPENSSH PRIVATE KEY-----\ngarbagegarbage\n-----END OPENSSH PRIVATE KEY-----\n",
      { mode: 0o600 },
    );
    const encrypted = join(cwd, "encrypted");
    await Deno.writeTextFile(encrypted, generateEd25519KeyPair({ passphrase: "right" }).private, {
      mode: 0o600,
    });
    const plain = join(cwd, "plain");
    await Deno.writeTextFile(plain, generateEd25519KeyPair().private, { mode: 0o600 });
    const cases: { args: string[]; env?: Record<string, string>; expect: RegExp }[] = [
      {
        args: [PTP_PIPELINE, "--simulate", "--set", `private_key=${garbage}`],
        expect: /garbage\.pem is not a usable private key \(Malformed OpenSSH private key\)/,
      },
      {
        args: [PTP_PIPELINE, "--simulate", "--set", `private_key=${encrypted}`],
        env: { PTP_RUNNER_KEY_PASSPHRASE: "wrong" },
        expect: /encrypted: cannot decrypt it with PTP_RUNNER_KEY_PASSPHRASE/,
      },
      {
        args: [PTP_PIPELINE, "--simulate", "--set", "private_key="],
        expect: /private_key.*is empty: give the path of the private key file/,
      },
      {
        args: [
          EXISTING_HOSTS_PIPELINE,
          "--set",
          "hosts=127.0.0.1:0",
          "--set",
          `private_key=${plain}`,
        ],
        expect: /hosts\.0: port must be 1-65535/,
      },
    ];
    for (const c of cases) {
      const result = await runCli(["run", ...c.args, "--yes"], {
        cwd,
        env: { AWS_REGION: "us-east-1", ...c.env },
      });
      const text = result.stdout + result.stderr;
      assert.equal(result.code, 2, `${c.args}: ${text}`);
      assert.match(text, c.expect, `${c.args}: ${text}`);
      assert.match(text, /^1 problem found$/m, `${c.args}: said once: ${text}`);
      assert.doesNotMatch(text, /Empty path is not allowed/);
      await assertNoRun(cwd, c.args.join(" "));
    }
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
