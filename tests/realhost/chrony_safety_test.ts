/**
 * configure-chrony's safety on real chrony 4.3 and systemd 252 (issue 11, "Proof: a real host in
 * CI"), on a fresh Debian 12 guest of tests/realhost/vm.ts, scenarios in order:
 *
 * 1. A clock real chronyd cannot use: chrony.service runs with `PrivateDevices=yes` (a systemd
 *    drop-in), so real chronyd cannot open any PHC (`Could not open PHC`, exit) though the
 *    config parses. The run must not leave chrony broken: it refuses, or restarts, sees the
 *    failure and rolls back (files as before, chronyd active).
 * 2. Without the drop-in, a chrony.conf without `confdir` (the line removed): the marked-line
 *    method works on real chrony (functional, `chronyd -p` passes, the marker a comment line of
 *    its own), also after the failed attempt of scenario 1.
 *
 * Skipped with a visible notice where the image is not built (`bash scripts/vm/build-image.sh`).
 * @module
 */
import assert from "node:assert/strict";
import {
  describeGuestChrony,
  explainFailure,
  giveDefaultRoute,
  guestChrony,
  LEFTOVERS,
  reportTarget,
  runPipeline,
  withoutInvocation,
} from "./pipeline-run.ts";
import { skipNotice, vmImage, withVm } from "./vm.ts";

const image = vmImage();
skipNotice("real-host chrony safety tests (tests/realhost/chrony_safety_test.ts)");

/** A systemd drop-in that hides every device node from chronyd (real chronyd then fails on a PHC). */
const NO_DEVICES = "/etc/systemd/system/chrony.service.d/50-no-devices.conf";

Deno.test({
  name: "configure-chrony on real chrony: rollback when chronyd cannot use the clock; no confdir",
  ignore: image === undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    const started = Date.now();
    await withVm(image!, async (vm) => {
      console.log(`VM booted to sshd in ${(vm.bootMs / 1000).toFixed(1)} s (port ${vm.port})`);
      await giveDefaultRoute(vm);
      const guest = () => describeGuestChrony(vm);

      await t.step(
        "a clock real chronyd cannot open: refused or rolled back, chronyd active, files as before",
        async () => {
          await vm.check(
            `sudo mkdir -p ${NO_DEVICES.replace(/\/[^/]+$/, "")} && ` +
              `printf '[Service]\\nPrivateDevices=yes\\n' | sudo tee ${NO_DEVICES} >/dev/null && ` +
              "sudo systemctl daemon-reload && sudo systemctl restart chrony",
          );
          assert.equal((await guestChrony(vm)).active, "active", "chronyd runs without a refclock");
          const before = await vm.snapshot();
          const run = await runPipeline(vm, { inputs: { clock: "primary-nic" } });
          const chrony = await guestChrony(vm);
          const after = await vm.snapshot();
          await explainFailure(run, async () => {
            const target = reportTarget(run);
            assert.notEqual(target?.verdict, "functional", "chronyd cannot use the PHC here");
            assert.equal(chrony.active, "active", "chronyd is active after the run");
            assert.equal(
              chrony.parseStatus,
              0,
              `chronyd -p accepts the config:\n${chrony.parseOutput}`,
            );
            assert.equal(withoutInvocation(after), withoutInvocation(before), "files as before");
            assert.equal(await vm.check(LEFTOVERS), "", "no backup or temporary files left");
          }, guest);
          await vm.check(
            `sudo rm -f ${NO_DEVICES} && sudo systemctl daemon-reload && sudo systemctl restart chrony`,
          );
        },
      );

      await t.step(
        "chrony.conf without confdir: the marked-line method works on real chrony",
        async () => {
          await vm.check(
            "sudo sed -i '/^confdir/d' /etc/chrony/chrony.conf && sudo systemctl restart chrony",
          );
          assert.equal(await vm.check("grep -c '^confdir' /etc/chrony/chrony.conf || true"), "0\n");
          const run = await runPipeline(vm, { inputs: { clock: "primary-nic" } });
          const chrony = await guestChrony(vm);
          const conf = await vm.check("cat /etc/chrony/chrony.conf");
          await explainFailure(run, () => {
            assert.equal(reportTarget(run)?.verdict, "functional");
            assert.equal(
              chrony.parseStatus,
              0,
              `chronyd -p accepts the config:\n${chrony.parseOutput}`,
            );
            assert.equal(chrony.active, "active");
            assert.match(chrony.sources, /^#\* PHC0\s/m, "real chronyc -n sources selects PHC0");
            const lines = conf.split("\n");
            const at = lines.findIndex((l) => /^refclock PHC /.test(l));
            assert.ok(at > 0, "chrony.conf holds the refclock line");
            assert.doesNotMatch(lines[at], /#/, "no trailing comment on the refclock line");
            assert.match(
              lines[at - 1],
              /^#.*ptp-runner/i,
              "the marker is a comment line of its own",
            );
          }, guest);
        },
      );
    });
    console.log(`chrony safety scenarios: ${((Date.now() - started) / 1000).toFixed(0)} s in all`);
  },
});
