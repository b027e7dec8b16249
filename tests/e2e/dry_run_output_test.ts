/**
 * End to end: `run --dry-run --output json` says it was a check (`check_mode`,
 * as report.json does), and a real run says it was not.
 */
import assert from "node:assert/strict";
import { makeWorkDir, PTP_PIPELINE, runCli } from "./helpers.ts";

Deno.test("run --output json carries check_mode: true for --dry-run, false otherwise", async () => {
  const cwd = await makeWorkDir();
  try {
    const args = [
      "run",
      PTP_PIPELINE,
      "--simulate",
      "--yes",
      "--output",
      "json",
      "--set",
      "instance_types=t3.micro",
    ];
    const check = await runCli([...args, "--dry-run"], { cwd, env: {} });
    assert.equal(check.code, 0, check.stderr);
    assert.equal(JSON.parse(check.stdout).check_mode, true);
    const real = await runCli(args, { cwd, env: {} });
    assert.equal(real.code, 0, real.stderr);
    assert.equal(JSON.parse(real.stdout).check_mode, false);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
