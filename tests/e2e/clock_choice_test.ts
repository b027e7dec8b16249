/**
 * End to end over the simulator: `clock=primary-nic` on instances whose NIC
 * is igb (its own PHC, no ENA). The ENA steps are skipped, chrony gets the
 * NIC's PHC through /dev/ptp_refclock, the report lists the changes and each
 * step's `changed`; `--dry-run` lists them without applying any, and a
 * second real run reports every step unchanged.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startSimulator } from "../../sim/mod.ts";
import {
  E2E_SPEED,
  EXISTING_HOSTS_PIPELINE,
  makeWorkDir,
  ptpRunArgs,
  runCli,
  runIdFrom,
  scanSimHostKeys,
} from "./helpers.ts";

/** c7i.large with an igb NIC and no ena module at all. */
const IGB_PROFILE = `
instance_types:
  c7i.large:
    architecture: x86_64
    phc_support: supported
    placement_strategies: [cluster, partition, spread, precision-time]
    nic_driver: igb
    ena_module: false
`;

interface ReportTarget {
  instance_id: string;
  verdict: string;
  verdict_reason: string | null;
  phc_device: string | null;
  changes: { step_id: string; kind: string; summary: string; diff?: string; applied: boolean }[];
  steps: { step_id: string; changed: boolean | null }[];
}

async function report(cwd: string, stdout: string) {
  const text = await Deno.readTextFile(join(cwd, "reports", runIdFrom(stdout), "report.json"));
  return JSON.parse(text) as { check_mode: boolean; targets: ReportTarget[] };
}

const EXPECTED_CHANGES = [
  "create /etc/udev/rules.d/52-ptp-runner-refclock.rules",
  "reload udev rules and trigger PTP devices",
  "create /etc/chrony.d/ptp-runner.conf",
];

Deno.test("clock choice on igb hosts: a glob matching nothing changes nothing, --dry-run plans, a real run is functional, a second run unchanged", async (t) => {
  const cwd = await makeWorkDir();
  const profilesFile = join(cwd, "profiles.yaml");
  await Deno.writeTextFile(profilesFile, IGB_PROFILE);
  const sim = await startSimulator({ speed: E2E_SPEED, profilesFile });
  try {
    const first = await runCli(
      ptpRunArgs(sim, "c7i.large", [
        "--set",
        "clock=clock_name:nomatch-*",
        "--keep",
        "all",
      ]),
      { cwd, env: sim.env },
    );
    const [launched] = (await report(cwd, first.stdout)).targets;
    // Hosts that already run are checked against known_hosts (the default policy there).
    const knownHosts = join(cwd, "known_hosts");
    await scanSimHostKeys(sim, [launched.instance_id], knownHosts);
    const existing = async (extra: string[]) => {
      const run = await runCli([
        "run",
        EXISTING_HOSTS_PIPELINE,
        "--yes",
        "--region",
        "us-east-1",
        "--set",
        `instance_ids=${launched.instance_id}`,
        "--set",
        `private_key=${sim.defaultInputs.private_key}`,
        "--set",
        "clock=primary-nic",
        "--set",
        `known_hosts_file=${knownHosts}`,
        ...extra,
      ], { cwd, env: sim.env });
      assert.equal(run.code, 0, run.stdout + run.stderr);
      return { run, report: await report(cwd, run.stdout) };
    };

    await t.step("a clock_name glob matching no clock: misconfigured, nothing changed", () => {
      assert.equal(launched.verdict, "misconfigured", first.stdout + first.stderr);
      assert.match(launched.verdict_reason ?? "", /clock=clock_name:nomatch-\*: no PTP clock of/);
      assert.deepEqual(launched.changes, []);
      const ran = launched.steps.map((s) => s.step_id);
      for (const skipped of ["ena-check", "ena-build", "enable-hwts"]) {
        assert.equal(ran.includes(skipped), false, `${skipped} skipped: ${ran}`);
      }
    });

    await t.step(
      "existing-hosts --dry-run lists the changes it would make, applies none",
      async () => {
        const { run, report: r } = await existing(["--dry-run"]);
        assert.equal(r.check_mode, true);
        const [target] = r.targets;
        assert.equal(target.verdict, "none");
        assert.match(target.verdict_reason ?? "", /check mode/);
        assert.deepEqual(target.changes.map((c) => [c.summary, c.applied]), [
          ...EXPECTED_CHANGES.map((c) => [c, false]),
          ["validate with chronyd -p, restart chronyd", false],
        ]);
        assert.match(target.changes[2].diff ?? "", /^\+refclock PHC \/dev\/ptp_refclock /m);
        assert.match(run.stdout, /Changes that would be made \(--dry-run\)/);
      },
    );

    await t.step("a real run makes the same changes and is functional", async () => {
      const [target] = (await existing([])).report.targets;
      assert.equal(target.verdict, "functional", target.verdict_reason ?? "");
      assert.equal(target.phc_device, "/dev/ptp_refclock");
      assert.deepEqual(target.changes.map((c) => [c.summary, c.applied]), [
        ...EXPECTED_CHANGES.map((c) => [c, true]),
        ["restart chronyd", true],
      ]);
      const byStep = Object.fromEntries(target.steps.map((s) => [s.step_id, s.changed]));
      assert.equal(byStep["configure-chrony"], true);
      assert.equal(byStep["verify"], false);
    });

    await t.step("a second real run reports every step unchanged", async () => {
      const [target] = (await existing([])).report.targets;
      assert.equal(target.verdict, "functional");
      assert.deepEqual(target.changes, []);
      assert.deepEqual(target.steps.filter((s) => s.changed === true), []);
    });

    await runCli(["sweep", "--yes"], { cwd, env: sim.env });
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});
