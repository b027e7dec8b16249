/**
 * End to end: `--report-dir` and `--log-json` paths that cannot be written
 * are refused before the run (exit 2 naming the flag, plain words, no run
 * journal created).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { makeWorkDir, PTP_PIPELINE, runCli } from "./helpers.ts";

async function assertNoRun(cwd: string): Promise<void> {
  const runs = await Array.fromAsync(Deno.readDir(join(cwd, ".ptp-runner", "runs"))).catch(
    () => [],
  );
  assert.deepEqual(runs, [], "no run journal was created");
}

Deno.test("--report-dir naming a file is refused before the run with exit 2", async () => {
  const cwd = await makeWorkDir();
  try {
    const result = await runCli(
      ["run", PTP_PIPELINE, "--simulate", "--yes", "--report-dir", "/etc/passwd"],
      { cwd, env: {} },
    );
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.match(result.stderr, /--report-dir.*\/etc\/passwd.*not a directory/);
    await assertNoRun(cwd);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("--log-json under /proc says it cannot create the file, without Deno's permission advice", async () => {
  const cwd = await makeWorkDir();
  try {
    const result = await runCli(
      ["run", PTP_PIPELINE, "--simulate", "--yes", "--log-json", "/proc/nope/x.jsonl"],
      { cwd, env: {} },
    );
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.match(result.stderr, /--log-json.*cannot create \/proc\/nope\/x\.jsonl: /);
    assert.doesNotMatch(result.stderr, /allow-all/);
    await assertNoRun(cwd);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
