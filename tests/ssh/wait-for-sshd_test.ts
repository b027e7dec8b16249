import assert from "node:assert/strict";
import { StepError } from "../../runner/errors.ts";
import { AttemptError, classifyConnectError } from "../../plugins/ssh/connect-attempt.ts";
import { waitForSsh } from "../../plugins/ssh/wait-for-sshd.ts";
import { parseJumpHost } from "../../plugins/ssh/jump-host.ts";
import { makeTestContext } from "../helpers/context.ts";

const refused = () =>
  new AttemptError("ECONNREFUSED", { kind: "connection", retryable: true, code: "ECONNREFUSED" });

function recordingContext() {
  const ctx = makeTestContext();
  const sleeps: number[] = [];
  ctx.sleep = (seconds) => {
    sleeps.push(seconds);
    return Promise.resolve();
  };
  return { ctx, sleeps };
}

Deno.test("waitForSsh backs off exponentially up to the cap, then succeeds", async () => {
  const { ctx, sleeps } = recordingContext();
  let calls = 0;
  const result = await waitForSsh(ctx, () => {
    calls++;
    return calls < 6 ? Promise.reject(refused()) : Promise.resolve("ready");
  }, {
    description: "ec2-user@h:22",
    waitTimeoutSeconds: 300,
    backoff: { initialDelaySeconds: 1, maxDelaySeconds: 5, factor: 2 },
    signal: new AbortController().signal,
  });
  assert.equal(result, "ready");
  assert.deepEqual(sleeps, [1, 2, 4, 5, 5]);
});

Deno.test("waitForSsh probes a refusing sshd every second for the first minute, then backs off", async () => {
  const { ctx, sleeps } = recordingContext();
  let calls = 0;
  const result = await waitForSsh(ctx, () => {
    calls++;
    return calls < 66 ? Promise.reject(refused()) : Promise.resolve("ready");
  }, {
    description: "ec2-user@h:22",
    waitTimeoutSeconds: 600,
    signal: new AbortController().signal,
  });
  assert.equal(result, "ready");
  assert.deepEqual(sleeps.slice(0, 60), Array(60).fill(1), "60 one-second probes");
  assert.deepEqual(sleeps.slice(60), [1, 2, 4, 8, 16], "exponential after the window");
});

Deno.test("waitForSsh backs off exponentially on authentication failures even in the probe window", async () => {
  const { ctx, sleeps } = recordingContext();
  let calls = 0;
  const authRefused = () =>
    new AttemptError("authentication refused", { kind: "auth", retryable: true });
  const result = await waitForSsh(ctx, () => {
    calls++;
    return calls < 3 ? Promise.reject(authRefused()) : Promise.resolve("ready");
  }, {
    description: "ec2-user@h:22",
    waitTimeoutSeconds: 600,
    signal: new AbortController().signal,
  });
  assert.equal(result, "ready");
  assert.deepEqual(sleeps, [1, 2]);
});

Deno.test("waitForSsh stops at wait_timeout with a connection error naming attempts and cause", async () => {
  const { ctx, sleeps } = recordingContext();
  await assert.rejects(
    waitForSsh(ctx, () => Promise.reject(refused()), {
      description: "ec2-user@h:22",
      waitTimeoutSeconds: 10,
      backoff: { initialDelaySeconds: 1, maxDelaySeconds: 4, factor: 2 },
      signal: new AbortController().signal,
    }),
    (error: unknown) => {
      assert.ok(error instanceof StepError);
      assert.equal(error.kind, "connection");
      assert.match(
        error.message,
        /not reachable within 10 s \(\d+ attempts; last error: ECONNREFUSED\)/,
      );
      return true;
    },
  );
  const total = sleeps.reduce((a, b) => a + b, 0);
  assert.ok(total <= 10, `slept ${total} s of nominal time`);
  assert.deepEqual(sleeps.slice(0, 3), [1, 2, 4]);
});

Deno.test("waitForSsh does not retry a refused host key", async () => {
  const { ctx, sleeps } = recordingContext();
  await assert.rejects(
    waitForSsh(
      ctx,
      () =>
        Promise.reject(new AttemptError("host key CHANGED", { kind: "config", retryable: false })),
      { description: "h", waitTimeoutSeconds: 300, signal: new AbortController().signal },
    ),
    (error: unknown) => error instanceof StepError && error.kind === "config",
  );
  assert.deepEqual(sleeps, []);
});

