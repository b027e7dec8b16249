import assert from "node:assert/strict";
import type { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import ssh2 from "ssh2";
import { SimClock } from "../../../sim/clock.ts";
import { createHostFleet, type SimHost } from "../../../sim/host/mod.ts";
import { profile } from "./harness.ts";
import { generateEd25519KeyPair } from "../../../sim/keygen.ts";

const SPEED = 200;

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

function randomAddress(): string {
  return `127.0.${100 + Math.floor(Math.random() * 100)}.${2 + Math.floor(Math.random() * 250)}`;
}

interface Fixture {
  host: SimHost;
  port: number;
  key: { private: string; public: string };
  stop(): Promise<void>;
}

function launch(overrides: Record<string, unknown> = {}, loginUser?: string): Fixture {
  const clock = new SimClock({ speed: SPEED });
  const port = freePort();
  const fleet = createHostFleet({ sshPort: port, clock });
  const key = generateEd25519KeyPair();
  const host = fleet.launch({
    instanceId: "i-0a1b2c3d4e5f60718",
    instanceType: "c7i.large",
    address: randomAddress(),
    profile: profile({
      boot_seconds: 2,
      ssh_delay_seconds: 2,
      reboot_seconds: 4,
      nic_up_seconds: 2,
      ...overrides,
    }),
    authorizedKey: key.public,
    ...(loginUser ? { loginUser } : {}),
  }) as SimHost;
  return { host, port, key, stop: () => fleet.stopAll() };
}

async function until(cond: () => boolean, what: string, ms = 5000, host?: SimHost): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) {
      const s = host?.machine.state;
      throw new Error(
        `timed out waiting for ${what} ${
          JSON.stringify({
            up: host?.machine.networkUp(),
            bootAt: s?.bootAt,
            bootedAt: s?.bootedAt,
            nic: s?.nicUpAt,
            now: host?.machine.now(),
          })
        }`,
      );
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

function connect(
  f: Fixture,
  options: { user?: string; privateKey?: string; hostVerifier?: (key: Buffer) => boolean } = {},
): Promise<ssh2.Client> {
  return new Promise((resolve, reject) => {
    const c = new ssh2.Client();
    c.on("ready", () => resolve(c));
    c.on("error", (e) => reject(e));
    c.connect({
      host: f.host.address,
      port: f.port,
      username: options.user ?? "ec2-user",
      privateKey: options.privateKey ?? f.key.private,
      readyTimeout: 3000,
      hostVerifier: options.hostVerifier,
    });
  });
}

interface ExecResult {
  stdout: string;
  stderr: string;
  code: number | null;
  signal?: string;
  closed: boolean;
}

function exec(
  c: ssh2.Client,
  command: string,
  onStream?: (s: ssh2.ClientChannel) => void,
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const r: ExecResult = { stdout: "", stderr: "", code: null, closed: false };
    c.once("close", () => resolve({ ...r, closed: true }));
    c.exec(command, (err, stream) => {
      if (err) return reject(err);
      stream.on("data", (d: Buffer) => (r.stdout += d.toString()));
      stream.stderr.on("data", (d: Buffer) => (r.stderr += d.toString()));
      stream.on("exit", (code: number | null, signal?: string) => {
        r.code = code;
        r.signal = signal;
      });
      stream.on("close", () => resolve(r));
      onStream?.(stream);
    });
  });
}

Deno.test("simulated host serves ec2-user with its ed25519 key over ssh2 and returns the exit status", async () => {
  const f = launch();
  try {
    assert.equal(f.host.sshReady, false);
    await until(() => f.host.sshReady, "boot", 5000, f.host);
    const c = await connect(f);
    const r = await exec(c, "uname -m; echo oops >&2; exit 3");
    assert.deepEqual([r.stdout, r.stderr, r.code], ["x86_64\n", "oops\n", 3]);
    const sudo = await exec(c, "sudo -n cat /sys/module/ena/parameters/phc_enable");
    assert.deepEqual([sudo.stdout, sudo.code], ["0\n", 0]);
    c.end();
  } finally {
    await f.stop();
  }
});

Deno.test("simulated host refuses connections before boot completes", async () => {
  const f = launch({ boot_seconds: 200 });
  try {
    await assert.rejects(connect(f), (e: Error & { code?: string }) => e.code === "ECONNREFUSED");
  } finally {
    await f.stop();
  }
});

Deno.test("simulated host refuses an unknown user and a key it was not launched with", async () => {
  const f = launch();
  try {
    await until(() => f.host.sshReady, "boot", 5000, f.host);
    const level = (e: Error & { level?: string }) => e.level === "client-authentication";
    await assert.rejects(connect(f, { user: "root" }), level);
    const other = generateEd25519KeyPair();
    await assert.rejects(connect(f, { privateKey: other.private }), level);
  } finally {
    await f.stop();
  }
});

Deno.test("simulated host lets in only its distribution's default user: ubuntu on Ubuntu, admin on Debian", async () => {
  for (
    const [distribution, user, groups] of [
      ["ubuntu-24.04", "ubuntu", "groups=1000(ubuntu),4(adm),27(sudo)"],
      ["debian-12", "admin", "groups=1000(admin),4(adm),27(sudo)"],
    ]
  ) {
    const f = launch({ distribution });
    try {
      await until(() => f.host.sshReady, "boot", 5000, f.host);
      const level = (e: Error & { level?: string }) => e.level === "client-authentication";
      await assert.rejects(connect(f, { user: "ec2-user" }), level, distribution);
      const c = await connect(f, { user });
      const r = await exec(c, 'whoami; echo "$HOME"; id');
      assert.equal(r.stdout.split("\n")[0], user);
      assert.equal(r.stdout.split("\n")[1], `/home/${user}`);
      assert.match(
        r.stdout,
        new RegExp(`uid=1000\\(${user}\\) .*${groups.replace(/[()]/g, "\\$&")}`),
      );
      c.end();
    } finally {
      await f.stop();
    }
  }
});

