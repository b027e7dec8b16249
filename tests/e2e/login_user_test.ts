/**
 * End to end: the SSH login user follows the AMI, as on EC2. `ptp.yaml` with
 * `--set ami_id=<the simulator's Ubuntu 24.04 AMI>` connects as `ubuntu`
 * without `--set user` (the simulated sshd lets only the image's default user
 * in); an explicit `--set user=ec2-user` wins over the image's user, is
 * refused by the host, and the failure names the user tried and the fix.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startSimulator } from "../../sim/mod.ts";
import { SIM_IMAGES } from "../../sim/state/seed.ts";
import {
  E2E_SPEED,
  makeWorkDir,
  ptpRunArgs,
  readEvents,
  readReport,
  runCli,
  runIdFrom,
  waitAllTerminated,
} from "./helpers.ts";

const UBUNTU_AMI =
  SIM_IMAGES.find((i) => i.distribution === "ubuntu-24.04" && i.architecture === "x86_64")!.imageId;

async function runUbuntu(extra: string[]) {
  const cwd = await makeWorkDir();
  const sim = await startSimulator({ speed: E2E_SPEED });
  try {
    const eventsFile = join(cwd, "events.jsonl");
    const run = await runCli(
      ptpRunArgs(sim, "c7i.large", [
        "--set",
        `ami_id=${UBUNTU_AMI}`,
        ...extra,
        "--log-json",
        eventsFile,
      ]),
      { cwd, env: sim.env },
    );
    const events = await readEvents(eventsFile);
    const report = await readReport(cwd, runIdFrom(run.stdout));
    await waitAllTerminated(sim);
    return { run, events, report };
  } finally {
    await sim.stop();
  }
}

function connectFinished(events: Awaited<ReturnType<typeof readEvents>>) {
  const finished = events.find((e) =>
    e.type === "step-finished" && e.stepType === "connect" && e.targetId === "c7i.large-1"
  );
  assert.ok(finished, "connect finished on c7i.large-1");
  return finished;
}

Deno.test("a launched Ubuntu AMI is reached as ubuntu with no --set user", async () => {
  const { run, events, report } = await runUbuntu([]);
  assert.equal(connectFinished(events).status, "ok", run.stdout + run.stderr);
  const target = (report.targets as unknown as {
    id: string;
    distribution: { id: string; version: string } | null;
  }[]).find((t) => t.id === "c7i.large-1");
  assert.deepEqual(
    [target?.distribution?.id, target?.distribution?.version],
    ["ubuntu", "24.04"],
  );
  assert.ok(
    events.some((e) => e.type === "command" && e.targetId === "c7i.large-1"),
    "host steps ran commands over the session",
  );
});

Deno.test("an explicit --set user wins over the image's user; refused, it names the user and the fix", async () => {
  const { run, events } = await runUbuntu(["--set", "user=ec2-user"]);
  assert.notEqual(run.code, 0);
  const finished = connectFinished(events);
  assert.equal(finished.status, "failed");
  assert.equal(finished.errorKind, "auth");
  const error = String(finished.error);
  assert.match(error, /User tried: ec2-user \(the connect step's user input\)/);
  assert.match(error, /--set user=NAME/);
  assert.match(run.stdout + run.stderr, /--set user=NAME/);
});
