/** cli/runs-action.ts: a run whose journal is not valid JSON is listed as unreadable, never dropped. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runsCommand } from "../../cli/runs-action.ts";

Deno.test("runs lists a corrupt journal as unreadable with the cleanup and sweep hints", async () => {
  const workDir = await Deno.makeTempDir({ prefix: "ptp-runs-" });
  try {
    const runId = "20261207-010203-ab12";
    const dir = join(workDir, ".ptp-runner", "runs", runId);
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(join(dir, "journal.json"), '{"version": 1, "runId": ');
    let text = "";
    assert.equal(await runsCommand({ workDir }, (t) => text += t), 0);
    assert.match(text, new RegExp(`${runId} +\\? +- +unreadable`), text);
    assert.match(text, /not valid JSON/);
    assert.match(text, new RegExp(`ptp-runner cleanup --run ${runId}`));
    assert.match(text, new RegExp(`ptp-runner sweep --run ${runId}`));
    let json = "";
    await runsCommand({ workDir, output: "json" }, (t) => json += t);
    const [listing] = JSON.parse(json);
    assert.equal(listing.run_id, runId);
    assert.equal(listing.status, "unreadable");
  } finally {
    await Deno.remove(workDir, { recursive: true });
  }
});
