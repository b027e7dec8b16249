/**
 * The SSH plugin against a real OpenSSH sshd (in front of the simulated host
 * model, tests/helpers/openssh.ts): key auth, TOFU host key, command events,
 * `sudo -n`, and the connect/ena-check steps. Skipped with a visible notice
 * where sshd or root is unavailable.
 */
import assert from "node:assert/strict";
import { openSshUnavailable, startOpenSsh } from "../helpers/openssh.ts";
import { InstanceProfileSchema } from "../../sim/profile.ts";
import connect from "../../steps/connect.ts";
import enaCheck from "../../steps/ena-check.ts";
import { shellFor } from "../../plugins/ssh/shell-registry.ts";
import { makeTestContext } from "../helpers/context.ts";
import { closeServices, contextFor, writeKeyFile } from "./helpers.ts";
import { ed25519Key } from "./test-server.ts";

const unavailable = openSshUnavailable();
if (unavailable) {
  console.warn(`NOTICE: SSH plugin tests against real OpenSSH skipped: ${unavailable}`);
}

Deno.test({
  name: "connect and ena-check work against a real OpenSSH sshd",
  ignore: unavailable !== null,
  async fn() {
    const key = ed25519Key();
    const sshd = await startOpenSsh({
      authorizedKey: key.public,
      profile: InstanceProfileSchema.parse({ architecture: "x86_64", phc_support: "supported" }),
      speed: 100,
    });
    const ctx = contextFor({ host: sshd.address, port: sshd.port }, { user: sshd.user });
    try {
      const connected = connect.output.parse(
        await connect.run(
          ctx,
          connect.input.parse({ private_key: writeKeyFile(key), host_key_policy: "tofu" }),
          AbortSignal.timeout(60_000),
        ),
      );
      assert.equal(connected.user, sshd.user);
      assert.equal(connected.host_key_source, "tofu");
      assert.match(connected.host_key_fingerprint ?? "", /^SHA256:[A-Za-z0-9+/]{43}$/);

      const later = makeTestContext({
        step: { id: "ena-check", type: "ena-check" },
        target: ctx.target,
        services: Object.fromEntries(ctx.serviceMap),
      });
      const shell = await shellFor(later);
      const root = await shell.run("cat /sys/module/ena/parameters/phc_enable", { sudo: true });
      assert.equal(root.exitCode, 0, `${root.stderr}\n${sshd.log()}`);
      assert.equal(root.stdout.trim(), "0");
      const ena = enaCheck.output.parse(
        await enaCheck.run(later, {}, AbortSignal.timeout(60_000)),
      );
      assert.equal(ena.needs_build, false, ena.reason);
      assert.equal(ena.interface, "ens5");
      assert.ok(later.events.filter((e) => e.type === "command").length >= 3);
      // Reconnecting meets the same host key, so it is accepted.
      await shell.reconnect(AbortSignal.timeout(60_000));
      assert.equal((await shell.run("uname -m")).stdout, "x86_64\n");
    } finally {
      await closeServices(ctx);
      await sshd.stop();
    }
  },
});

async function processesOf(stateFile: string): Promise<number> {
  const out = await new Deno.Command("pgrep", { args: ["-f", stateFile], stdout: "piped" })
    .output();
  return new TextDecoder().decode(out.stdout).split("\n").filter((l) => l.trim() !== "").length;
}

Deno.test({
  name: "aborting a command on a real OpenSSH sshd rejects at once and sends the KILL signal",
  ignore: unavailable !== null,
  async fn() {
    const key = ed25519Key();
    const sshd = await startOpenSsh({
      authorizedKey: key.public,
      profile: InstanceProfileSchema.parse({ architecture: "x86_64", phc_support: "supported" }),
      speed: 1,
    });
    const ctx = contextFor({ host: sshd.address, port: sshd.port }, { user: sshd.user });
    try {
      await connect.run(
        ctx,
        connect.input.parse({ private_key: writeKeyFile(key), host_key_policy: "tofu" }),
        AbortSignal.timeout(60_000),
      );
      const shell = await shellFor(ctx);
      const controller = new AbortController();
      // Short: the refused signal leaves it running until it ends on its own.
      const running = shell.run("sleep 3", { signal: controller.signal });
      const deadline = Date.now() + 20_000;
      while (await processesOf(sshd.stateFile) === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(await processesOf(sshd.stateFile) > 0, "the remote command started");
      const reason = new DOMException("step timed out", "TimeoutError");
      controller.abort(reason);
      await assert.rejects(running, (error: unknown) => error === reason);
      // sshd received the signal request; it refuses to deliver signals to
      // ForceCommand sessions (session.c), which the test sshd uses, so the
      // process is not observed dying here (on EC2 there is no ForceCommand).
      while (!/signal KILL/.test(sshd.log()) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.match(sshd.log(), /signal KILL/);
    } finally {
      await closeServices(ctx);
      await sshd.stop();
    }
  },
});
