/**
 * Every real command output of `shared/samples/` (copied to
 * `tests/fixtures/samples/`) replayed through a profile `overrides` entry of
 * a simulated AL2023 host reaches, unchanged, the step that reads it over
 * real SSH (ssh2 client of the SSH plugin -> in-process ssh2 server of
 * sim/host). Each host is chosen so the model alone would print something
 * else, so the asserted values can only come from the sample.
 *
 * Commands as the steps send them (steps/*.ts, plugins/ptp/*.ts):
 * ena-check batches `modinfo ena`, `modinfo -F version ena`, ... into one
 * round trip with marker lines, then `ethtool -i <iface>`; enable-hwts and
 * verify read `ethtool -T <iface>`; verify reads `chronyc -n sources` and
 * `chronyc tracking`; configure-chrony quotes
 * `sudo -n journalctl -u chronyd -n 20 --no-pager` when chronyd fails.
 */
import assert from "node:assert/strict";
import configureChrony from "../../steps/configure-chrony.ts";
import enaCheck from "../../steps/ena-check.ts";
import enableHwts from "../../steps/enable-hwts.ts";
import verify from "../../steps/verify.ts";
import { StepError } from "../../runner/errors.ts";
import { sample, SAMPLES_DIR } from "../parsers/samples.ts";
import { type ReplayHost, replayHost } from "./replay-host.ts";

/** Sample files some test below replays (filled as the tests register). */
const replayed = new Set<string>();

/**
 * Registers a test replaying `files` (names in tests/fixtures/samples/).
 * @param fn gets the text of each file, in order
 */
function replayTest(name: string, files: string[], fn: (...texts: string[]) => Promise<void>) {
  for (const f of files) replayed.add(f);
  Deno.test({ name, sanitizeResources: false, sanitizeOps: false }, () => fn(...files.map(sample)));
}

/** Runs `fn` against a connected replay host and stops the host afterwards. */
async function withHost(
  address: string,
  overrides: Parameters<typeof replayHost>[1],
  profile: Record<string, unknown>,
  fn: (host: ReplayHost) => Promise<void>,
): Promise<void> {
  const host = await replayHost(address, overrides, profile);
  try {
    await fn(host);
  } finally {
    await host.stop();
  }
}

/** Asserts some command line the steps sent contains `fragment` (the override applied to it). */
function assertSent(host: ReplayHost, fragment: string): void {
  assert.ok(
    host.commands().some((c) => c.includes(fragment)),
    `no step sent "${fragment}"; sent:\n${host.commands().join("\n")}`,
  );
}

/** Diagnostics of the target as one string, for messages. */
const diag = (host: ReplayHost) => JSON.stringify(host.target.diagnostics, null, 1);

/** Fast verify polling on the simulated clock. */
const VERIFY_FAST = { timeout: 6, interval: 2 };

replayTest(
  "ena-check reads driver version 2.8.3g from the replayed modinfo-ena-al2023-6.1.27.txt",
  ["modinfo-ena-al2023-6.1.27.txt"],
  async (modinfo) => {
    // An upstream-style driver (no version of its own): 2.8.3g can only come from the sample.
    await withHost("127.0.41.2", [{ command: "modinfo ena", stdout: modinfo }], {
      kernel: "6.1.27-43.48.amzn2023.x86_64",
      ena: { version: null, phc_parameter: false, pci_slot: "05" },
    }, async (host) => {
      const ena = await host.run(enaCheck);
      assertSent(host, "{ modinfo ena; }");
      assert.equal(ena.version, "2.8.3g");
      assert.equal(ena.version_at_least_2_10, false);
      assert.equal(ena.has_phc_parameter, false);
      assert.equal(ena.needs_build, true);
      assert.match(ena.reason, /ENA driver 2\.8\.3g lacks the phc_enable module parameter/);
      assert.equal(ena.kernel, "6.1.27-43.48.amzn2023.x86_64");
      assert.equal(host.target.facts.ena?.version, "2.8.3g");
    });
  },
);

replayTest(
  "ena-check finds has_phc_parameter in the replayed modinfo-ena-phc-parm.txt",
  ["modinfo-ena-phc-parm.txt"],
  async (parm) => {
    // The model's driver lacks phc_enable (no sysfs file, no parm line of its own).
    await withHost("127.0.41.3", [{ command: "modinfo ena", stdout: parm }], {
      ena: { version: "2.16.1g", phc_parameter: false, pci_slot: "05" },
    }, async (host) => {
      const ena = await host.run(enaCheck);
      assertSent(host, "{ modinfo ena; }");
      assert.equal(ena.has_phc_parameter, true);
      assert.equal(ena.needs_build, false, ena.reason);
      assert.equal(ena.phc_enable, null, "no sysfs parameter on the model's driver");
      assert.match(ena.reason, /has the phc_enable parameter, the loaded driver does not show it/);
      assert.doesNotMatch(ena.reason, /seen in sysfs/);
      assert.equal(host.target.facts.ena?.hasPhcParameter, true);
    });
  },
);

