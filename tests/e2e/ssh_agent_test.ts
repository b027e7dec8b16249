/**
 * End to end (CLI as a subprocess): with no key file, the ssh-agent at
 * `SSH_AUTH_SOCK` authenticates, as `ssh` does (issue 12, item 15): a real
 * OpenSSH `ssh-agent` (tests/helpers/ssh-agent.ts) holding an ed25519 key
 * opens the target, directly and through a jump host; emptied (`ssh-add -D`)
 * it is refused saying it holds no key; a dead socket is refused; without
 * `SSH_AUTH_SOCK` the run is refused before it starts (exit 2). Hosts are
 * in-process ssh2 servers (tests/ssh/test-server.ts) and, where root and sshd
 * are available, a real OpenSSH sshd (tests/helpers/openssh.ts), each
 * accepting only the agent's key; the CLI is never given the key file.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ed25519Key, startTestServer } from "../ssh/test-server.ts";
import { sshAgentUnavailable, startSshAgent } from "../helpers/ssh-agent.ts";
import { openSshUnavailable, startOpenSsh } from "../helpers/openssh.ts";
import { InstanceProfileSchema } from "../../sim/profile.ts";
import {
  appendScannedKeys,
  EXISTING_HOSTS_PIPELINE,
  makeWorkDir,
  readEvents,
  readJournal,
  runCli,
  runIdFrom,
} from "./helpers.ts";

const unavailable = sshAgentUnavailable();
if (unavailable) console.warn(`NOTICE: ssh-agent end-to-end tests skipped: ${unavailable}`);

/** A pipeline that only connects, through `jump_host`, with no private_key. */
const JUMP_PIPELINE = (jump: string) => `
name: agent-jump
inputs:
  hosts: { type: array, items: string }
  known_hosts_file: { type: string }
steps:
  - uses: existing-hosts
    with:
      hosts: \${{ inputs.hosts }}
  - uses: connect
    with:
      jump_host: ${jump}
      known_hosts_file: \${{ inputs.known_hosts_file }}
`;

