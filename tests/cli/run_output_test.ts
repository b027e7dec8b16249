/**
 * cli/run-output.ts: the `--output json` document keeps hosts apart when it
 * redacts their addresses, naming each as the run's log does.
 */
import assert from "node:assert/strict";
import { runJsonDocument } from "../../cli/run-output.ts";
import type { RunResult } from "../../runner/executor.ts";
import { emptyCounts } from "../../runner/recap.ts";
import { createIpRedactor } from "../../plugins/report/redact.ts";
import { runCli } from "./cli-helper.ts";

function result(addresses: string[]): RunResult {
  return {
    runId: "20261207-000000-test",
    exitCode: 1,
    interrupted: false,
    outputs: {},
    targets: addresses.map((address, i) => ({
      id: `host-${i + 1}`,
      label: `host-${i + 1}`,
      status: "failed",
      verdict: "error",
      verdictReason: `SSH to admin@${address}:22 failed`,
      address,
      launchedByRun: false,
      facts: {},
      outputs: {},
      diagnostics: [],
      warnings: [],
    })),
    failures: [],
    warnings: [],
    resources: [],
    leftBehind: [],
    journalDir: "/tmp/j",
    durationMs: 1000,
    runFailures: [],
    recap: { pipeline: emptyCounts(), targets: {} },
  } as unknown as RunResult;
}

const info = { pipeline: "p", journal: "/tmp/j/journal.json", reportDir: null };

Deno.test("runJsonDocument names each redacted address apart, as the run's log does", () => {
  const ips = createIpRedactor();
  // The console log saw the second host first.
  assert.equal(ips("connect 10.0.1.13"), "connect [IPv4-1]");
  const doc = runJsonDocument(result(["10.0.1.12", "10.0.1.13"]), { ...info, redact: true, ips });
  const targets = doc.targets as { address: string; verdict_reason: string }[];
  assert.deepEqual(targets.map((t) => t.address), ["[IPv4-2]", "[IPv4-1]"]);
  assert.equal(targets[0].verdict_reason, "SSH to admin@[IPv4-2]:22 failed");
  assert.ok(!JSON.stringify(doc).includes("10.0.1."));
});

Deno.test("runJsonDocument keeps addresses with --no-redact", () => {
  const doc = runJsonDocument(result(["10.0.1.12"]), { ...info, redact: false });
  assert.equal((doc.targets as { address: string }[])[0].address, "10.0.1.12");
});

Deno.test("run --output json refused before it starts prints a document of the problems on stdout (exit 2)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ptp-run-output-" });
  try {
    const file = `${dir}/bad.yaml`;
    await Deno.writeTextFile(file, "name: t\nsteps:\n  - uses: launch\n    timeout: -5\n");
    const { code, stdout, stderr } = await runCli(["run", file, "--output", "json"]);
    assert.equal(code, 2, stderr);
    const doc = JSON.parse(stdout);
    assert.equal(doc.status, "invalid");
    assert.equal(doc.exit_code, 2);
    const timeout = doc.problems.find((p: { key: string }) => p.key === "steps[0].timeout");
    assert.deepEqual([timeout?.line, timeout?.col], [4, 14]);
    assert.match(timeout?.message ?? "", /must not be negative/);
    assert.match(stderr, /bad\.yaml:4:14: steps\[0\]\.timeout: must not be negative/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
