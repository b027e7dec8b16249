import assert from "node:assert/strict";
import {
  DeletePlacementGroupCommand,
  DescribeInstancesCommand,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import cleanup from "../../steps/cleanup.ts";
import { StepError } from "../../runner/errors.ts";
import type { RunSettings, Target, Verdict } from "../../runner/types.ts";
import { CLEANUP_JOURNAL_KEY, type CleanupOutcome } from "../../plugins/report/cleanup-outcome.ts";
import {
  type Prompter,
  PROMPTER_SERVICE_KEY,
  PromptInterrupted,
} from "../../plugins/aws/shared/prompts.ts";
import { makeTarget, makeTestContext, type TestContext } from "../helpers/context.ts";
import { awsError, type FakeAws, installFakeAws } from "../aws/helpers/fake-aws.ts";
import { cleanupSection } from "../../plugins/report/build.ts";

const IDS = {
  good: "i-00000000000000001",
  bad: "i-00000000000000002",
  none: "i-00000000000000003",
};

/** A run with three launched instances: functional, misconfigured, no verdict; plus a placement group. */
async function runContext(
  fake: FakeAws,
  options: {
    settings?: Partial<RunSettings>;
    prompter?: Prompter;
    interrupted?: boolean;
    group?: boolean;
  } = {},
): Promise<TestContext> {
  const verdicts: [string, Verdict | undefined][] = [
    [IDS.good, "functional"],
    [IDS.bad, "misconfigured"],
    [IDS.none, undefined],
  ];
  const targets: Target[] = verdicts.map(([id, verdict], i) =>
    makeTarget({
      id: `c7i.large-${i + 1}`,
      label: `c7i.large ${i + 1} of 3`,
      instanceId: id,
      instanceType: "c7i.large",
      region: "us-east-1",
      launchedByRun: true,
      placementGroup: options.group ? "ptp-runner-test-run" : undefined,
      ...(verdict ? { verdict } : {}),
    })
  );
  const ctx = makeTestContext({
    step: { id: "cleanup", type: "cleanup" },
    targets,
    settings: { region: "us-east-1", ...options.settings },
    services: options.prompter ? { [PROMPTER_SERVICE_KEY]: options.prompter } : {},
  });
  if (options.interrupted) Object.assign(ctx, { interrupted: true });
  for (const t of targets) {
    fake.instances.set(t.instanceId!, { type: "c7i.large", state: "running", input: {} as never });
    await ctx.journal.recordResource({
      kind: "ec2-instance",
      id: t.instanceId!,
      region: "us-east-1",
      state: "created",
      targetId: t.id,
      detail: { instanceType: "c7i.large" },
    });
  }
  if (options.group) {
    await ctx.journal.recordResource({
      kind: "placement-group",
      id: "ptp-runner-test-run",
      region: "us-east-1",
      state: "created",
    });
  }
  return ctx;
}

async function withFake<T>(fn: (fake: FakeAws) => Promise<T>): Promise<T> {
  const fake = installFakeAws({ keyFingerprint: "unused" });
  try {
    return await fn(fake);
  } finally {
    fake.restore();
  }
}

function terminateCalls(fake: FakeAws): string[][] {
  return fake.ec2.commandCalls(TerminateInstancesCommand).map((c) =>
    c.args[0].input.InstanceIds ?? []
  );
}

function states(ctx: TestContext): Record<string, string> {
  return Object.fromEntries(ctx.journal.resources().map((r) => [r.id, r.state]));
}

const input = cleanup.input.parse({});

Deno.test("cleanup with --keep functional keeps the functional instance and terminates the rest in one batch", async () => {
  await withFake(async (fake) => {
    const ctx = await runContext(fake, { settings: { keep: "functional" } });
    const outcome = await cleanup.run(ctx, input, new AbortController().signal);
    assert.deepEqual(terminateCalls(fake), [[IDS.bad, IDS.none]]);
    assert.deepEqual(outcome.kept.map((k) => k.instance_id), [IDS.good]);
    assert.deepEqual(outcome.terminated.map((t) => t.instance_id).sort(), [IDS.bad, IDS.none]);
    assert.deepEqual(states(ctx), {
      [IDS.good]: "kept",
      [IDS.bad]: "released",
      [IDS.none]: "released",
    });
    assert.equal(fake.instances.get(IDS.bad)!.state, "terminated");
    assert.equal(fake.instances.get(IDS.good)!.state, "running");
  });
});

Deno.test("cleanup without --keep and without a terminal terminates every instance", async () => {
  await withFake(async (fake) => {
    const ctx = await runContext(fake, { settings: { interactive: false, yes: false } });
    const outcome = await cleanup.run(ctx, input, new AbortController().signal);
    assert.equal(terminateCalls(fake).length, 1);
    assert.equal(outcome.terminated.length, 3);
    assert.equal(outcome.kept.length, 0);
  });
});

Deno.test("cleanup with --keep all keeps every instance and terminates nothing", async () => {
  await withFake(async (fake) => {
    const ctx = await runContext(fake, { settings: { keep: "all" } });
    const outcome = await cleanup.run(ctx, input, new AbortController().signal);
    assert.equal(terminateCalls(fake).length, 0);
    assert.equal(outcome.kept.length, 3);
    assert.ok(Object.values(states(ctx)).every((s) => s === "kept"));
  });
});

Deno.test("cleanup with --keep <ids> keeps exactly the listed instances", async () => {
  await withFake(async (fake) => {
    const ctx = await runContext(fake, { settings: { keep: `${IDS.bad}` } });
    const outcome = await cleanup.run(ctx, input, new AbortController().signal);
    assert.deepEqual(outcome.kept.map((k) => k.instance_id), [IDS.bad]);
    assert.deepEqual(terminateCalls(fake), [[IDS.good, IDS.none]]);
  });
});

Deno.test("interactive cleanup without --keep asks which functional instances to keep", async () => {
  await withFake(async (fake) => {
    const asked: { message: string; values: string[] }[] = [];
    const prompter: Prompter = {
      confirm: () => Promise.resolve(false),
      checkbox(message, choices) {
        asked.push({ message, values: choices.map((c) => c.value) });
        return Promise.resolve([IDS.good]);
      },
    };
    const ctx = await runContext(fake, {
      settings: { interactive: true, yes: false },
      prompter,
    });
    const outcome = await cleanup.run(ctx, input, new AbortController().signal);
    assert.equal(asked.length, 1);
    assert.deepEqual(asked[0].values, [IDS.good], "only functional instances are offered");
    assert.deepEqual(outcome.kept.map((k) => k.instance_id), [IDS.good]);
  });
});

Deno.test("after an interrupt cleanup does not ask and terminates everything not kept by --keep", async () => {
  await withFake(async (fake) => {
    let asked = 0;
    const prompter: Prompter = {
      confirm: () => Promise.resolve(true),
      checkbox: () => {
        asked++;
        return Promise.resolve([IDS.good]);
      },
    };
    const ctx = await runContext(fake, {
      settings: { interactive: true, yes: false },
      prompter,
      interrupted: true,
    });
    const outcome = await cleanup.run(ctx, input, new AbortController().signal);
    assert.equal(asked, 0);
    assert.equal(outcome.terminated.length, 3);
  });
});

Deno.test("Ctrl-C at the keep question keeps nothing and terminates every instance", async () => {
  await withFake(async (fake) => {
    const prompter: Prompter = {
      confirm: () => Promise.resolve(true),
      checkbox: () => Promise.reject(new PromptInterrupted()),
    };
    const ctx = await runContext(fake, { settings: { interactive: true, yes: false }, prompter });
    const outcome = await cleanup.run(ctx, input, new AbortController().signal);
    assert.deepEqual(outcome.kept, []);
    assert.equal(outcome.terminated.length, 3);
  });
});

Deno.test("cleanup deletes the placement group the run created after its instances are terminated", async () => {
  await withFake(async (fake) => {
    const ctx = await runContext(fake, { settings: { keep: "none" }, group: true });
    const outcome = await cleanup.run(ctx, input, new AbortController().signal);
    assert.deepEqual(outcome.placement_groups_deleted, ["ptp-runner-test-run"]);
    assert.equal(states(ctx)["ptp-runner-test-run"], "released");
    const order = fake.calls();
    assert.ok(
      order.lastIndexOf("DescribeInstances") < order.indexOf("DeletePlacementGroup"),
      "group deleted after the wait for terminated",
    );
  });
});

Deno.test("cleanup keeps the placement group a kept instance still uses", async () => {
  await withFake(async (fake) => {
    const ctx = await runContext(fake, { settings: { keep: "functional" }, group: true });
    const outcome = await cleanup.run(ctx, input, new AbortController().signal);
    assert.deepEqual(outcome.placement_groups_deleted, []);
    assert.equal(fake.ec2.commandCalls(DeletePlacementGroupCommand).length, 0);
    assert.equal(states(ctx)["ptp-runner-test-run"], "kept");
  });
});

Deno.test("cleanup waits with one DescribeInstances per round for all instances", async () => {
  await withFake(async (fake) => {
    const ctx = await runContext(fake, { settings: { keep: "none" } });
    await cleanup.run(ctx, input, new AbortController().signal);
    const polls = fake.ec2.commandCalls(DescribeInstancesCommand);
    assert.equal(polls.length, 1);
    assert.deepEqual(polls[0].args[0].input.InstanceIds, [IDS.good, IDS.bad, IDS.none]);
  });
});

Deno.test("an instance that cannot be terminated fails the step with a copy-paste command", async () => {
  await withFake(async (fake) => {
    fake.ec2.on(TerminateInstancesCommand).rejects(
      awsError("UnauthorizedOperation", "You are not authorized to perform this operation."),
    );
    const ctx = await runContext(fake, { settings: { keep: "none" }, group: true });
    await assert.rejects(
      cleanup.run(ctx, input, new AbortController().signal),
      (error: unknown) => {
        assert.ok(error instanceof StepError);
        assert.match(
          error.message,
          /aws ec2 terminate-instances --region us-east-1 --instance-ids i-00000000000000001/,
        );
        assert.match(error.message, /aws ec2 delete-placement-group --region us-east-1/);
        return true;
      },
    );
    const stored = ctx.journalValues.get(CLEANUP_JOURNAL_KEY) as {
      failed: { instanceId: string; error: string }[];
    };
    assert.equal(stored.failed.length, 3);
    assert.match(stored.failed[0].error, /ec2:TerminateInstances/);
    assert.equal(states(ctx)[IDS.good], "release-failed");
  });
});

Deno.test("cleanup stores its outcome in the journal under the cleanup key", async () => {
  await withFake(async (fake) => {
    const ctx = await runContext(fake, { settings: { keep: "functional" } });
    const outcome = await cleanup.run(ctx, input, new AbortController().signal);
    const stored = ctx.journalValues.get(CLEANUP_JOURNAL_KEY) as CleanupOutcome;
    assert.deepEqual(cleanupSection(stored), outcome);
    assert.equal(outcome.kept[0].label, "c7i.large 1 of 3");
    assert.equal(outcome.kept[0].target_id, "c7i.large-1");
  });
});

Deno.test("an instance EC2 no longer knows counts as terminated", async () => {
  await withFake(async (fake) => {
    const ctx = await runContext(fake, { settings: { keep: "none" } });
    fake.instances.delete(IDS.none);
    const outcome = await cleanup.run(ctx, input, new AbortController().signal);
    assert.equal(outcome.failed.length, 0);
    assert.deepEqual(outcome.terminated.map((t) => t.instance_id).sort(), [
      IDS.good,
      IDS.bad,
      IDS.none,
    ]);
  });
});

Deno.test("cleanup with nothing launched makes no AWS call", async () => {
  await withFake(async (fake) => {
    const ctx = makeTestContext({ step: { id: "cleanup", type: "cleanup" } });
    const outcome = await cleanup.run(ctx, input, new AbortController().signal);
    assert.equal(fake.ec2.calls().length, 0);
    assert.deepEqual(outcome.terminated, []);
  });
});

Deno.test("an instance of the run EC2 already shows terminated or shutting-down counts as terminated", async () => {
  await withFake(async (fake) => {
    const ctx = await runContext(fake, { settings: { keep: "none" } });
    fake.instances.get(IDS.good)!.state = "terminated";
    fake.instances.get(IDS.bad)!.state = "shutting-down";
    const outcome = await cleanup.run(ctx, input, new AbortController().signal);
    assert.deepEqual(outcome.failed, []);
    assert.deepEqual(outcome.terminated.map((t) => t.instance_id).sort(), [
      IDS.good,
      IDS.bad,
      IDS.none,
    ]);
    assert.ok(
      Object.values(states(ctx)).every((s) => s === "released"),
      JSON.stringify(states(ctx)),
    );
  });
});
