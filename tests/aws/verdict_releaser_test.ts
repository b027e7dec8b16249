/**
 * Unit tests of the release at the verdict (plugins/aws/release/release-at-verdict.ts)
 * against a mocked EC2 client: leases closing at different moments are all
 * terminated and confirmed once, through one confirmation loop at a time.
 */
import assert from "node:assert/strict";
import {
  DescribeInstancesCommand,
  EC2Client,
  type InstanceStateName,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import {
  armReleaseAtVerdict,
  verdictReleaser,
} from "../../plugins/aws/release/release-at-verdict.ts";
import { makeTarget, makeTestContext } from "../helpers/context.ts";
import { setAwsTestEnv } from "./helpers/fake-aws.ts";

/** A fake EC2 where a terminated instance is `shutting-down` on the first look, then `terminated`. */
function fakeEc2() {
  const mock = mockClient(EC2Client);
  const looks = new Map<string, number>();
  const terminated: string[][] = [];
  mock.on(TerminateInstancesCommand).callsFake((input) => {
    terminated.push([...input.InstanceIds]);
    return {};
  });
  mock.on(DescribeInstancesCommand).callsFake((input) => ({
    Reservations: [{
      Instances: (input.InstanceIds as string[]).map((id) => {
        const n = (looks.get(id) ?? 0) + 1;
        looks.set(id, n);
        const state: InstanceStateName = n === 1 ? "shutting-down" : "terminated";
        return { InstanceId: id, State: { Name: state } };
      }),
    }],
  }));
  return { mock, terminated };
}

function fleet(n: number, verdict: "functional" | "unsupported" = "functional") {
  return Array.from({ length: n }, (_, i) =>
    makeTarget({
      id: `c7i.large-${i + 1}`,
      label: `c7i.large ${i + 1} of ${n}`,
      instanceId: `i-0${String(i + 1).padStart(16, "0")}`,
      instanceType: "c7i.large",
      region: "us-east-1",
      launchedByRun: true,
      status: "done",
      verdict,
    }));
}

async function armed(keep: string | undefined, n: number, verdict?: "functional" | "unsupported") {
  const targets = fleet(n, verdict);
  const ctx = makeTestContext({
    step: { id: "launch", type: "launch" },
    targets,
    settings: { region: "us-east-1", keep },
  });
  for (const t of targets) {
    await ctx.journal.recordResource({
      kind: "ec2-instance",
      id: t.instanceId!,
      region: "us-east-1",
      state: "created",
      targetId: t.id,
    });
  }
  await armReleaseAtVerdict(ctx);
  /** What the executor does when a target finishes: close its services. */
  const finish = (i: number) =>
    (ctx.serviceMap.get(`release-at-verdict:${targets[i].id}`) as { close(): Promise<void> })
      .close();
  return { ctx, targets, finish };
}

Deno.test("leases closing at different moments are each terminated and confirmed once", async () => {
  setAwsTestEnv();
  const { mock, terminated } = fakeEc2();
  try {
    const { ctx, targets, finish } = await armed("none", 6);
    const closing: Promise<void>[] = [finish(0)];
    await new Promise((r) => setTimeout(r, 0));
    closing.push(finish(1), finish(2));
    for (const i of [3, 4, 5]) {
      await new Promise((r) => setTimeout(r, 0));
      closing.push(finish(i));
    }
    const outcome = await verdictReleaser(ctx)!.settle();
    await Promise.all(closing);
    const ids = targets.map((t) => t.instanceId!).sort();
    assert.deepEqual(outcome.terminated.map((t) => t.instanceId).sort(), ids);
    assert.deepEqual(outcome.failed, []);
    assert.deepEqual(terminated.flat().sort(), ids, "one TerminateInstances per id");
    assert.ok(terminated.length < 6, `batched: ${JSON.stringify(terminated)}`);
    assert.deepEqual(ctx.journal.resources().map((r) => r.state), Array(6).fill("released"));
    for (const t of outcome.terminated) assert.equal(typeof t.billedSeconds, "number");
  } finally {
    mock.restore();
  }
});

Deno.test("--keep functional: functional targets are not released at their verdict", async () => {
  setAwsTestEnv();
  const { mock, terminated } = fakeEc2();
  try {
    const { ctx, finish } = await armed("functional", 2);
    await Promise.all([finish(0), finish(1)]);
    const outcome = await verdictReleaser(ctx)!.settle();
    assert.deepEqual(terminated, []);
    assert.deepEqual(outcome.terminated, []);
    assert.deepEqual(ctx.journal.resources().map((r) => r.state), ["created", "created"]);
  } finally {
    mock.restore();
  }
});

Deno.test("--keep functional: unsupported targets are released at their verdict", async () => {
  setAwsTestEnv();
  const { mock, terminated } = fakeEc2();
  try {
    const { ctx, finish } = await armed("functional", 2, "unsupported");
    await Promise.all([finish(0), finish(1)]);
    await verdictReleaser(ctx)!.settle();
    assert.equal(terminated.flat().length, 2);
  } finally {
    mock.restore();
  }
});

Deno.test("a dry run arms nothing", async () => {
  const ctx = makeTestContext({ targets: fleet(1), settings: { dryRun: true } });
  await armReleaseAtVerdict(ctx);
  assert.equal(verdictReleaser(ctx), undefined);
  assert.deepEqual([...ctx.serviceMap.keys()], []);
});