replayTest(
  "ena-check takes the PCI slot 0000:00:05.0 from the bus-info of the replayed ethtool-i-ens5.txt",
  ["ethtool-i-ens5.txt"],
  async (ethtoolI) => {
    // The model's slot is 07; uevent is unreadable, so only ethtool -i can name slot 05.
    await withHost(
      "127.0.41.4",
      [
        { command: "ethtool -i ens5", stdout: ethtoolI },
        {
          command: "cat /sys/class/net/ens5/device/uevent",
          stderr: "cat: /sys/class/net/ens5/device/uevent: No such file or directory\n",
          exit: 1,
        },
      ],
      { ena: { version: "2.16.1g", phc_parameter: true, pci_slot: "07" } },
      async (host) => {
        const ena = await host.run(enaCheck);
        assertSent(host, "{ ethtool -i ens5; }");
        assert.equal(ena.interface, "ens5");
        assert.equal(ena.pci_slot, "0000:00:05.0");
        assert.deepEqual(host.target.warnings, [], "driver: ena gives no warning");
      },
    );
  },
);

replayTest(
  "enable-hwts and verify read PHC index 0 from the replayed ethtool-T-ens5-phc.txt",
  ["ethtool-T-ens5-phc.txt"],
  async (ethtoolT) => {
    // With ptp_kvm the model's ENA clock is ptp1, so its own ethtool -T would say 1.
    await withHost(
      "127.0.41.5",
      [{ command: "ethtool -T ens5", stdout: ethtoolT }],
      { ptp_kvm: true },
      async (host) => {
        const enabled = await host.run(enableHwts, { settle_timeout: 30, poll_interval: 1 });
        assertSent(host, "ethtool -T ens5");
        assert.equal(enabled.state, "enabled", diag(host));
        assert.equal(enabled.clock_name, "ena-ptp-05");
        assert.equal(enabled.index, 1);
        assert.equal(host.target.facts.phc?.ethtoolIndex, 0);
        assert.ok(
          host.target.warnings.some((w) =>
            w.includes("reports PTP Hardware Clock 0, but the ENA clock ena-ptp-05 is ptp1")
          ),
          JSON.stringify(host.target.warnings),
        );
        const verdict = await host.run(verify, VERIFY_FAST);
        assert.equal(verdict.verdict, "misconfigured");
        assert.equal(verdict.failed_layer, "driver");
        const check = host.target.facts.verify?.checks.find((c) =>
          c.check.startsWith("ethtool -T ens5")
        );
        assert.deepEqual(check && { pass: check.pass, observed: check.observed }, {
          pass: false,
          observed: "PTP Hardware Clock: 0",
        });
        const mismatch = host.target.diagnostics.find((d) => /index mismatch/.test(d.summary));
        assert.ok(mismatch, diag(host));
        assert.match(mismatch.output ?? "", /^PTP Hardware Clock: 0$/m);
        assert.match(mismatch.output ?? "", /hardware-receive/);
      },
    );
  },
);

replayTest(
  "enable-hwts and verify read PHC none from the replayed ethtool-T-eth0-no-phc.txt",
  ["ethtool-T-eth0-no-phc.txt"],
  async (ethtoolT) => {
    // The model's eth0 has an ENA clock (ptp0); only the sample says none.
    await withHost(
      "127.0.41.6",
      [{ command: "ethtool -T eth0", stdout: ethtoolT }],
      { interface: "eth0" },
      async (host) => {
        const enabled = await host.run(enableHwts, { settle_timeout: 30, poll_interval: 1 });
        assertSent(host, "ethtool -T eth0");
        assert.equal(enabled.state, "enabled", diag(host));
        assert.equal(enabled.index, 0);
        assert.equal(host.target.facts.phc?.ethtoolIndex, null);
        assert.ok(
          host.target.warnings.some((w) =>
            w.includes("ethtool -T eth0 reports PTP Hardware Clock none")
          ),
          JSON.stringify(host.target.warnings),
        );
        const verdict = await host.run(verify, VERIFY_FAST);
        assert.equal(verdict.verdict, "misconfigured");
        assert.equal(verdict.failed_layer, "driver");
        assert.equal(verdict.interface, "eth0");
        const mismatch = host.target.diagnostics.find((d) =>
          d.summary === "index mismatch: ethtool reports none, the ENA clock is ptp0"
        );
        assert.ok(mismatch, diag(host));
        assert.match(mismatch.output ?? "", /^PTP Hardware Clock: none$/m);
        assert.match(mismatch.output ?? "", /\(SOF_TIMESTAMPING_TX_SOFTWARE\)/);
      },
    );
  },
);

