/**
 * End to end: existing hosts are shown by name (issue 13, point 6). Hosts
 * given by name keep it (`[ec2-user@localhost]`); redacted IP addresses
 * become their target ids (`[host-2]`, `[host-3]`), so the rows and logs
 * still tell the hosts apart; `--set region=...` with hosts alone is refused
 * (exit 2), not silently ignored. The hosts listen nowhere (port 1 on
 * loopback): connect fails at once, which is enough to see the names.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { generateEd25519KeyPair } from "../../sim/keygen.ts";
import { EXISTING_HOSTS_PIPELINE, makeWorkDir, readReport, runCli, runIdFrom } from "./helpers.ts";

/** Environment: no AWS, waits 100 times shorter. */
const ENV = { PTP_RUNNER_TIME_SCALE: "0.01", AWS_REGION: "us-east-1" };

async function keyFile(cwd: string): Promise<string> {
  const path = join(cwd, "id_ed25519");
  await Deno.writeTextFile(path, generateEd25519KeyPair().private, { mode: 0o600 });
  return path;
}

Deno.test("existing hosts are named in logs, recap and report rows; redacted addresses become host-N", async () => {
  const cwd = await makeWorkDir();
  try {
    const result = await runCli([
      "run",
      EXISTING_HOSTS_PIPELINE,
      "--yes",
      "--set",
      "hosts=ec2-user@localhost:1,127.0.0.1:1,127.0.0.2:1",
      "--set",
      `private_key=${await keyFile(cwd)}`,
    ], { cwd, env: ENV });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    for (const name of ["ec2-user@localhost", "host-2", "host-3"]) {
      assert.match(result.stdout, new RegExp(`\\[${name}\\] connect failed`), result.stdout);
      assert.match(result.stdout, new RegExp(`\\n  ${name} +error +ok=0`), result.stdout);
    }
    const runId = runIdFrom(result.stdout);
    const md = await Deno.readTextFile(join(cwd, "reports", runId, "report.md"));
    assert.doesNotMatch(md, /127\.0\.0\./);
    const report = await readReport(cwd, runId);
    assert.deepEqual(report.targets.map((t) => t.label), [
      "ec2-user@localhost",
      "host-2",
      "host-3",
    ]);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("with redaction on, log lines and JSON Lines events carry no IP address; --no-redact keeps them", async () => {
  const cwd = await makeWorkDir();
  try {
    const log = join(cwd, "events.jsonl");
    const args = [
      "run",
      EXISTING_HOSTS_PIPELINE,
      "--yes",
      "--set",
      "hosts=127.0.0.1:1,127.0.0.2:1",
      "--set",
      `private_key=${await keyFile(cwd)}`,
      "--log-json",
      log,
    ];
    const result = await runCli(args, { cwd, env: ENV });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const events = await Deno.readTextFile(log);
    assert.doesNotMatch(result.stdout + result.stderr, /127\.0\.0\./, result.stdout);
    assert.doesNotMatch(events, /127\.0\.0\./);
    // The two hosts stay apart.
    assert.match(events, /\[IPv4-1\]/);
    assert.match(events, /\[IPv4-2\]/);
    const raw = await runCli([...args.slice(0, -1), join(cwd, "raw.jsonl"), "--no-redact"], {
      cwd,
      env: ENV,
    });
    assert.match(await Deno.readTextFile(join(cwd, "raw.jsonl")), /127\.0\.0\.2/, raw.stderr);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("existing-hosts refuses --set region with hosts given by address before the run (exit 2)", async () => {
  const cwd = await makeWorkDir();
  try {
    const result = await runCli([
      "run",
      EXISTING_HOSTS_PIPELINE,
      "--yes",
      "--set",
      "hosts=127.0.0.1:1",
      "--set",
      "region=eu-west-1",
      "--set",
      `private_key=${await keyFile(cwd)}`,
    ], { cwd, env: ENV });
    assert.equal(result.code, 2, result.stdout + result.stderr);
    // Refused before the run: the problem on stderr, no run id, no journal.
    assert.match(
      result.stderr,
      /steps\[0\]\.with\.region: region "eu-west-1" applies only to hosts selected by instance_ids/,
    );
    assert.doesNotMatch(result.stdout, /run \d{8}-\d{6}/);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