Deno.test("waitForSsh rethrows the abort reason without retrying", async () => {
  const { ctx } = recordingContext();
  const controller = new AbortController();
  const reason = new DOMException("cancelled", "AbortError");
  await assert.rejects(
    waitForSsh(ctx, () => {
      controller.abort(reason);
      return Promise.reject(refused());
    }, { description: "h", waitTimeoutSeconds: 300, signal: controller.signal }),
    (error: unknown) => error === reason,
  );
});

Deno.test("classifyConnectError: refused/timeout/banner retry, host key refusal does not", () => {
  const socket = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:22"), {
    level: "client-socket",
    code: "ECONNREFUSED",
  });
  assert.equal(classifyConnectError(socket, null).retryable, true);
  assert.equal(classifyConnectError(socket, null).kind, "connection");
  const banner = Object.assign(new Error("Timed out while waiting for handshake"), {
    level: "client-timeout",
  });
  assert.match(classifyConnectError(banner, null).message, /no SSH banner/);
  assert.equal(classifyConnectError(banner, null).retryable, true);
  const unreachable = Object.assign(new Error("x"), { code: "EHOSTUNREACH" });
  assert.equal(classifyConnectError(unreachable, null).retryable, true);
  const auth = Object.assign(new Error("All configured authentication methods failed"), {
    level: "client-authentication",
  });
  assert.equal(classifyConnectError(auth, null).kind, "auth");
  const handshake = Object.assign(new Error("Host denied (verification failed)"), {
    level: "handshake",
  });
  const refusedKey = classifyConnectError(handshake, "host key CHANGED");
  assert.equal(refusedKey.kind, "config");
  assert.equal(refusedKey.retryable, false);
});

Deno.test("parseJumpHost reads user@host:port with defaults and rejects junk", () => {
  assert.deepEqual(parseJumpHost("admin@bastion.example.com:2222", "ec2-user"), {
    user: "admin",
    host: "bastion.example.com",
    port: 2222,
  });
  assert.deepEqual(parseJumpHost("10.0.0.5", "ec2-user"), {
    user: "ec2-user",
    host: "10.0.0.5",
    port: 22,
  });
  assert.deepEqual(parseJumpHost("ec2-user@[fd00::1]:22", "x").host, "fd00::1");
  assert.throws(() => parseJumpHost("user@host:99999", "x"), /jump_host "user@host:99999"/);
  assert.throws(() => parseJumpHost("a b", "x"), StepError);
});

Deno.test("waitForSsh gives up on an existing host refusing connections after about 10 s, naming sshd and the port", async () => {
  const { ctx, sleeps } = recordingContext();
  let calls = 0;
  await assert.rejects(
    waitForSsh(ctx, () => {
      calls++;
      return Promise.reject(refused());
    }, {
      description: "admin@db-1:2222",
      waitTimeoutSeconds: 300,
      failFastOnRefused: true,
      signal: new AbortController().signal,
    }),
    (error: unknown) => {
      assert.ok(error instanceof StepError);
      assert.equal(error.kind, "connection");
      assert.match(
        error.message,
        /^connection refused on admin@db-1:2222 — is sshd running \/ is the port right\?/,
      );
      return true;
    },
  );
  assert.ok(calls > 2 && calls <= 12, `a few attempts, not the whole wait: ${calls}`);
  assert.ok(sleeps.reduce((a, b) => a + b, 0) <= 11, `about 10 s: ${sleeps}`);
});

Deno.test("waitForSsh logs its progress at least every 30 s of a long wait", async () => {
  const { ctx } = recordingContext();
  let calls = 0;
  await waitForSsh(ctx, () => {
    calls++;
    return calls < 77 ? Promise.reject(refused()) : Promise.resolve("ready");
  }, {
    description: "ec2-user@h:22",
    waitTimeoutSeconds: 600,
    signal: new AbortController().signal,
  });
  const lines = (ctx as unknown as { events: { type: string; level?: string; message?: string }[] })
    .events.filter((e) => e.type === "log" && e.level === "info");
  // 60 one-second probes then 1+2+4+8+16+... about 250 s: at least one line per 30 s.
  assert.ok(lines.length >= 5, lines.map((l) => l.message).join("\n"));
  assert.match(lines[1].message ?? "", /still waiting for sshd at ec2-user@h:22: 30 of 600 s/);
});
