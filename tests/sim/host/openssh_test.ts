import assert from "node:assert/strict";
import type { Buffer } from "node:buffer";
import ssh2 from "ssh2";
import { openSshUnavailable, startOpenSsh } from "../../helpers/openssh.ts";
import { profile } from "./harness.ts";
import { generateEd25519KeyPair } from "../../../sim/keygen.ts";

const unavailable = openSshUnavailable();
if (unavailable) console.warn(`NOTICE: real OpenSSH tests skipped: ${unavailable}`);

function connect(
  host: string,
  port: number,
  user: string,
  privateKey: string,
): Promise<ssh2.Client> {
  return new Promise((resolve, reject) => {
    const c = new ssh2.Client();
    c.on("ready", () => resolve(c)).on("error", reject);
    c.connect({ host, port, username: user, privateKey, readyTimeout: 10_000 });
  });
}

function exec(
  c: ssh2.Client,
  command: string,
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const r = { stdout: "", stderr: "", code: null as number | null };
    c.once("close", () => resolve(r));
    c.exec(command, (err, stream) => {
      if (err) return reject(err);
      stream.on("data", (d: Buffer) => (r.stdout += d.toString()));
      stream.stderr.on("data", (d: Buffer) => (r.stderr += d.toString()));
      stream.on("exit", (code: number | null) => (r.code = code));
      stream.on("close", () => resolve(r));
    });
  });
}

Deno.test({
  name: "real OpenSSH serves the simulated host model with state kept between sessions",
  ignore: unavailable !== null,
  async fn() {
    const key = generateEd25519KeyPair();
    const sshd = await startOpenSsh({ authorizedKey: key.public, profile: profile(), speed: 100 });
    try {
      const c = await connect(sshd.address, sshd.port, sshd.user, key.private);
      const r = await exec(
        c,
        "uname -m; sudo -n cat /sys/module/ena/parameters/phc_enable; exit 4",
      );
      assert.deepEqual([r.stdout, r.code], ["x86_64\n0\n", 4], `${r.stderr}\n${sshd.log()}`);
      const w = await exec(
        c,
        "echo 'options ena phc_enable=1' | sudo -n tee /etc/modprobe.d/ptp-runner-ena.conf >/dev/null",
      );
      assert.equal(w.code, 0, w.stderr);
      c.end();
      const c2 = await connect(sshd.address, sshd.port, sshd.user, key.private);
      assert.equal(
        (await exec(c2, "cat /etc/modprobe.d/ptp-runner-ena.conf")).stdout,
        "options ena phc_enable=1\n",
      );
      const drop = await exec(
        c2,
        "sudo -n systemd-run --no-block sh -c 'modprobe -r ena; modprobe ena'; sleep 30",
      );
      assert.equal(drop.code, null, "the session is cut when the NIC goes away");
      let phc = "";
      for (let i = 0; i < 50 && phc !== "1\n"; i++) {
        await new Promise((res) => setTimeout(res, 100));
        try {
          const c3 = await connect(sshd.address, sshd.port, sshd.user, key.private);
          phc = (await exec(c3, "cat /sys/module/ena/parameters/phc_enable")).stdout;
          c3.end();
        } catch { /* still down */ }
      }
      assert.equal(phc, "1\n");
    } finally {
      await sshd.stop();
    }
  },
});
