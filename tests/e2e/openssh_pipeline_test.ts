/**
 * End to end against real OpenSSH: the CLI runs `pipelines/existing-hosts.yaml`
 * as a subprocess against simulated hosts each behind a real `sshd`
 * (tests/helpers/openssh.ts: ForceCommand into the host model), one
 * PHC-capable x86_64 host and one whose bundled ENA driver lacks `phc_enable`
 * (so ena-build runs). Both reach verdict functional; a second run changes
 * nothing. Skipped with a visible notice where sshd or root is unavailable.
 *
 * OpenSSH model quirks (sim/README.md): sessions to one host run one at a
 * time; while the host's network is down a connection is accepted, then
 * dropped; ForceCommand sessions cannot receive signals.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { generateEd25519KeyPair } from "../../sim/keygen.ts";
import { InstanceProfileSchema } from "../../sim/profile.ts";
import { type OpenSshHostList, startHosts } from "./openssh-hosts.ts";
import { openSshUnavailable } from "../helpers/openssh.ts";
import {
  appendScannedKeys,
  type CliResult,
  EXISTING_HOSTS_PIPELINE,
  type JsonEvent,
  makeWorkDir,
  readEvents,
  readReport,
  runCli,
  runIdFrom,
} from "./helpers.ts";

const unavailable = openSshUnavailable();
if (unavailable) {
  console.warn(`NOTICE: pipeline tests against real OpenSSH skipped: ${unavailable}`);
}

/** Simulated seconds per real second of the hosts; the CLI's time scale is its inverse. */
const SPEED = 50;

/**
 * Environment of the CLI: fast waits, and an AWS endpoint on a closed
 * loopback port with fake credentials, so an AWS call the pipeline should
 * not make fails locally instead of reaching AWS.
 */
const CLI_ENV: Record<string, string> = {
  PTP_RUNNER_TIME_SCALE: String(1 / SPEED),
  AWS_ENDPOINT_URL: "http://127.0.0.1:9",
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "AKIDOPENSSHTEST",
  AWS_SECRET_ACCESS_KEY: "openssh-test-secret",
  AWS_EC2_METADATA_DISABLED: "true",
};

/** A PHC-capable x86_64 host (c7i.large as built in). */
const PHC_HOST = InstanceProfileSchema.parse({
  architecture: "x86_64",
  phc_support: "supported",
  placement_strategies: ["cluster", "partition", "spread", "precision-time"],
});

/** A host whose bundled ENA 2.8.3g lacks phc_enable (m7a.large as built in). */
const NEEDS_BUILD_HOST = InstanceProfileSchema.parse({
  architecture: "x86_64",
  phc_support: "supported",
  placement_strategies: ["cluster", "partition", "spread", "precision-time"],
  kernel: "6.1.27-43.48.amzn2023.x86_64",
  ena: { version: "2.8.3g", phc_parameter: false, pci_slot: "05" },
  ptp_clock_config: "m",
});

/** Runs the existing-hosts pipeline on `hosts` in `cwd`; returns the result, run id and events. */
async function runPipeline(cwd: string, hosts: OpenSshHostList, keyFile: string, name: string) {
  const logFile = join(cwd, `${name}.jsonl`);
  const result = await runCli([
    "run",
    EXISTING_HOSTS_PIPELINE,
    "--yes",
    "--set",
    `hosts=${hosts.specs.join(",")}`,
    "--set",
    `private_key=${keyFile}`,
    "--set",
    `known_hosts_file=${join(cwd, "known_hosts")}`,
    "--log-json",
    logFile,
  ], { cwd, env: CLI_ENV });
  const events = await readEvents(logFile);
  return { result, runId: runIdFrom(result.stdout), events };
}

/** The CLI's output plus every sshd log, for assertion messages. */
function explain(result: CliResult, hosts: OpenSshHostList): string {
  return `exit ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}\n` +
    hosts.logs();
}

/** `step-finished` events of host steps (those with a target). */
function hostStepsFinished(events: JsonEvent[]) {
  return events.filter((e) => e.type === "step-finished" && typeof e.targetId === "string") as (
    JsonEvent & { stepId: string; targetId: string; status: string; changed?: boolean }
  )[];
}

Deno.test({
  name: "the existing-hosts pipeline makes real-OpenSSH hosts functional, and a second run " +
    "changes nothing",
  ignore: unavailable !== null,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const cwd = await makeWorkDir();
    const keys = generateEd25519KeyPair();
    const keyFile = join(cwd, "id_ed25519");
    await Deno.writeTextFile(keyFile, keys.private, { mode: 0o600 });
    const hosts = await startHosts(keys.public, [PHC_HOST, NEEDS_BUILD_HOST], SPEED);
    try {
      // Hosts that already run are checked against known_hosts (the default policy there).
      for (const h of hosts.hosts) {
        await appendScannedKeys(h.address, h.port, join(cwd, "known_hosts"));
      }
      const first = await runPipeline(cwd, hosts, keyFile, "first");
      assert.equal(first.result.code, 0, explain(first.result, hosts));
      const report = await readReport(cwd, first.runId);
      assert.equal(report.targets.length, 2);
      for (const target of report.targets) {
        assert.equal(target.verdict, "functional", `${target.label}\n${JSON.stringify(report)}`);
      }
      const firstSteps = hostStepsFinished(first.events);
      assert.ok(
        firstSteps.some((e) => e.stepId === "ena-build" && e.changed === true),
        "the driver without phc_enable was built",
      );
      assert.ok(
        firstSteps.some((e) => e.stepId === "configure-chrony" && e.changed === true),
        "chrony was configured",
      );
      assert.equal(first.events.filter((e) => e.type === "aws-call").length, 0, "no AWS call");

      const second = await runPipeline(cwd, hosts, keyFile, "second");
      assert.equal(second.result.code, 0, explain(second.result, hosts));
      const secondReport = await readReport(cwd, second.runId);
      assert.deepEqual(
        secondReport.targets.map((t) => t.verdict),
        ["functional", "functional"],
      );
      const secondSteps = hostStepsFinished(second.events);
      assert.ok(secondSteps.length >= 2 * 7, `host steps finished: ${secondSteps.length}`);
      for (const e of secondSteps) {
        assert.equal(e.status, "ok", `${e.stepId} on ${e.targetId}: ${JSON.stringify(e)}`);
        assert.equal(e.changed, false, `${e.stepId} on ${e.targetId} changed on the second run`);
      }
    } finally {
      await hosts.stop();
      await Deno.remove(cwd, { recursive: true });
    }
  },
});
