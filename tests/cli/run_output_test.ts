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

/** A run that kept the instance of its first target (`--keep functional`). */
function keptResult(): RunResult {
  const base = result(["10.0.1.12", "10.0.1.13"]);
  base.exitCode = 0;
  base.targets[0].instanceId = "i-0000000000000000a";
  base.targets[1].instanceId = "i-0000000000000000b";
  const record = (id: string, state: "kept" | "released", targetId: string) => ({
    kind: "ec2-instance",
    id,
    region: "us-east-1",
    state,
    targetId,
    releaseCommand: `aws ec2 terminate-instances --region us-east-1 --instance-ids ${id}`,
    createdAt: "2026-12-07T00:00:00Z",
  });
  base.resources = [
    record("i-0000000000000000a", "kept", "host-1"),
    record("i-0000000000000000b", "released", "host-2"),
  ];
  return base;
}

Deno.test("runJsonDocument lists kept instances with the command that terminates them", () => {
  const doc = runJsonDocument(keptResult(), { ...info, redact: false });
  assert.deepEqual(doc.left_behind, []);
  assert.deepEqual(doc.kept, [{
    kind: "ec2-instance",
    id: "i-0000000000000000a",
    region: "us-east-1",
    target_id: "host-1",
    release_command: "aws ec2 terminate-instances --region us-east-1 --instance-ids " +
      "i-0000000000000000a",
  }]);
  assert.equal(doc.cleanup_command, "ptp-runner cleanup --run 20261207-000000-test --include-kept");
  const targets = doc.targets as { id: string; kept: boolean }[];
  assert.deepEqual(targets.map((t) => [t.id, t.kept]), [["host-1", true], ["host-2", false]]);
});

Deno.test("runJsonDocument of a --simulate run keeps nothing: its simulator ended", () => {
  const doc = runJsonDocument(keptResult(), { ...info, redact: false, simulated: true });
  assert.deepEqual(doc.kept, []);
  assert.equal(doc.cleanup_command, null);
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
