/**
 * End to end: release at the verdict (issue 14). An instance whose target
 * reaches its verdict first is terminated before the slowest target (m7a.large,
 * which builds the ENA driver) finishes; a Ctrl-C after such an early release
 * still leaves nothing running. (`--keep functional` keeping functional
 * instances past their verdict is checked in keep_functional_test.ts.)
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { RecordedRequest } from "../../sim/types.ts";
import {
  activeInstances,
  type JsonEvent,
  makeWorkDir,
  ptpRunArgs,
  readEvents,
  readReport,
  requestsOf,
  runCli,
  runIdFrom,
  spawnCli,
  startE2eSimulator,
  waitAllTerminated,
  waitForEvent,
} from "./helpers.ts";

/** Instance ids a TerminateInstances request names (`InstanceId.N`). */
export function terminatedIdsOf(request: RecordedRequest): string[] {
  return Object.entries(request.params).filter(([key]) => key.startsWith("InstanceId."))
    .map(([, value]) => String(value));
}

/** Instance id of each target, from the `resource` events. */
function instanceOfTarget(events: JsonEvent[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of events) {
    const r = e.resource as { kind?: string; id?: string; targetId?: string } | undefined;
    if (e.type === "resource" && r?.kind === "ec2-instance" && r.targetId && r.id) {
      out.set(r.targetId, r.id);
    }
  }
  return out;
}

Deno.test("a target reaching its verdict first is terminated before the slowest target finishes", async () => {
  const sim = await startE2eSimulator();
  const cwd = await makeWorkDir();
  try {
    const log = join(cwd, "events.jsonl");
    const run = await runCli(
      ptpRunArgs(sim, "c7i.large,m7a.large", [
        "--log-json",
        log,
      ]),
      { cwd, env: sim.env },
    );
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const events = await readEvents(log);
    const ids = instanceOfTarget(events);
    const fast = ids.get("c7i.large-1")!;
    const slow = ids.get("m7a.large-1")!;
    assert.ok(fast && slow, JSON.stringify([...ids]));

    // The simulator's request log: c7i's TerminateInstances comes first and alone.
    const terminates = requestsOf(sim, "TerminateInstances");
    const first = terminates.findIndex((r) => terminatedIdsOf(r).includes(fast));
    const last = terminates.findIndex((r) => terminatedIdsOf(r).includes(slow));
    assert.ok(first >= 0 && last > first, JSON.stringify(terminates.map(terminatedIdsOf)));
    assert.deepEqual(terminatedIdsOf(terminates[first]), [fast]);

    // ... and it was sent before m7a.large's verdict was final.
    const slowFinished = events.find((e) =>
      e.type === "target-finished" && e.targetId === "m7a.large-1"
    )!;
    const fastTerminate = events.find((e) =>
      e.type === "aws-call" && e.operation === "TerminateInstances"
    )!;
    assert.equal(fastTerminate.stepId, "release-at-verdict");
    assert.ok(
      Date.parse(String(fastTerminate.time)) < Date.parse(String(slowFinished.time)),
      `terminate at ${fastTerminate.time}, slowest verdict at ${slowFinished.time}`,
    );

    // The report lists both as terminated, with billed time and the total.
    const report = await readReport(cwd, runIdFrom(run.stdout));
    const cleanup = report.cleanup as unknown as {
      terminated: { instance_id: string; billed_seconds?: number }[];
      billed_seconds_total?: number;
    };
    assert.deepEqual(cleanup.terminated.map((t) => t.instance_id).sort(), [fast, slow].sort());
    for (const t of cleanup.terminated) {
      assert.equal(typeof t.billed_seconds, "number", JSON.stringify(t));
    }
    const byId = new Map(cleanup.terminated.map((t) => [t.instance_id, t.billed_seconds!]));
    assert.ok(byId.get(fast)! < byId.get(slow)!, JSON.stringify([...byId]));
    assert.equal(
      cleanup.billed_seconds_total,
      Math.round((byId.get(fast)! + byId.get(slow)!) * 10) / 10,
    );
    assert.match(run.stdout, /billed instance time: [\d.]+ s in total/);
    await waitAllTerminated(sim);

    // The simulator's timeline of each instance (what the bench reads) is in order.
    for (const i of sim.instances()) {
      const { runningAt, sshReadyAt, firstSessionAt, terminatedAt } = i;
      assert.ok(
        sshReadyAt !== undefined && firstSessionAt !== undefined && terminatedAt !== undefined,
        JSON.stringify(i),
      );
      assert.ok(runningAt <= sshReadyAt, `${runningAt} <= ${sshReadyAt}`);
      assert.ok(sshReadyAt <= firstSessionAt, `${sshReadyAt} <= ${firstSessionAt}`);
      assert.ok(firstSessionAt < terminatedAt, `${firstSessionAt} < ${terminatedAt}`);
    }
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("Ctrl-C after an early release still leaves nothing running", async () => {
  const sim = await startE2eSimulator();
  const cwd = await makeWorkDir();
  try {
    const log = join(cwd, "events.jsonl");
    const cli = spawnCli(
      ptpRunArgs(sim, "c7i.large,m7a.large", [
        "--log-json",
        log,
      ]),
      { cwd, env: sim.env },
    );
    try {
      await waitForEvent(log, "an instance released at its verdict", (e) => {
        const r = e.resource as { state?: string } | undefined;
        return e.type === "resource" && r?.state === "released";
      });
    } catch (error) {
      cli.child.kill("SIGKILL");
      const left = await cli.finished();
      throw new Error(`${(error as Error).message}\n${left.stdout}${left.stderr}`);
    }
    cli.child.kill("SIGINT");
    const result = await cli.finished();
    assert.equal(result.code, 130, result.stdout + result.stderr);
    const events = await readEvents(log);
    assert.ok(
      events.some((e) => e.type === "step-finished" && e.stepId === "cleanup" && e.status === "ok"),
      "cleanup ran",
    );
    assert.equal(sim.instances().length, 2);
    assert.deepEqual(activeInstances(sim), [], "no instance left pending or running");
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});
