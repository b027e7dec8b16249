/**
 * The `existing-hosts` pipeline on a real host (issue 11, "Proof: a real host in CI"): the
 * ptp-runner CLI as a subprocess over real SSH against the Debian 12 guest of tests/realhost/vm.ts
 * (kernel 6.12, systemd 252, chrony 4.3, an `igb` NIC with a real PHC, no ENA NIC). One guest
 * serves the scenarios in order, state carrying over on purpose: the ones that must change
 * nothing come first (each proves it with a byte-for-byte snapshot), then Ctrl-C during
 * configure-chrony, then the real configuration and the second, unchanged run.
 *
 * Skipped with a visible notice where the image is not built (`bash scripts/vm/build-image.sh`).
 * @module
 */
import assert from "node:assert/strict";
import { type JsonEvent, readEvents } from "../e2e/helpers.ts";
import {
  describeGuestChrony,
  errorLogs,
  explainFailure,
  finishedSteps,
  guestChrony,
  LEFTOVERS,
  reportedChanges,
  reportTarget,
  runPipeline,
  startPipeline,
  trackingField,
  withoutInvocation,
} from "./pipeline-run.ts";
import { skipNotice, type Vm, vmImage, withVm } from "./vm.ts";
import { REFCLOCK_UDEV_RULE_PATH, UDEV_TRIGGER_PTP } from "../../plugins/ptp/chosen-clock.ts";

const image = vmImage();
skipNotice("real-host pipeline tests (tests/realhost/existing_hosts_test.ts)");

/** Lines of `after` not in `before` (`+ `) and of `before` not in `after` (`- `). */
function changedLines(before: string, after: string): string {
  const a = new Set(before.split("\n"));
  const b = new Set(after.split("\n"));
  return [
    ...[...b].filter((l) => !a.has(l)).map((l) => `+ ${l}`),
    ...[...a].filter((l) => !b.has(l)).map((l) => `- ${l}`),
  ].join("\n");
}

/** The guest's PHC: `clock_name` of `/sys/class/ptp/ptp0` is the igb NIC's MAC. */
const CLOCK_NAME = "525400123456";

/** Steps that touch the host (everything but the run-scope existing-hosts and report). */
const HOST_STEPS = [
  "connect",
  "detect-arch",
  "ena-check",
  "ena-build",
  "install-ptp",
  "enable-hwts",
  "configure-chrony",
  "verify",
];