replayTest(
  "verify finds no step reading the replayed ls-dev-ptp-kvm-and-ena.txt: the clock is picked by name",
  ["ls-dev-ptp-kvm-and-ena.txt"],
  async (listing) => {
    // No step lists /dev/ptp* (PTP.md section 4: /dev/ptp0 alone proves nothing; the clock is
    // picked by clock_name). The sample says ptp_ena -> ptp0 and ptp_kvm -> ptp1; the model
    // has the opposite (ptp_kvm takes ptp0 at boot), and the steps must follow the model.
    // If a step starts sending `ls -l /dev/ptp*`, this test fails: then assert the sample's
    // values reach it instead.
    await withHost(
      "127.0.41.7",
      [{ regex: "^ls( -l)? /dev/ptp", stdout: listing }],
      { ptp_kvm: true },
      async (host) => {
        const enabled = await host.run(enableHwts, { settle_timeout: 30, poll_interval: 1 });
        assert.equal(enabled.state, "enabled", diag(host));
        await host.run(configureChrony);
        const verdict = await host.run(verify, { timeout: 60, interval: 2 });
        assert.equal(verdict.verdict, "functional", diag(host));
        assert.equal(verdict.device, "/dev/ptp_ena");
        assert.equal(verdict.clock_name, "ena-ptp-05");
        assert.equal(verdict.phc_index, 1, "the ENA clock by name, not the sample's ptp0");
        const lists = host.commands().filter((c) => /(^|[;&|{(]\s*|sudo -n )ls\b/.test(c));
        assert.deepEqual(lists, [], "a step lists /dev/ptp*: replay the sample into it");
      },
    );
  },
);

replayTest(
  "verify reaches functional from the replayed chronyc-sources-phc.txt and " +
    "chronyc-tracking-phc.txt (#* PHC0 reach 377, offset 14 ns fast, RMS 60 ns)",
  ["chronyc-sources-phc.txt", "chronyc-tracking-phc.txt"],
  async (sources, tracking) => {
    // The model's chrony never selects PHC0: functional can only come from the samples.
    await withHost(
      "127.0.41.8",
      [
        { regex: "^chronyc( -n)? sources$", stdout: sources },
        { regex: "^chronyc( -n)? tracking$", stdout: tracking },
      ],
      { faults: { chrony_never_selects: true }, phc_error_bound_ns: 32123 },
      async (host) => {
        assert.equal(
          (await host.run(enableHwts, { settle_timeout: 30, poll_interval: 1 })).state,
          "enabled",
          diag(host),
        );
        assert.equal((await host.run(configureChrony)).changed, true, diag(host));
        const verdict = await host.run(verify, VERIFY_FAST);
        assertSent(host, "chronyc -n sources");
        assertSent(host, "chronyc -n tracking");
        assert.equal(verdict.verdict, "functional", diag(host));
        const checks = host.target.facts.verify!.checks;
        assert.equal(
          checks.find((c) => c.check.startsWith("chronyc sources"))?.observed,
          "#* PHC0 reach 377",
        );
        assert.equal(
          checks.find((c) => c.check.startsWith("chronyc tracking"))?.observed,
          "50484330 (PHC0), stratum 1",
        );
        assert.deepEqual(verdict.quality, {
          system_time_offset_seconds: 14e-9,
          system_time_direction: "fast",
          rms_offset_seconds: 60e-9,
          frequency_ppm: 6.614,
          skew_ppm: 0.019,
          root_delay_seconds: 10e-6,
          root_dispersion_seconds: 1.311e-6,
          phc_error_bound_ns: 32123,
          // 14 + 10000 / 2 + 1311 + 32123 (PTP.md section 6)
          clock_error_bound_ns: 38448,
          reference_name: "PHC0",
          stratum: 1,
        });
      },
    );
  },
);

replayTest(
  "verify reports the chrony layer not functional from the replayed chronyc-sources-ntp-only.txt",
  ["chronyc-sources-ntp-only.txt"],
  async (sources) => {
    await withHost(
      "127.0.41.9",
      [{ regex: "^chronyc( -n)? sources$", stdout: sources }],
      {},
      async (host) => {
        await host.run(enableHwts, { settle_timeout: 30, poll_interval: 1 });
        assert.equal((await host.run(configureChrony)).changed, true, diag(host));
        const verdict = await host.run(verify, VERIFY_FAST);
        assertSent(host, "chronyc -n sources");
        assert.equal(verdict.verdict, "misconfigured");
        assert.equal(verdict.failed_layer, "chrony");
        const d = host.target.diagnostics.find((x) =>
          x.layer === "chrony" &&
          x.summary === "PHC0 is not among chrony's sources (no refclock configured?)"
        );
        assert.ok(d, diag(host));
        assert.equal(d.command, "chronyc -n sources");
        assert.equal(d.output, sources.trim(), "the raw output, quoted unchanged");
      },
    );
  },
);

replayTest(
  "verify reports chrony tracking 169.254.169.123 at stratum 4 from the replayed chronyc-tracking-ntp.txt",
  ["chronyc-tracking-ntp.txt"],
  async (tracking) => {
    // The model's NTP tracking is stratum 2 and it tracks PHC0 once configured.
    await withHost(
      "127.0.41.10",
      [{ regex: "^chronyc( -n)? tracking$", stdout: tracking }],
      {},
      async (host) => {
        await host.run(enableHwts, { settle_timeout: 30, poll_interval: 1 });
        await host.run(configureChrony);
        const verdict = await host.run(verify, { timeout: 60, interval: 20 });
        assertSent(host, "chronyc -n tracking");
        assert.equal(verdict.verdict, "misconfigured");
        assert.equal(verdict.failed_layer, "chrony");
        assert.equal(verdict.quality, null, "no quality unless chrony tracks PHC0");
        const checks = host.target.facts.verify!.checks;
        assert.equal(
          checks.find((c) => c.check.startsWith("chronyc sources"))?.pass,
          true,
          "the model's PHC0 is selected",
        );
        assert.equal(
          checks.find((c) => c.check.startsWith("chronyc tracking"))?.observed,
          "A9FEA97B (169.254.169.123), stratum 4",
        );
        const d = host.target.diagnostics.find((x) =>
          x.summary === "chrony tracks 169.254.169.123 at stratum 4, not PHC0 at stratum 1"
        );
        assert.ok(d, diag(host));
        assert.equal(d.output, tracking.trim());
      },
    );
  },
);

replayTest(
  "configure-chrony quotes the fatal error of the replayed chronyd-invalid-refclock.log and rolls back",
  ["chronyd-invalid-refclock.log"],
  async (log) => {
    await withHost(
      "127.0.41.11",
      [
        {
          command: "systemctl restart chronyd",
          stderr: "Job for chronyd.service failed because the control process exited with error " +
            'code.\nSee "systemctl status chronyd.service" and "journalctl -xeu ' +
            'chronyd.service" for details.\n',
          exit: 1,
        },
        { regex: "^journalctl -u chronyd( |$)", stdout: log },
      ],
      {},
      async (host) => {
        await host.run(enableHwts, { settle_timeout: 30, poll_interval: 1 });
        await assert.rejects(host.run(configureChrony), (error: unknown) => {
          assert.ok(error instanceof StepError, String(error));
          assert.equal(error.kind, "command");
          assert.match(
            error.evidence ?? "",
            /Fatal error : Invalid refclock option at line 8 in file \/etc\/chrony\/conf\.d\/refclock\.conf/,
          );
          return true;
        });
        assertSent(host, "journalctl -u chronyd -n 20");
        const d = host.target.diagnostics.find((x) => x.layer === "service");
        assert.ok(d, diag(host));
        assert.match(d.summary, /chronyd restart failed \(exit status 1\) with the PHC refclock/);
        assert.ok(
          d.output?.includes(
            "Jul 12 20:55:21 ptp-master chronyd[2328]: Fatal error : Invalid refclock option at " +
              "line 8 in file /etc/chrony/conf.d/refclock.conf",
          ),
          diag(host),
        );
        assert.equal(host.target.facts.chrony?.rolledBack, true);
        // Every restart fails here (replayed), the rollback's too: the report must not say restored.
        assert.ok(
          host.target.diagnostics.some((x) =>
            /files restored, but chronyd is NOT running after the rollback/.test(x.summary)
          ),
          diag(host),
        );
      },
    );
  },
);

Deno.test("every sample file is replayed by a test of this file", () => {
  const files = [...Deno.readDirSync(SAMPLES_DIR)]
    .filter((e) => e.isFile && e.name !== "SOURCES.md")
    .map((e) => e.name)
    .sort();
  assert.ok(files.length >= 11, `samples found: ${files.join(", ")}`);
  const missing = files.filter((f) => !replayed.has(f));
  assert.deepEqual(missing, [], "write a replay test for each new sample");
  const unknown = [...replayed].filter((f) => !files.includes(f));
  assert.deepEqual(unknown, [], "replayed files that are not samples");
});
