/**
 * End to end (CLI as a subprocess): the existing-hosts pipeline checks host
 * keys against `~/.ssh/known_hosts` by default, as OpenSSH does (issue 12,
 * item 15). An unknown host is refused with what to do (ssh-keyscan, or
 * host_key_policy tofu); a hashed entry written by `ssh-keyscan -H` is
 * accepted; a changed key is refused naming the file and line and the
 * `ssh-keygen -R` that removes the old one; nothing runs on a refused host.
 * The host is an in-process ssh2 server (tests/ssh/test-server.ts).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ed25519Key, startTestServer } from "../ssh/test-server.ts";
import { EXISTING_HOSTS_PIPELINE, makeWorkDir, readEvents, runCli } from "./helpers.ts";

/** Where Deno keeps its caches: kept when the CLI runs with another HOME. */
async function denoDir(): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).output();
  return JSON.parse(new TextDecoder().decode(out.stdout)).denoDir;
}

Deno.test("existing-hosts checks host keys against ~/.ssh/known_hosts by default", async (t) => {
  const cwd = await makeWorkDir();
  const home = join(cwd, "home");
  await Deno.mkdir(join(home, ".ssh"), { recursive: true });
  const knownHosts = join(home, ".ssh", "known_hosts");
  const key = ed25519Key();
  const keyFile = join(cwd, "id_ed25519");
  await Deno.writeTextFile(keyFile, key.private, { mode: 0o600 });
  const server = await startTestServer({ authorizedKey: key.public });
  const name = `[127.0.0.1]:${server.port}`;
  const env = {
    HOME: home,
    DENO_DIR: await denoDir(),
    PTP_RUNNER_TIME_SCALE: "0.01",
    AWS_REGION: "us-east-1",
  };
  let n = 0;
  const run = async (extra: string[] = []) => {
    const events = join(cwd, `events-${++n}.jsonl`);
    const result = await runCli([
      "run",
      EXISTING_HOSTS_PIPELINE,
      "--yes",
      "--no-redact",
      "--set",
      `hosts=ec2-user@127.0.0.1:${server.port}`,
      "--set",
      `private_key=${keyFile}`,
      "--log-json",
      events,
      ...extra,
    ], { cwd, env });
    const connect = (await readEvents(events)).find((e) =>
      e.type === "step-finished" && e.stepId === "connect"
    );
    return { ...result, text: result.stdout + result.stderr, connect };
  };
  try {
    await t.step("an unknown host is refused with ssh-keyscan and tofu as ways on", async () => {
      const result = await run();
      assert.equal(result.code, 1, result.text);
      assert.equal(result.connect?.status, "failed", JSON.stringify(result.connect));
      assert.ok(
        result.text.includes(`${name} is not in ${knownHosts} (no such file)`),
        result.text,
      );
      assert.ok(
        result.text.includes(`ssh-keyscan -p ${server.port} 127.0.0.1 >> ${knownHosts}`),
        result.text,
      );
      assert.match(result.text, /--set host_key_policy=tofu/);
      assert.deepEqual(server.commands, [], "nothing ran on the refused host");
    });

    await t.step("a hashed entry from ssh-keyscan -H is accepted", async () => {
      const scan = await new Deno.Command("ssh-keyscan", {
        args: ["-H", "-p", String(server.port), "127.0.0.1"],
        stdout: "piped",
        stderr: "null",
      }).output();
      const lines = new TextDecoder().decode(scan.stdout);
      assert.match(lines, /^\|1\|/m, "ssh-keyscan -H hashes the name");
      await Deno.writeTextFile(knownHosts, lines, { mode: 0o600 });
      const result = await run();
      assert.equal(result.connect?.status, "ok", result.text);
      assert.match(result.text, new RegExp(`accepted \\(known_hosts ${knownHosts}:\\d+\\)`));
      assert.ok(server.commands.length > 0, "host steps ran after connect");
    });

    await t.step(
      "a changed key is refused naming the file:line and the ssh-keygen -R to run",
      async () => {
        const before = server.commands.length;
        const other = ed25519Key().public.split(" ").slice(0, 2).join(" ");
        await Deno.writeTextFile(knownHosts, `# reinstalled since\n${name} ${other}\n`);
        const result = await run();
        assert.equal(result.code, 1, result.text);
        assert.equal(result.connect?.status, "failed", result.text);
        assert.ok(result.text.includes(`(${knownHosts}:2)`), result.text);
        assert.match(result.text, /REMOTE HOST IDENTIFICATION HAS CHANGED/);
        assert.ok(result.text.includes(`ssh-keygen -f '${knownHosts}' -R '${name}'`), result.text);
        assert.equal(server.commands.length, before, "nothing ran on the refused host");
      },
    );

    await t.step("--set host_key_policy=tofu trusts the key seen first instead", async () => {
      await Deno.remove(knownHosts);
      const result = await run(["--set", "host_key_policy=tofu"]);
      assert.equal(result.connect?.status, "ok", result.text);
      assert.match(result.text, /accepted \(tofu\)/);
    });
  } finally {
    await server.close();
    await Deno.remove(cwd, { recursive: true });
  }
});