Deno.test("simulated host lets in the user its image names (an AL2023 image's ec2-user on a Debian profile)", async () => {
  const f = launch({ distribution: "debian-12" }, "ec2-user");
  try {
    await until(() => f.host.sshReady, "boot", 5000, f.host);
    const level = (e: Error & { level?: string }) => e.level === "client-authentication";
    await assert.rejects(connect(f, { user: "admin" }), level);
    const c = await connect(f, { user: "ec2-user" });
    assert.equal((await exec(c, "whoami")).stdout, "ec2-user\n");
    c.end();
  } finally {
    await f.stop();
  }
});

Deno.test("console output lists the fingerprint of the host key the server presents", async () => {
  const f = launch();
  try {
    assert.equal(f.host.consoleOutput(), "");
    await until(() => f.host.sshReady, "boot", 5000, f.host);
    const text = f.host.consoleOutput();
    const block = text.split("-----BEGIN SSH HOST KEY FINGERPRINTS-----")[1].split(
      "-----END SSH HOST KEY FINGERPRINTS-----",
    )[0];
    const m = /256 (SHA256:[A-Za-z0-9+/]+) no comment \(ED25519\)/.exec(block);
    assert.ok(m, block);
    const keys = text.split("-----BEGIN SSH HOST KEY KEYS-----")[1].split(
      "-----END SSH HOST KEY KEYS-----",
    )[0];
    assert.match(keys.trim(), /^ssh-ed25519 AAAA\S+$/);
    let presented = "";
    const c = await connect(f, {
      hostVerifier: (key) => {
        presented = "SHA256:" +
          createHash("sha256").update(key).digest("base64").replace(/=+$/, "");
        return true;
      },
    });
    c.end();
    assert.equal(presented, m[1]);
  } finally {
    await f.stop();
  }
});

Deno.test("a client signal kills a running sleep and reports the signal", async () => {
  const f = launch();
  try {
    await until(() => f.host.sshReady, "boot", 5000, f.host);
    const c = await connect(f);
    const started = Date.now();
    const r = await exec(
      c,
      "sleep 100000; echo finished",
      (s) => setTimeout(() => s.signal("KILL"), 50),
    );
    assert.equal(r.code, null);
    assert.match(r.signal ?? "", /^(SIG)?KILL$/);
    assert.equal(r.stdout, "");
    assert.ok(Date.now() - started < 4000);
    c.end();
  } finally {
    await f.stop();
  }
});

Deno.test("closing the channel aborts the command before its next step", async () => {
  const f = launch();
  try {
    await until(() => f.host.sshReady, "boot", 5000, f.host);
    const c = await connect(f);
    // sleep 100 lasts 0.5 s of real time at this speed; the channel closes long before.
    await exec(c, "sleep 100; touch /tmp/after", (s) => setTimeout(() => s.close(), 20));
    await new Promise((r) => setTimeout(r, 1000));
    const check = await exec(c, "test -e /tmp/after; echo $?");
    assert.equal(check.stdout, "1\n");
    c.end();
  } finally {
    await f.stop();
  }
});

Deno.test("a detached driver reload drops the session, refuses connections, then serves the PHC", async () => {
  const f = launch({ nic_up_seconds: 40 });
  try {
    await until(() => f.host.sshReady, "boot", 5000, f.host);
    const c = await connect(f);
    await exec(
      c,
      "echo 'options ena phc_enable=1' | sudo -n tee /etc/modprobe.d/ptp-runner-ena.conf",
    );
    const r = await exec(
      c,
      "sudo -n systemd-run --unit ptp-runner-ena-reload --no-block sh -c 'modprobe -r ena; modprobe ena || modprobe ena phc_enable=0'; sleep 5",
    );
    assert.equal(r.closed || r.code === null, true, "the connection is cut");
    await until(() => !f.host.sshReady, "NIC down");
    await assert.rejects(connect(f), (e: Error & { code?: string }) => e.code === "ECONNREFUSED");
    await until(() => f.host.sshReady, "NIC back");
    const c2 = await connect(f);
    const phc = await exec(c2, "cat /sys/module/ena/parameters/phc_enable; readlink /dev/ptp_ena");
    assert.equal(phc.stdout, "1\nptp0\n");
    c2.end();
  } finally {
    await f.stop();
  }
});

Deno.test("an API reboot drops sessions and the host comes back with the same host key", async () => {
  const f = launch({ reboot_seconds: 40 });
  try {
    await until(() => f.host.sshReady, "boot", 5000, f.host);
    const before = f.host.consoleOutput();
    const c = await connect(f);
    const closed = new Promise<void>((r) => c.once("close", () => r()));
    f.host.reboot();
    await closed;
    assert.equal(f.host.sshReady, false);
    await assert.rejects(connect(f), (e: Error & { code?: string }) => e.code === "ECONNREFUSED");
    await until(() => f.host.sshReady, "reboot");
    const c2 = await connect(f);
    assert.equal((await exec(c2, "systemctl is-active chronyd")).stdout, "active\n");
    c2.end();
    const fp = (t: string) => /SHA256:\S+/.exec(t.split("BEGIN SSH HOST KEY FINGERPRINTS")[1])?.[0];
    assert.equal(fp(f.host.consoleOutput()), fp(before));
  } finally {
    await f.stop();
  }
});
