/**
 * End to end (issue 11 points 1 and 2): `ptp-runner run pipelines/ptp.yaml
 * --simulate` on a fleet whose hosts run different distributions and NICs.
 * An unknown distribution and NICs that are not ENA give the verdict
 * `unsupported` with the reason, their remaining steps are skipped (nothing
 * changes on them), and the report names each target's distribution.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startSimulator } from "../../sim/mod.ts";
import {
  E2E_SPEED,
  makeWorkDir,
  ptpRunArgs,
  readEvents,
  readReport,
  runCli,
  runIdFrom,
} from "./helpers.ts";

const common = `    architecture: x86_64
    vcpus: 2
    memory_mib: 8192
    phc_support: supported
    placement_strategies: [cluster, partition, spread, precision-time]`;

/** c7i.large stays the default AL2023 host; the others are not ENA hosts or not known. */
const PROFILES = `
instance_types:
  c7i.xlarge:
${common}
    distribution: debian-12
    nic_driver: igb
  m7i.large:
${common}
    distribution: rocky-9
    nic_driver: virtio_net
    ena_module: false
  m7i.xlarge:
${common}
    distribution: ubuntu-22.04
    nic_driver: veth
  r7i.large:
${common}
    distribution: unknown
`;

const EXPECTED: Record<string, { verdict: string; reason?: RegExp; distribution: RegExp }> = {
  "c7i.large-1": { verdict: "functional", distribution: /^amzn 2023$/ },
  "c7i.xlarge-1": {
    verdict: "unsupported",
    reason: /^unsupported: the primary NIC \S+ uses driver igb, not ENA$/,
    distribution: /^debian 12$/,
  },
  "m7i.large-1": {
    verdict: "unsupported",
    reason: /^unsupported: the primary NIC \S+ uses driver virtio_net, not ENA$/,
    distribution: /^rocky 9\.\d+$/,
  },
  "m7i.xlarge-1": {
    verdict: "unsupported",
    reason: /^unsupported: the primary NIC \S+ uses driver veth, not ENA$/,
    distribution: /^ubuntu 22\.04$/,
  },
  "r7i.large-1": {
    verdict: "unsupported",
    reason: /^unsupported: distribution \S/,
    distribution: /\S/,
  },
};

interface TargetJson {
  id: string;
  verdict: string;
  verdict_reason: string | null;
  distribution: { id: string; version: string; name: string } | null;
}

Deno.test("ptp.yaml leaves non-ENA hosts and unknown distributions unchanged with verdict unsupported", async (t) => {
  const cwd = await makeWorkDir();
  const profilesFile = join(cwd, "profiles.yaml");
  await Deno.writeTextFile(profilesFile, PROFILES);
  const sim = await startSimulator({ speed: E2E_SPEED, profilesFile });
  try {
    const eventsFile = join(cwd, "events.jsonl");
    const run = await runCli(
      ptpRunArgs(sim, "c7i.large,c7i.xlarge,m7i.large,m7i.xlarge,r7i.large", [
        "--log-json",
        eventsFile,
      ]),
      { cwd, env: sim.env },
    );
    const runId = runIdFrom(run.stdout);
    const report = await readReport(cwd, runId);
    const targets = report.targets as unknown as TargetJson[];
    const events = await readEvents(eventsFile);

    await t.step("exit 0: unsupported is a verdict, not a failure", () => {
      assert.equal(run.code, 0, run.stdout + run.stderr);
    });

    await t.step("each target's verdict, reason and distribution", () => {
      for (const [id, want] of Object.entries(EXPECTED)) {
        const target = targets.find((x) => x.id === id);
        assert.ok(target, `${id} in the report`);
        assert.equal(target.verdict, want.verdict, `${id}: ${target.verdict_reason}`);
        if (want.reason) assert.match(target.verdict_reason ?? "", want.reason, id);
        assert.ok(target.distribution, `${id} has a distribution`);
        assert.match(`${target.distribution.id} ${target.distribution.version}`, want.distribution);
      }
      assert.match(run.stdout, /\bOS\b/);
      assert.match(run.stdout, /debian 12/);
    });

    await t.step(
      "no changing command reached an unsupported host; its later steps are skipped",
      () => {
        for (const [id, want] of Object.entries(EXPECTED)) {
          if (want.verdict !== "unsupported") continue;
          const commands = events.filter((e) => e.type === "command" && e.targetId === id)
            .map((e) => String(e.command));
          assert.ok(commands.length > 0, `${id} was read`);
          for (const command of commands) {
            assert.doesNotMatch(command, /^sudo |install -y|git clone|modprobe |depmod|tee /, id);
          }
          const skipped = events.filter((e) => e.type === "step-skipped" && e.targetId === id);
          const skippedTypes = skipped.map((e) => String(e.stepType));
          for (const type of ["install-ptp", "enable-hwts", "configure-chrony", "verify"]) {
            assert.ok(skippedTypes.includes(type), `${id} skipped ${type}: ${skippedTypes}`);
          }
          assert.ok(
            skipped.some((e) => /^target unsupported \(unsupported: /.test(String(e.reason))),
            JSON.stringify(skipped),
          );
        }
      },
    );
  } finally {
    await sim.stop();
  }
});
