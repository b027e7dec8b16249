/**
 * A step that throws keeps its error: the stack of a team plugin's
 * `TypeError` is printed with `-v` and written to `--log-json` and the run
 * journal. Runs the CLI as a subprocess.
 */
import assert from "node:assert/strict";
import { journalDir, journalPath } from "../../runner/journal.ts";
import { ROOT, runCli } from "../cli/cli-helper.ts";

const PIPELINE = "tests/fixtures/pipelines/team-type-error.yaml";

Deno.test("a team plugin's TypeError shows its stack with -v, in --log-json and in the journal", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ptp-step-error-" });
  try {
    const log = `${dir}/events.jsonl`;
    const { code, stdout, stderr } = await runCli([
      "run",
      PIPELINE,
      "--yes",
      "-v",
      "--log-json",
      log,
    ]);
    const console = stdout + stderr;
    assert.equal(code, 1, console);
    assert.match(console, /TypeError: Cannot read properties of undefined \(reading 'value'\)/);
    assert.match(console, /\n\s+at .*throws-type-error\.ts:\d+:\d+/);

    const events = (await Deno.readTextFile(log)).trim().split("\n").map((l) => JSON.parse(l));
    const finished = events.find((e) => e.type === "step-finished" && e.stepId === "buggy");
    assert.equal(finished.status, "failed");
    assert.equal(finished.errorKind, "internal");
    assert.match(finished.stack, /^TypeError: Cannot read properties of undefined/);
    assert.match(finished.stack, /throws-type-error\.ts:\d+:\d+/);

    const runId = events.find((e) => e.type === "run-started").runId;
    try {
      const journal = JSON.parse(await Deno.readTextFile(journalPath(ROOT, runId)));
      assert.match(journal.failures[0].stack, /throws-type-error\.ts:\d+:\d+/);
    } finally {
      await Deno.remove(journalDir(ROOT, runId), { recursive: true });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