Deno.test({
  name: "with no key file, the ssh-agent's key opens the hosts (also via a jump host); an " +
    "empty agent, a dead socket and no agent are refused with what to do",
  ignore: unavailable !== null,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const cwd = await makeWorkDir();
    const key = ed25519Key();
    const keyFile = join(cwd, "agent-key");
    await Deno.writeTextFile(keyFile, key.private, { mode: 0o600 });
    const target = await startTestServer({ authorizedKey: key.public, host: "127.0.0.3" });
    const jump = await startTestServer({
      authorizedKey: key.public,
      host: "127.0.0.2",
      allowForwarding: true,
    });
    const knownHosts = join(cwd, "known_hosts");
    await appendScannedKeys(target.host, target.port, knownHosts);
    await appendScannedKeys(jump.host, jump.port, knownHosts);
    const agent = await startSshAgent();
    let n = 0;
    const run = async (
      pipeline: string,
      env: Record<string, string>,
      host = `ec2-user@${target.host}:${target.port}`,
    ) => {
      const events = join(cwd, `events-${++n}.jsonl`);
      const result = await runCli([
        "run",
        pipeline,
        "--yes",
        "--set",
        `hosts=${host}`,
        "--set",
        `known_hosts_file=${knownHosts}`,
        "--log-json",
        events,
      ], { cwd, env: { PTP_RUNNER_TIME_SCALE: "0.01", AWS_REGION: "us-east-1", ...env } });
      const text = result.stdout + result.stderr;
      const connect = (await readEvents(events)).find((e) =>
        e.type === "step-finished" && e.stepId === "connect"
      );
      return { ...result, text, connect };
    };
    /** The connect step's `auth` output, from the run's journal. */
    const authOf = async (stdout: string) => {
      const journal = await readJournal(cwd, runIdFrom(stdout)) as {
        targets: { outputs: Record<string, { auth?: string }> }[];
      };
      return journal.targets[0].outputs.connect?.auth;
    };
    try {
      await agent.add(keyFile);
      await Deno.remove(keyFile); // only the agent has the key from here on
      const withAgent = { SSH_AUTH_SOCK: agent.socket };

      await t.step("the existing-hosts pipeline connects with the agent's key", async () => {
        const result = await run(EXISTING_HOSTS_PIPELINE, withAgent);
        assert.equal(result.connect?.status, "ok", result.text);
        assert.ok(
          result.text.includes(
            `authenticating with the ssh-agent at SSH_AUTH_SOCK=${agent.socket} (1 key(s): ssh-ed25519)`,
          ),
          result.text,
        );
        assert.equal(await authOf(result.stdout), "ssh-agent");
        assert.ok(target.commands.length > 0, "host steps ran");
      });

      await t.step({
        name: "a real OpenSSH sshd accepts the agent's key: the host ends functional",
        ignore: openSshUnavailable() !== null,
        fn: async () => {
          const sshd = await startOpenSsh({
            authorizedKey: key.public,
            profile: InstanceProfileSchema.parse({
              architecture: "x86_64",
              phc_support: "supported",
              placement_strategies: ["cluster", "partition", "spread", "precision-time"],
            }),
            speed: 100,
          });
          try {
            await appendScannedKeys(sshd.address, sshd.port, knownHosts);
            const result = await run(
              EXISTING_HOSTS_PIPELINE,
              withAgent,
              `${sshd.user}@${sshd.address}:${sshd.port}`,
            );
            assert.equal(result.code, 0, `${result.text}\n${sshd.log()}`);
            assert.equal(await authOf(result.stdout), "ssh-agent");
            assert.match(sshd.log(), /Accepted publickey for ptpsim/);
          } finally {
            await sshd.stop();
          }
        },
      });

      await t.step("the jump host is opened with the agent's key too", async () => {
        const pipeline = join(cwd, "jump.yaml");
        await Deno.writeTextFile(pipeline, JUMP_PIPELINE(`ec2-user@${jump.host}:${jump.port}`));
        const result = await run(pipeline, withAgent);
        assert.equal(result.code, 0, result.text);
        assert.equal(await authOf(result.stdout), "ssh-agent");
        assert.deepEqual(jump.forwards, [`${target.host}:${target.port}`]);
      });

      await t.step("an empty agent is refused saying it holds no key", async () => {
        await agent.removeAll();
        assert.deepEqual(await agent.list(), []);
        const before = target.commands.length;
        const result = await run(EXISTING_HOSTS_PIPELINE, withAgent);
        assert.equal(result.code, 1, result.text);
        assert.equal(result.connect?.status, "failed", result.text);
        assert.ok(
          result.text.includes(`the ssh-agent at SSH_AUTH_SOCK=${agent.socket} holds no key`),
          result.text,
        );
        assert.match(result.text, /add one with ssh-add KEYFILE, or set private_key/);
        assert.equal(target.commands.length, before, "nothing ran");
      });

      await t.step(
        "an agent holding another key: the host refuses it, naming the agent",
        async () => {
          const other = join(cwd, "other-key");
          await Deno.writeTextFile(other, ed25519Key().private, { mode: 0o600 });
          await agent.add(other);
          const result = await run(EXISTING_HOSTS_PIPELINE, withAgent);
          assert.equal(result.code, 1, result.text);
          assert.equal(result.connect?.status, "failed", result.text);
          assert.ok(
            result.text.includes(
              `tried the keys of the ssh-agent at SSH_AUTH_SOCK=${agent.socket}`,
            ),
            result.text,
          );
          await agent.removeAll();
        },
      );

      await t.step("a dead agent socket is refused", async () => {
        const result = await run(EXISTING_HOSTS_PIPELINE, {
          SSH_AUTH_SOCK: join(cwd, "no-agent.sock"),
        });
        assert.equal(result.code, 1, result.text);
        assert.match(result.text, /ssh-agent at SSH_AUTH_SOCK=.*no-agent\.sock cannot be used/);
      });

      await t.step("no key file and no SSH_AUTH_SOCK: exit 2 before the run starts", async () => {
        const events = join(cwd, "no-agent.jsonl");
        // Everything but SSH_AUTH_SOCK (which the test process may have).
        const env = { ...Deno.env.toObject(), AWS_REGION: "us-east-1" };
        delete (env as Record<string, string>).SSH_AUTH_SOCK;
        const result = await new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "-P=cli",
            `--config=${join(import.meta.dirname!, "../../deno.json")}`,
            join(import.meta.dirname!, "../../main.ts"),
            "run",
            EXISTING_HOSTS_PIPELINE,
            "--yes",
            "--set",
            `hosts=ec2-user@${target.host}:${target.port}`,
            "--log-json",
            events,
          ],
          cwd,
          env: { ...env, NO_COLOR: "1", CI: "1" },
          clearEnv: true,
          stdout: "piped",
          stderr: "piped",
        }).output();
        const text = new TextDecoder().decode(result.stdout) +
          new TextDecoder().decode(result.stderr);
        assert.equal(result.code, 2, text);
        assert.match(
          text,
          /private_key: is empty: give the path of the private key file, or run an ssh-agent .*SSH_AUTH_SOCK is not set/,
        );
      });
    } finally {
      await agent.stop();
      await jump.close();
      await target.close();
      await Deno.remove(cwd, { recursive: true });
    }
  },
});
