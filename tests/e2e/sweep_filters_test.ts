/**
 * End to end: `sweep` touches only the current identity's instances unless
 * `--owner any`, keeps younger ones with `--older-than`, and prints one JSON
 * document with `--output json` (issue 13, points 5 and 9).
 */
import assert from "node:assert/strict";
import {
  activeInstances,
  makeWorkDir,
  ptpRunArgs,
  runCli,
  startE2eSimulator,
  waitAllTerminated,
} from "./helpers.ts";

Deno.test("sweep filters by owner and age and reports as JSON", async (t) => {
  const sim = await startE2eSimulator();
  const cwd = await makeWorkDir();
  const sweep = async (...args: string[]) => {
    const result = await runCli(["sweep", "--output", "json", ...args], { cwd, env: sim.env });
    return { code: result.code, doc: JSON.parse(result.stdout), stderr: result.stderr };
  };
  try {
    const run = await runCli(
      ptpRunArgs(sim, "c7i.large", [
        "--keep",
        "all",
      ]),
      { cwd, env: sim.env },
    );
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const [kept] = activeInstances(sim);

    await t.step("another owner's filter leaves the instance alone", async () => {
      const other = await sweep("--owner", "arn:aws:iam::123456789012:user/someone-else", "--yes");
      assert.equal(other.code, 0, other.stderr);
      assert.deepEqual(other.doc.instances, []);
      assert.equal(other.doc.left_alone, 1);
      assert.deepEqual(other.doc.terminated, []);
      assert.equal(activeInstances(sim).length, 1);
    });

    await t.step("--older-than 1h leaves the young instance alone", async () => {
      const young = await sweep("--older-than", "1h", "--yes");
      assert.deepEqual(young.doc.instances, []);
      assert.equal(young.doc.older_than_seconds, 3600);
      assert.equal(activeInstances(sim).length, 1);
    });

    await t.step(
      "by default the current identity's instance is listed, then terminated",
      async () => {
        const listed = await sweep();
        assert.equal(listed.code, 0, listed.stderr);
        assert.deepEqual(
          listed.doc.instances.map((i: { instance_id: string }) => i.instance_id),
          [kept.instanceId],
        );
        assert.match(listed.doc.owner, /^arn:aws:iam::\d+:/);
        const swept = await sweep("--yes");
        assert.equal(swept.code, 0, swept.stderr);
        assert.deepEqual(swept.doc.terminated, [kept.instanceId]);
        await waitAllTerminated(sim);
      },
    );

    await t.step("a bad --older-than is a usage error (exit 2)", async () => {
      const bad = await runCli(["sweep", "--older-than", "soon"], { cwd, env: sim.env });
      assert.equal(bad.code, 2, bad.stderr);
    });
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});
