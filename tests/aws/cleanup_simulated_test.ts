/**
 * `cleanup --run` of a `--simulate` run (journal `simulated`, see
 * cli/simulated-resources.ts): its instances ended with the run's in-process
 * simulator, so it says so and exits 0 without asking AWS for anything; `runs`
 * lists nothing to release for it.
 */
import assert from "node:assert/strict";
import { RunJournal } from "../../runner/journal.ts";
import { EXIT } from "../../runner/errors.ts";
import { cleanupRunCommand } from "../../plugins/aws/release/recover-run.ts";
import { RUN_ACCOUNT_JOURNAL_KEY } from "../../plugins/aws/shared/recorded-account.ts";
import { listRunListings } from "../../cli/runs-action.ts";

/** A --simulate run that recorded its account and one instance, still `created` (a forced exit). */
async function simulatedRun(workDir: string, runId: string): Promise<void> {
  const journal = await RunJournal.create(workDir, {
    runId,
    pipeline: { name: "ptp", file: "/p/ptp.yaml" },
    inputs: {},
    simulated: true,
  });
  await journal.put(RUN_ACCOUNT_JOURNAL_KEY, { account: "123456789012", region: "us-east-1" });
  await journal.recordResource({
    kind: "ec2-instance",
    id: "i-0000000000000000a",
    region: "us-east-1",
    state: "created",
    releaseCommand:
      "aws ec2 terminate-instances --region us-east-1 --instance-ids i-0000000000000000a",
  });
  journal.update({ status: "interrupted", exitCode: 130, finishedAt: new Date().toISOString() });
  await journal.save();
}

Deno.test("cleanup --run of a simulated run says it was simulated and exits 0 without AWS", async () => {
  const workDir = await Deno.makeTempDir({ prefix: "ptp-simulated-" });
  try {
    const runId = "20261207-000000-sim1";
    await simulatedRun(workDir, runId);
    const lines: string[] = [];
    const code = await cleanupRunCommand({
      runId,
      workDir,
      yes: true,
      // Nothing listens there: any AWS call would fail.
      endpoint: "http://127.0.0.1:9",
      print: (l) => lines.push(l),
    });
    assert.equal(code, EXIT.OK, lines.join("\n"));
    assert.match(lines.join("\n"), /was simulated \(--simulate\).*nothing to clean up/);
    const [listing] = await listRunListings(workDir);
    assert.equal(listing.run_id, runId);
    assert.deepEqual(listing.running_instances, []);
    assert.equal(listing.release_command, null);
  } finally {
    await Deno.remove(workDir, { recursive: true });
  }
});
