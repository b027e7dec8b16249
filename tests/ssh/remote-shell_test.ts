import assert from "node:assert/strict";
import { StepError } from "../../runner/errors.ts";
import { shellFor, shellServiceKey } from "../../plugins/ssh/shell-registry.ts";
import { hostKeyJournalKey, type TrustedHostKey } from "../../plugins/ssh/host-key.ts";
import { fingerprintOf } from "../../plugins/ssh/host-key.ts";
import { Buffer } from "node:buffer";
import { makeTestContext } from "../helpers/context.ts";
import { closeServices, contextFor, fastOpen, withRealSleep, writeKeyFile } from "./helpers.ts";
import { ed25519Key, freePort, rsaPemKey, startTestServer } from "./test-server.ts";

const sanitize = { sanitizeResources: true, sanitizeOps: true };

function publicBlob(publicLine: string): Uint8Array {
  return Buffer.from(publicLine.split(" ")[1], "base64");
}

/** Runs `fn` against a fresh in-process SSH server accepting a new ed25519 key; closes everything after. */
async function withTestServer(
  fn: (env: {
    key: ReturnType<typeof ed25519Key>;
    server: Awaited<ReturnType<typeof startTestServer>>;
    ctx: ReturnType<typeof contextFor>;
  }) => Promise<void>,
): Promise<void> {
  const key = ed25519Key();
  const server = await startTestServer({ authorizedKey: key.public });
  const ctx = contextFor(server);
  try {
    await fn({ key, server, ctx });
  } finally {
    await closeServices(ctx);
    await server.close();
  }
}

Deno.test({
  name: "run returns stdout, stderr and exit status and emits a command event per command",
  ...sanitize,
  fn: () =>
    withTestServer(async ({ key, ctx }) => {
      const { shell } = await fastOpen(ctx, writeKeyFile(key));
      const ok = await shell.run("echo hello world");
      assert.equal(ok.stdout, "hello world\n");
      assert.equal(ok.exitCode, 0);
      assert.equal(ok.command, "echo hello world");
      const failed = await shell.run("fail 3");
      assert.equal(failed.exitCode, 3);
      assert.equal(failed.stderr, "failing with 3\n");
      const echoed = await shell.run("cat", { stdin: "from stdin" });
      assert.equal(echoed.stdout, "from stdin");
      const commands = ctx.events.filter((e) => e.type === "command");
      assert.deepEqual(
        commands.map((e) => e.type === "command" && [e.command, e.exitCode, e.targetId]),
        [["echo hello world", 0, "t1"], ["fail 3", 3, "t1"], ["cat", 0, "t1"]],
      );
    }),
});

Deno.test({
  name: "check:true turns a non-zero exit into StepError command quoting stderr",
  ...sanitize,
  fn: () =>
    withTestServer(async ({ key, ctx }) => {
      const { shell } = await fastOpen(ctx, writeKeyFile(key));
      await assert.rejects(shell.run("fail 2", { check: true }), (error: unknown) => {
        assert.ok(error instanceof StepError);
        assert.equal(error.kind, "command");
        assert.match(error.message, /exited with status 2/);
        assert.equal(error.evidence, "failing with 2");
        return true;
      });
    }),
});

Deno.test({
  name: "a command killed by a signal has a null exit code and the signal name",
  ...sanitize,
  fn: () =>
    withTestServer(async ({ key, ctx }) => {
      const { shell } = await fastOpen(ctx, writeKeyFile(key));
      const result = await shell.run("killed TERM");
      assert.equal(result.exitCode, null);
      assert.equal(result.signal, "TERM");
    }),
});

Deno.test({
  name: "sudo:true prefixes sudo -n and wraps shell syntax in sh -c",
  ...sanitize,
  fn: () =>
    withTestServer(async ({ key, server, ctx }) => {
      const { shell } = await fastOpen(ctx, writeKeyFile(key));
      const simple = await shell.run("whoami", { sudo: true });
      assert.equal(simple.command, "sudo -n whoami");
      await shell.run("modprobe -r ena && modprobe ena", { sudo: true });
      assert.deepEqual(server.commands, [
        "sudo -n whoami",
        "sudo -n sh -c 'modprobe -r ena && modprobe ena'",
      ]);
    }),
});

Deno.test({
  name: "every command line puts /usr/local/sbin:/usr/sbin:/sbin on PATH, sudo included",
  ...sanitize,
  fn: () =>
    withTestServer(async ({ key, server, ctx }) => {
      const { shell } = await fastOpen(ctx, writeKeyFile(key));
      const plain = await shell.run("echo hi");
      await shell.run("whoami", { sudo: true });
      assert.equal(plain.command, "echo hi", "results name the command as written");
      assert.deepEqual(server.lines, [
        "PATH=/usr/local/sbin:/usr/sbin:/sbin:$PATH; export PATH; echo hi",
        "PATH=/usr/local/sbin:/usr/sbin:/sbin:$PATH; export PATH; sudo -n whoami",
      ]);
      const events = ctx.events.flatMap((e) => e.type === "command" ? [e.command] : []);
      assert.deepEqual(events.slice(-2), ["echo hi", "sudo -n whoami"]);
    }),
});