Deno.test({
  name: "existing-hosts on a real Debian 12 host with an igb PHC (one guest, scenarios in order)",
  ignore: image === undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    const started = Date.now();
    await withVm(image!, async (vm) => {
      console.log(`VM booted to sshd in ${(vm.bootMs / 1000).toFixed(1)} s (port ${vm.port})`);
      const guest = () => describeGuestChrony(vm);
      // Snapshots take a while under TCG: each scenario that must change nothing starts from
      // the state the previous one left (nothing happens on the guest in between).
      // The login user's own PATH lacks /usr/sbin: modinfo is found through the tool's prefix.
      assert.equal((await vm.ssh("command -v modinfo")).code, 1);
      // sshd answers before boot is over: udev's coldplug still autoloads modules (kvm_amd,
      // ccp) for a while, which a snapshot taken now would count as the run's doing.
      await vm.ssh("sudo -n systemctl is-system-running --wait; sudo -n udevadm settle");
      let state = await vm.snapshot();

      await t.step(
        "the default clock (ena) on a non-ENA host: unsupported naming igb, host unchanged",
        async () => {
          const before = state;
          const run = await runPipeline(vm);
          const after = state = await vm.snapshot();
          await explainFailure(run, () => {
            const target = reportTarget(run);
            assert.equal(target?.verdict, "unsupported");
            assert.match(
              String(target?.verdict_reason),
              /^unsupported: the primary NIC \S+ uses driver igb, not ENA$/,
              "the reason names the driver",
            );
            const distribution = target?.distribution as { id?: string; version?: string };
            assert.equal(distribution?.id, "debian");
            assert.equal(distribution?.version, "12");
            assert.equal(run.code, 0, "the target reached a verdict");
            assert.deepEqual(reportedChanges(run).filter((c) => c.applied), []);
            const commands = run.events.filter((e) => e.type === "command")
              .map((e) => String(e.command));
            for (const command of commands) {
              assert.doesNotMatch(command, /^sudo |install -y|modprobe |depmod|tee /, command);
            }
            const notFound = run.events.filter((e) => e.type === "command" && e.exitCode === 127)
              .map((e) => String(e.command));
            assert.deepEqual(notFound, [], "no command was 'not found' on the real host");
            assert.equal(
              after,
              before,
              `the host is byte-for-byte unchanged:\n${changedLines(before, after)}`,
            );
          }, guest);
        },
      );

      // The guest has no IPv4 default route (qemu's restricted network): every scenario runs
      // so; the primary interface is then the host's only link besides lo (eth0).
      assert.equal((await vm.ssh("ip -4 route show default")).stdout.trim(), "");

      await t.step(
        "--dry-run with clock=primary-nic: host unchanged, the report lists the diffs",
        async () => {
          const before = state;
          const run = await runPipeline(vm, { inputs: { clock: "primary-nic" }, dryRun: true });
          const after = state = await vm.snapshot();
          await explainFailure(run, () => {
            assert.equal(after, before, "the host is byte-for-byte unchanged");
            const changes = reportedChanges(run);
            assert.ok(changes.length > 0, "the report lists what the run would change");
            assert.deepEqual(changes.filter((c) => c.applied), [], "nothing was applied");
            const chrony = changes.find((c) =>
              /\/etc\/chrony\//.test(c.summary) && /^\+refclock PHC /m.test(c.diff ?? "")
            );
            assert.ok(chrony, "a diff adding the refclock line to chrony's configuration");
            const udev = changes.find((c) =>
              /\/etc\/udev\/rules\.d\//.test(c.summary) && (c.diff ?? "").includes(CLOCK_NAME)
            );
            assert.ok(udev, `a diff adding a udev rule naming the clock ${CLOCK_NAME}`);
            assert.match(
              chrony.diff ?? "",
              /^\+refclock PHC \/dev\/(?!ptp\d+\s)\S+/m,
              "chrony gets a stable device path, not /dev/ptpN",
            );
          }, guest);
        },
      );

      await t.step(
        "clock_name:nomatch*: a glob that matches no PHC is refused, nothing changes",
        async () => {
          const before = state;
          const run = await runPipeline(vm, { inputs: { clock: "clock_name:nomatch*" } });
          const after = state = await vm.snapshot();
          await explainFailure(run, async () => {
            const target = reportTarget(run);
            assert.notEqual(target?.verdict, "functional");
            const said = `${target?.verdict_reason} ${JSON.stringify(target?.failure)} ${
              JSON.stringify(target?.diagnostics)
            }`;
            assert.match(said, /nomatch\*/, "the message names the glob");
            const layers = (target?.diagnostics as { layer?: string }[] | undefined ?? [])
              .map((d) => d.layer);
            assert.ok(!layers.includes("chrony"), `no chrony diagnosis: ${layers.join(", ")}`);
            assert.equal(after, before, "the host is byte-for-byte unchanged");
            assert.equal((await guestChrony(vm)).active, "active");
          }, guest);
        },
      );

      await t.step("an unknown clock value: refused before any host is touched", async () => {
        const run = await runPipeline(vm, { inputs: { clock: "nic0" } });
        await explainFailure(run, () => {
          assert.equal(run.code, 2, "invalid input: nothing ran");
          assert.match(run.stderr + run.stdout, /clock/, "the message names the input");
          assert.match(run.stderr + run.stdout, /nic0/, "the message names the value");
          assert.equal(run.events.filter((e) => e.type === "command").length, 0, "no command sent");
        });
      });

      await t.step("Ctrl-C during configure-chrony: chrony is left valid and active", async () => {
        const before = state;
        const started = await startPipeline(vm, { inputs: { clock: "primary-nic" } });
        const trigger = await interruptAtChronyChange(started.eventsFile, started.cli.child);
        const run = await started.finished();
        console.log(`  interrupted after: ${trigger ?? "(no change command seen)"}`);
        await explainFailure(run, async () => {
          assert.ok(trigger, "configure-chrony started changing the host before the SIGINT");
          assert.equal(run.code, 130, "exit status of an interrupted run");
          const chrony = await waitForActive(vm);
          assert.equal(
            chrony.parseStatus,
            0,
            `chronyd -p accepts the config:\n${chrony.parseOutput}`,
          );
          assert.equal(chrony.active, "active");
          const leftovers = await vm.check(LEFTOVERS);
          assert.equal(leftovers, "", "no backup or temporary files left");
          // The tool undoes an interrupted configure-chrony: then the undo must be whole.
          assert.deepEqual(errorLogs(run), [], "no error (e.g. a rollback that failed)");
          const restoring = run.events.some((e) =>
            e.type === "log" && /restoring the previous/i.test(String(e.message))
          );
          if (restoring) {
            const target = reportTarget(run);
            assert.match(
              `${target?.verdict_reason ?? ""} ${JSON.stringify(target?.failure ?? null)}`,
              /previous chrony configuration restored/,
              "the report says what the rollback achieved, not only `cancelled`",
            );
            assert.equal(
              withoutInvocation(await vm.snapshot()),
              withoutInvocation(before),
              "rolled back: the host is as before the run (files, udev links, modules)",
            );
          }
        }, guest);
      });

      let invocationAfterConfigure = "";
      await t.step(
        "clock=primary-nic: functional; real chrony selects PHC0; quality from real chrony",
        async () => {
          const run = await runPipeline(vm, { inputs: { clock: "primary-nic" } });
          const chrony = await guestChrony(vm);
          invocationAfterConfigure = chrony.invocationId;
          await explainFailure(run, async () => {
            const target = reportTarget(run);
            assert.equal(target?.verdict, "functional");
            assert.equal(run.code, 0);
            assert.match(chrony.sources, /^#\* PHC0\s/m, "real chronyc -n sources selects PHC0");
            assert.equal(chrony.parseStatus, 0);
            assert.equal(chrony.active, "active");
            assert.equal(trackingField(chrony.tracking, "Reference ID"), "50484330 (PHC0)");
            assert.equal(trackingField(chrony.tracking, "Stratum"), "1");

            const quality = target?.quality as Record<string, unknown> | null;
            assert.ok(quality, "the report has quality figures");
            assert.equal(quality.reference_name, "PHC0");
            assert.equal(quality.stratum, 1);
            for (
              const key of [
                "system_time_offset_seconds",
                "rms_offset_seconds",
                "frequency_ppm",
                "skew_ppm",
                "root_delay_seconds",
                "root_dispersion_seconds",
                "clock_error_bound_ns",
              ]
            ) {
              assert.ok(
                Number.isFinite(quality[key]),
                `quality.${key} is a number: ${quality[key]}`,
              );
            }
            // Real chrony's root delay of a PHC refclock is a constant (the refclock's delay):
            // the report's figure is the guest's, not a simulated one.
            const rootDelay = Number(
              /^([\d.]+)/.exec(trackingField(chrony.tracking, "Root delay") ?? "")?.[1],
            );
            assert.ok(
              Math.abs(Number(quality.root_delay_seconds) - rootDelay) < 1e-6,
              `root delay ${quality.root_delay_seconds} s is chrony's ${rootDelay} s`,
            );

            assert.equal(target?.phc_clock_name, CLOCK_NAME);
            const device = String(target?.phc_device);
            assert.match(device, /^\/dev\/(?!ptp\d+$)\S+$/, "a stable device path, not /dev/ptpN");
            assert.equal(
              (await vm.check(`readlink -f ${device}`)).trim(),
              "/dev/ptp0",
              `${device} leads to the igb PHC`,
            );
            const applied = reportedChanges(run).filter((c) => c.applied);
            assert.ok(applied.some((c) => /\/etc\/chrony\//.test(c.summary) && c.diff));
            assert.ok(applied.some((c) => /\/etc\/udev\/rules\.d\//.test(c.summary) && c.diff));
          }, guest);
        },
      );

      await t.step("a second run: every host step unchanged, chronyd not restarted", async () => {
        const before = await vm.snapshot();
        const run = await runPipeline(vm, { inputs: { clock: "primary-nic" } });
        const after = await vm.snapshot();
        const chrony = await guestChrony(vm);
        await explainFailure(run, () => {
          const steps = finishedSteps(run);
          const changed = HOST_STEPS.filter((id) => steps.get(id)?.changed !== undefined)
            .filter((id) => steps.get(id)?.changed !== false);
          assert.deepEqual(changed, [], "no host step reports a change");
          const reportSteps = (reportTarget(run)?.steps ?? []) as { changed: boolean | null }[];
          assert.ok(reportSteps.length > 0, "the report lists the steps' changed outputs");
          assert.deepEqual(reportSteps.filter((s) => s.changed === true), [], "report: unchanged");
          assert.ok(steps.has("configure-chrony"), "configure-chrony ran");
          assert.deepEqual(reportedChanges(run).filter((c) => c.applied), []);
          if (invocationAfterConfigure) {
            assert.equal(chrony.invocationId, invocationAfterConfigure, "chronyd not restarted");
          }
          assert.equal(after, before, "the host is byte-for-byte unchanged");
          // Last, so a failure here is only about the verdict: the host is as functional as
          // after the first run (real chrony still selects PHC0).
          assert.equal(reportTarget(run)?.verdict, "functional");
        }, guest);
      });

      await t.step(
        "real udev drops /dev/ptp_refclock once its rule is removed and udev reloads " +
          "(what configure-chrony going back to clock ena and the simulator rely on)",
        async () => {
          // The guest has no ENA clock, so the tool cannot switch it to clock=ena: the
          // removal and reload configure-chrony then makes are replayed by hand here.
          assert.equal((await vm.check("readlink /dev/ptp_refclock")).trim(), "ptp0");
          const rule = await vm.check(`cat ${REFCLOCK_UDEV_RULE_PATH}`);
          await vm.check(`sudo -n rm -f ${REFCLOCK_UDEV_RULE_PATH} && ${UDEV_TRIGGER_PTP}`);
          assert.equal((await vm.ssh("test -e /dev/ptp_refclock")).code, 1, "the link is gone");
          await vm.check(
            `sudo -n tee ${REFCLOCK_UDEV_RULE_PATH} >/dev/null && ${UDEV_TRIGGER_PTP}`,
            rule,
          );
          assert.equal((await vm.check("readlink /dev/ptp_refclock")).trim(), "ptp0", "back");
        },
      );
    });
    console.log(`real-host scenarios: ${((Date.now() - started) / 1000).toFixed(0)} s in all`);
  },
});

/**
 * Sends SIGINT to the CLI once configure-chrony has sent a command that changes the host (a file
 * written with `tee`, a move, a restart): the moment chrony's configuration is in flux.
 * @returns the command that triggered it, or undefined when the run ended first (then it is not
 *   interrupted)
 */
async function interruptAtChronyChange(
  eventsFile: string,
  child: Deno.ChildProcess,
): Promise<string | undefined> {
  const changing = (e: JsonEvent) =>
    e.type === "command" && e.stepId === "configure-chrony" &&
    /\btee\b|\bmv\b|\bcp\b|\binstall\b|restart|udevadm/.test(String(e.command));
  let exited = false;
  child.status.then(() => (exited = true));
  while (!exited) {
    const hit = (await readEvents(eventsFile)).find(changing);
    if (hit) {
      child.kill("SIGINT");
      return String(hit.command);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return undefined;
}

/** Reads chrony's state, waiting up to 30 s for a restart in flight to finish. */
async function waitForActive(vm: Vm) {
  const end = Date.now() + 30_000;
  let chrony = await guestChrony(vm);
  while (chrony.active !== "active" && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 1_000));
    chrony = await guestChrony(vm);
  }
  return chrony;
}
