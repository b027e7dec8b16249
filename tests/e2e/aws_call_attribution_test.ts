/**
 * Every event names the step that caused it, AWS calls included: in the
 * demo's `--log-json` (`run pipelines/ptp.yaml --simulate --yes`), the calls
 * release at the verdict and `connect` make through the EC2 client `launch`
 * created are attributed to them, not to `launch`.
 */
import assert from "node:assert/strict";
import { CONFIG, MAIN, makeWorkDir, PTP_PIPELINE } from "./helpers.ts";

Deno.test("the demo's --log-json attributes TerminateInstances to release-at-verdict and GetConsoleOutput to connect", async () => {
  const dir = await makeWorkDir();
  try {
    const log = `${dir}/events.jsonl`;
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--config",
        CONFIG,
        "-P=cli",
        "--quiet",
        MAIN,
        "run",
        PTP_PIPELINE,
        "--simulate",
        "--yes",
        "--set",
        "instance_types=c7i.large,t3.micro",
        "--log-json",
        log,
      ],
      cwd: dir,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, text);
    const calls = (await Deno.readTextFile(log)).trim().split("\n").map((l) => JSON.parse(l))
      .filter((e) => e.type === "aws-call");
    const stepsOf = (operation: string) =>
      [...new Set(calls.filter((c) => c.operation === operation).map((c) => c.stepId))].sort();
    // --yes, no --keep: nothing may be kept, so the instance goes at its verdict.
    assert.deepEqual(stepsOf("TerminateInstances"), ["release-at-verdict"]);
    assert.deepEqual(stepsOf("GetConsoleOutput"), ["connect"]);
    assert.deepEqual(stepsOf("RunInstances"), ["launch"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