Deno.test({
  name: "aborting a running command kills the remote process and rejects with the reason",
  ...sanitize,
  fn: () =>
    withTestServer(async ({ key, server, ctx }) => {
      const { shell } = await fastOpen(ctx, writeKeyFile(key));
      const controller = new AbortController();
      const running = shell.run("sleep 600", { signal: controller.signal });
      while (server.commands.length === 0) await new Promise((r) => setTimeout(r, 5));
      const reason = new DOMException("step timed out", "TimeoutError");
      controller.abort(reason);
      await assert.rejects(running, (error: unknown) => error === reason);
      while (server.killed === 0) await new Promise((r) => setTimeout(r, 5));
      assert.deepEqual(server.signals, ["KILL"]);
      assert.equal(server.killed, 1);
      const event = ctx.events.find((e) => e.type === "command");
      assert.ok(event && event.type === "command" && event.exitCode === null);
      // The connection survives: later commands still run.
      assert.equal((await shell.run("echo still here")).stdout, "still here\n");
    }),
});

Deno.test({
  name: "a dropped connection is a connection error, or exitCode null with expectDisconnect",
  ...sanitize,
  fn: () =>
    withTestServer(async ({ key, ctx }) => {
      const { shell } = await fastOpen(ctx, writeKeyFile(key));
      const expected = await shell.run("drop", { expectDisconnect: true });
      assert.equal(expected.exitCode, null);
      await assert.rejects(shell.run("echo after"), (error: unknown) => {
        assert.ok(error instanceof StepError);
        assert.equal(error.kind, "connection");
        assert.match(error.message, /lost/);
        return true;
      });
      await shell.reconnect();
      await assert.rejects(shell.run("drop"), (error: unknown) => {
        assert.ok(error instanceof StepError);
        assert.equal(error.kind, "connection");
        assert.match(error.message, /dropped while running `drop`/);
        return true;
      });
      await shell.reconnect();
      assert.equal((await shell.run("echo back")).stdout, "back\n");
    }),
});

Deno.test({
  name: "the first host key is trusted on first use and recorded in the journal",
  ...sanitize,
  fn: () =>
    withTestServer(async ({ key, server, ctx }) => {
      const opened = await fastOpen(ctx, writeKeyFile(key));
      const expected = fingerprintOf(publicBlob(server.hostKey.public));
      assert.equal(opened.hostKey.fingerprint, expected);
      assert.equal(opened.hostKey.source, "tofu");
      const recorded = ctx.journalValues.get(hostKeyJournalKey("t1")) as TrustedHostKey;
      assert.equal(recorded.fingerprint, expected);
      assert.equal(recorded.keyType, "ssh-ed25519");
      assert.equal(recorded.endpoint, `ec2-user@127.0.0.1:${server.port}`);
    }),
});

Deno.test({
  name: "a changed host key on reconnect is a config error, never accepted",
  ...sanitize,
  async fn() {
    const key = ed25519Key();
    let server = await startTestServer({ authorizedKey: key.public });
    const ctx = contextFor(server);
    try {
      const { shell } = await fastOpen(ctx, writeKeyFile(key));
      const port = server.port;
      await server.close();
      server = await startTestServer({ authorizedKey: key.public, port });
      await assert.rejects(shell.reconnect(), (error: unknown) => {
        assert.ok(error instanceof StepError);
        assert.equal(error.kind, "config");
        assert.match(error.message, /CHANGED/);
        return true;
      });
      assert.equal(server.commands.length, 0);
    } finally {
      await closeServices(ctx);
      await server.close();
    }
  },
});

Deno.test({
  name: "connect waits with backoff for an sshd that starts late",
  ...sanitize,
  async fn() {
    const key = ed25519Key();
    const port = await freePort();
    const ctx = withRealSleep(contextFor({ host: "127.0.0.1", port }));
    let server: Awaited<ReturnType<typeof startTestServer>> | undefined;
    const starting = new Promise<void>((resolve) =>
      setTimeout(async () => {
        server = await startTestServer({ authorizedKey: key.public, port });
        resolve();
      }, 300)
    );
    try {
      const { shell } = await fastOpen(ctx, writeKeyFile(key), { waitTimeoutSeconds: 30 });
      await starting;
      assert.equal((await shell.run("echo up")).stdout, "up\n");
      const waited = ctx.events.some((e) =>
        e.type === "log" && /waiting for sshd/.test(e.message) && /ECONNREFUSED/.test(e.message)
      );
      assert.ok(waited, "a 'waiting for sshd' log naming ECONNREFUSED");
    } finally {
      await starting;
      await closeServices(ctx);
      await server?.close();
    }
  },
});

