/**
 * A real Debian 12 host (qemu guest, igb NIC with a real PHC, /usr/sbin off
 * the login user's PATH) under the default `clock: ena`: `existing-hosts`
 * reads the real `/etc/os-release`, finds the primary NIC's driver is igb,
 * gives the verdict `unsupported` naming it, and changes nothing on the host
 * (state snapshot byte for byte the same). Issue 11, "Proof: a real host in
 * CI". Skipped with a notice where the image is not built.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { skipNotice, vmImage, withVm } from "./vm.ts";
import {
  EXISTING_HOSTS_PIPELINE,
  makeWorkDir,
  readEvents,
  runCli,
  runIdFrom,
} from "../e2e/helpers.ts";

const image = vmImage();
skipNotice("real-VM non-ENA host test (tests/realhost)");

/** No AWS here: the endpoint is a closed loopback port, so any AWS call would fail loudly. */
const CLI_ENV: Record<string, string> = {
  AWS_ENDPOINT_URL: "http://127.0.0.1:9",
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "AKIDREALHOSTTEST",
  AWS_SECRET_ACCESS_KEY: "realhost-test-secret",
  AWS_EC2_METADATA_DISABLED: "true",
};

Deno.test({
  name:
    "existing-hosts on a real Debian 12 igb host: unsupported naming the driver, host unchanged",
  ignore: image === undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withVm(image!, async (vm) => {
      // The login user's own PATH lacks /usr/sbin: modinfo is only found through the tool's prefix.
      assert.equal((await vm.ssh("command -v modinfo")).code, 1);
      const before = await vm.snapshot();
      const cwd = await makeWorkDir();
      const logFile = join(cwd, "events.jsonl");
      const run = await runCli([
        "run",
        EXISTING_HOSTS_PIPELINE,
        "--yes",
        "--set",
        `hosts=${vm.spec}`,
        "--set",
        `private_key=${vm.keyPath}`,
        "--log-json",
        logFile,
      ], { cwd, env: CLI_ENV });
      const explain = `exit ${run.code}\n${run.stdout}\n${run.stderr}`;
      assert.equal(run.code, 0, explain);
      const runId = runIdFrom(run.stdout);
      const report = JSON.parse(
        await Deno.readTextFile(join(cwd, "reports", runId, "report.json")),
      );
      const [target] = report.targets;
      assert.equal(target.verdict, "unsupported", explain);
      assert.match(
        target.verdict_reason,
        /^unsupported: the primary NIC \S+ uses driver igb, not ENA$/,
      );
      assert.equal(target.distribution.id, "debian");
      assert.equal(target.distribution.version, "12");
      const events = await readEvents(logFile);
      const commands = events.filter((e) => e.type === "command").map((e) => String(e.command));
      for (const command of commands) {
        assert.doesNotMatch(command, /^sudo |install -y|modprobe |depmod|tee /, command);
      }
      const notFound = events.filter((e) => e.type === "command" && e.exitCode === 127)
        .map((e) => String(e.command));
      assert.deepEqual(notFound, [], "no command was 'not found' on the real host");
      assert.equal(await vm.snapshot(), before, "the host is byte for byte as it was");
    }),
});