Deno.test({
  name: "connect gives up with a connection error when sshd never comes up within wait_timeout",
  ...sanitize,
  async fn() {
    const key = ed25519Key();
    const port = await freePort();
    const ctx = contextFor({ host: "127.0.0.1", port });
    await assert.rejects(
      fastOpen(ctx, writeKeyFile(key), { waitTimeoutSeconds: 1 }),
      (error: unknown) => {
        assert.ok(error instanceof StepError);
        assert.equal(error.kind, "connection");
        assert.match(error.message, /not reachable within 1 s/);
        assert.match(error.message, /ECONNREFUSED/);
        return true;
      },
    );
    assert.equal(ctx.serviceMap.has(shellServiceKey("t1")), false);
  },
});

Deno.test({
  name: "a TCP port that never sends the SSH banner is retried until the wait runs out",
  ...sanitize,
  async fn() {
    const key = ed25519Key();
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const held: Deno.Conn[] = [];
    const accepting = (async () => {
      try {
        for await (const conn of listener) held.push(conn);
      } catch { /* closed */ }
    })();
    const ctx = contextFor({ host: "127.0.0.1", port: (listener.addr as Deno.NetAddr).port });
    try {
      await assert.rejects(
        fastOpen(ctx, writeKeyFile(key), { waitTimeoutSeconds: 0.5, readyTimeoutMs: 150 }),
        (error: unknown) => {
          assert.ok(error instanceof StepError);
          assert.equal(error.kind, "connection");
          assert.match(error.message, /no SSH banner/);
          return true;
        },
      );
    } finally {
      listener.close();
      for (const c of held) {
        try {
          c.close();
        } catch { /* already closed */ }
      }
      await accepting;
    }
  },
});

Deno.test({
  name: "a key the server refuses is an auth error after a few attempts",
  ...sanitize,
  async fn() {
    const server = await startTestServer({ authorizedKey: ed25519Key().public });
    const ctx = contextFor(server);
    try {
      await assert.rejects(fastOpen(ctx, writeKeyFile(ed25519Key())), (error: unknown) => {
        assert.ok(error instanceof StepError);
        assert.equal(error.kind, "auth");
        assert.match(error.message, /3 times/);
        return true;
      });
    } finally {
      await server.close();
    }
  },
});

Deno.test({
  name: "an RSA key in PEM format (as EC2 hands out) logs in",
  ...sanitize,
  async fn() {
    const key = await rsaPemKey();
    const server = await startTestServer({ authorizedKey: key.public });
    const ctx = contextFor(server);
    try {
      const { shell } = await fastOpen(ctx, writeKeyFile(key));
      assert.equal((await shell.run("whoami")).stdout, "ec2-user\n");
    } finally {
      await closeServices(ctx);
      await server.close();
    }
  },
});

Deno.test({
  name: "connect reuses the open session and shellFor binds events to the calling step",
  ...sanitize,
  fn: () =>
    withTestServer(async ({ key, ctx }) => {
      const first = await fastOpen(ctx, writeKeyFile(key));
      const second = await fastOpen(ctx, writeKeyFile(key));
      assert.equal(first.reused, false);
      assert.equal(second.reused, true);
      assert.equal(first.shell, second.shell);
      const later = makeTestContext({
        step: { id: "ena-check", type: "ena-check" },
        target: ctx.target!,
        services: Object.fromEntries(ctx.serviceMap),
      });
      const shell = await shellFor(later);
      await shell.run("echo bound");
      const event = later.events.find((e) => e.type === "command");
      assert.ok(event && event.type === "command");
      assert.equal(event.stepId, "ena-check");
      assert.equal(ctx.events.filter((e) => e.type === "command").length, 0);
    }),
});

Deno.test({
  name: "a jump host forwards the connection to the target",
  ...sanitize,
  async fn() {
    const key = ed25519Key();
    const target = await startTestServer({ authorizedKey: key.public, host: "127.0.0.3" });
    const jump = await startTestServer({
      authorizedKey: key.public,
      host: "127.0.0.2",
      allowForwarding: true,
    });
    const ctx = contextFor(target);
    try {
      const opened = await fastOpen(ctx, writeKeyFile(key), {
        jumpHost: `ec2-user@127.0.0.2:${jump.port}`,
      });
      assert.equal((await opened.shell.run("echo via jump")).stdout, "via jump\n");
      assert.deepEqual(jump.forwards, [`127.0.0.3:${target.port}`]);
      assert.deepEqual(jump.commands, []);
      assert.deepEqual(target.commands, ["echo via jump"]);
      assert.ok(ctx.journalValues.has(hostKeyJournalKey(`jump:127.0.0.2:${jump.port}`)));
    } finally {
      await closeServices(ctx);
      await jump.close();
      await target.close();
    }
  },
});
