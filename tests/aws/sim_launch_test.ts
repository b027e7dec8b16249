import assert from "node:assert/strict";
import launch, { LaunchInputSchema } from "../../steps/launch.ts";
import cleanup from "../../steps/cleanup.ts";
import { StepError } from "../../runner/errors.ts";
import { setupSim, type SimSetup } from "./helpers/sim-setup.ts";
import { SIM_IMAGES } from "../../sim/state/seed.ts";
import type {} from "../../plugins/aws/shared/facts.ts";

function inputFor(setup: SimSetup, extra: Record<string, unknown> = {}) {
  return LaunchInputSchema.parse({
    ...setup.sim.defaultInputs,
    instance_types: ["c7i.large"],
    ...extra,
  });
}

async function withSim(fn: (setup: SimSetup) => Promise<void>) {
  const setup = await setupSim();
  try {
    await fn(setup);
  } finally {
    await setup.stop();
  }
}

function count(setup: SimSetup, action: string): number {
  return setup.sim.requests().filter((r) => r.action === action).length;
}

Deno.test("simulator: launch then cleanup leaves nothing running", async () => {
  await withSim(async (setup) => {
    const ctx = setup.context({ id: "launch", type: "launch" });
    const out = await launch.run(
      ctx,
      inputFor(setup, { instance_types: ["c7i.large:2", "c7g.large"] }),
      new AbortController().signal,
    );
    assert.equal(out.instances.length, 3);
    for (const t of ctx.targets) {
      assert.match(t.address ?? "", /^127\./);
      assert.equal(t.status, "pending");
    }
    const running = setup.sim.instances().filter((i) => i.state === "running");
    assert.equal(running.length, 3);
    assert.equal(running[0].tags["ptp-runner:tool"], "ptp-runner");
    const run = setup.sim.requests().filter((r) => r.action === "RunInstances");
    assert.equal(run[0].params["MetadataOptions.HttpTokens"], "required");

    const cctx = setup.context({ id: "cleanup", type: "cleanup" }, { keep: "none" }, {
      targets: [...ctx.targets],
    });
    for (const r of ctx.journal.resources()) await cctx.journal.recordResource(r);
    const outcome = await cleanup.run(cctx, cleanup.input.parse({}), new AbortController().signal);
    assert.equal(outcome.terminated.length, 3);
    assert.equal(setup.sim.instances().filter((i) => i.state !== "terminated").length, 0);
    assert.equal(count(setup, "TerminateInstances"), 1);
  });
});

Deno.test("simulator: DescribeInstances polls do not grow with the number of instances", async () => {
  const polls = async (n: number) => {
    let result = 0;
    await withSim(async (setup) => {
      const ctx = setup.context({ id: "launch", type: "launch" });
      await launch.run(
        ctx,
        inputFor(setup, { instance_types: [`c7i.large:${n}`] }),
        new AbortController().signal,
      );
      result = count(setup, "DescribeInstances");
    });
    return result;
  };
  const one = await polls(1);
  const six = await polls(6);
  // One instance may be running at the first poll when the machine is slow; polling one
  // DescribeInstances per instance would take at least one per instance for six.
  assert.ok(one >= 1, `expected DescribeInstances polls, got ${one}`);
  assert.ok(six <= one + 1, `6 instances took ${six} polls, 1 took ${one}`);
});

Deno.test("simulator: a capacity error on one type fails its targets while the other type launches", async () => {
  await withSim(async (setup) => {
    setup.sim.faults.capacity.add("m7i.large");
    const ctx = setup.context({ id: "launch", type: "launch" });
    const out = await launch.run(
      ctx,
      inputFor(setup, { instance_types: ["c7i.large", "m7i.large:2"] }),
      new AbortController().signal,
    );
    assert.deepEqual(out.instances.map((i) => i.instance_type), ["c7i.large"]);
    assert.equal(out.failed[0].instance_type, "m7i.large");
    assert.match(out.failed[0].error, /InsufficientInstanceCapacity/);
    const failed = ctx.targets.filter((t) => t.instanceType === "m7i.large");
    assert.deepEqual(failed.map((t) => [t.status, t.verdict, t.failure?.kind]), [
      ["failed", "error", "capacity"],
      ["failed", "error", "capacity"],
    ]);
    assert.equal(setup.sim.instances().filter((i) => i.state === "running").length, 1);
  });
});

Deno.test("simulator: throttled requests are retried and the launch completes", async () => {
  await withSim(async (setup) => {
    const ctx = setup.context({ id: "launch", type: "launch" });
    setup.sim.faults.throttleNext = 3;
    const out = await launch.run(ctx, inputFor(setup), new AbortController().signal);
    assert.equal(out.instances.length, 1);
    const throttled = setup.sim.requests().filter((r) => r.errorCode === "RequestLimitExceeded");
    assert.equal(throttled.length, 3);
    assert.equal(setup.sim.instances().length, 1, "retries launched no second instance");
  });
});

Deno.test("simulator: a dry run sends only DryRun requests and launches nothing", async () => {
  await withSim(async (setup) => {
    const ctx = setup.context({ id: "launch", type: "launch" }, { dryRun: true });
    const out = await launch.run(
      ctx,
      inputFor(setup, {
        instance_types: ["c7i.large", "c7g.large"],
        placement_group: undefined,
        create_placement_group: true,
      }),
      new AbortController().signal,
    );
    assert.equal(out.dry_run, true);
    assert.equal(setup.sim.instances().length, 0);
    assert.equal(ctx.targets.length, 0);
    const mutating = setup.sim.requests().filter((r) =>
      /^(RunInstances|CreatePlacementGroup|TerminateInstances|CreateTags)$/.test(r.action)
    );
    assert.equal(mutating.length, 3);
    assert.ok(
      mutating.every((r) => r.params.DryRun === "true" && r.errorCode === "DryRunOperation"),
    );
  });
});

Deno.test("simulator: a dry run names the missing RunInstances permission", async () => {
  await withSim(async (setup) => {
    setup.sim.faults.denyDryRun.add("RunInstances");
    const ctx = setup.context({ id: "launch", type: "launch" }, { dryRun: true });
    await assert.rejects(
      launch.run(ctx, inputFor(setup), new AbortController().signal),
      (e: unknown) => {
        assert.ok(e instanceof StepError);
        assert.equal(e.kind, "auth");
        assert.match(
          e.message,
          /missing permission for RunInstances c7i\.large x1 \(UnauthorizedOperation/,
        );
        return true;
      },
    );
  });
});

Deno.test("simulator: expired credentials stop the launch with one message saying how to fix them", async () => {
  await withSim(async (setup) => {
    setup.sim.faults.expiredCredentials = true;
    const ctx = setup.context({ id: "launch", type: "launch" });
    await assert.rejects(
      launch.run(ctx, inputFor(setup), new AbortController().signal),
      (e: unknown) => {
        assert.ok(e instanceof StepError);
        assert.equal(e.kind, "auth");
        assert.match(e.message, /environment variables AWS_ACCESS_KEY_ID.*(expired|rejected)/);
        return true;
      },
    );
    assert.equal(count(setup, "RunInstances"), 0);
  });
});

Deno.test("simulator: an abort while waiting for running terminates what was launched", async () => {
  const setup = await setupSim(200);
  try {
    const ctx = setup.context({ id: "launch", type: "launch" });
    const controller = new AbortController();
    const launching = launch.run(
      ctx,
      inputFor(setup, { instance_types: ["c7i.large:2"] }),
      controller.signal,
    );
    while (count(setup, "DescribeInstances") === 0) {
      await new Promise((r) => setTimeout(r, 2));
    }
    controller.abort(new DOMException("interrupted", "AbortError"));
    await assert.rejects(
      launching,
      (e: unknown) => e instanceof DOMException && e.name === "AbortError",
    );
    const states = setup.sim.instances().map((i) => i.state);
    assert.equal(states.length, 2);
    assert.ok(states.every((s) => s === "shutting-down" || s === "terminated"), states.join());
    assert.equal(ctx.journal.resources().length, 2, "both still journaled for cleanup to confirm");
  } finally {
    await setup.stop();
  }
});

Deno.test("simulator: cleanup keeps the functional instance with --keep functional", async () => {
  await withSim(async (setup) => {
    const ctx = setup.context({ id: "launch", type: "launch" });
    await launch.run(
      ctx,
      inputFor(setup, { instance_types: ["c7i.large:2"] }),
      new AbortController().signal,
    );
    ctx.targets[0].verdict = "functional";
    ctx.targets[1].verdict = "misconfigured";
    const cctx = setup.context({ id: "cleanup", type: "cleanup" }, { keep: "functional" }, {
      targets: [...ctx.targets],
    });
    for (const r of ctx.journal.resources()) await cctx.journal.recordResource(r);
    const outcome = await cleanup.run(cctx, cleanup.input.parse({}), new AbortController().signal);
    assert.deepEqual(outcome.kept.map((k) => k.instance_id), [ctx.targets[0].instanceId]);
    const state = Object.fromEntries(setup.sim.instances().map((i) => [i.instanceId, i.state]));
    assert.equal(state[ctx.targets[0].instanceId!], "running");
    assert.equal(state[ctx.targets[1].instanceId!], "terminated");
  });
});

Deno.test("simulator: missing credentials stop the launch with one message saying how to provide them", async () => {
  await withSim(async (setup) => {
    const saved = Object.fromEntries(
      [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_CONFIG_FILE",
      ]
        .map((k) => [k, Deno.env.get(k)]),
    );
    Deno.env.delete("AWS_ACCESS_KEY_ID");
    Deno.env.delete("AWS_SECRET_ACCESS_KEY");
    Deno.env.set("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials");
    Deno.env.set("AWS_CONFIG_FILE", "/nonexistent/config");
    try {
      const ctx = setup.context({ id: "launch", type: "launch" });
      await assert.rejects(
        launch.run(ctx, inputFor(setup), new AbortController().signal),
        (e: unknown) => {
          assert.ok(e instanceof StepError);
          assert.equal(e.kind, "auth");
          assert.match(e.message, /no credentials were found: set AWS_PROFILE or pass --profile/);
          return true;
        },
      );
      assert.equal(setup.sim.requests().length, 0, "nothing reached the endpoint");
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) Deno.env.delete(k);
        else Deno.env.set(k, v);
      }
    }
  });
});

Deno.test("simulator: an unknown instance type is named with suggestions from the paginated catalogue", async () => {
  await withSim(async (setup) => {
    const ctx = setup.context({ id: "launch", type: "launch" });
    await assert.rejects(
      launch.run(
        ctx,
        inputFor(setup, { instance_types: ["c7i.large", "m7i.xlarg"] }),
        new AbortController().signal,
      ),
      (e: unknown) => {
        assert.ok(e instanceof StepError);
        assert.equal(e.kind, "config");
        assert.match(
          e.message,
          /unknown instance type in us-east-1: m7i\.xlarg \(did you mean m7i\.xlarge/,
        );
        assert.doesNotMatch(e.message, /c7i\.large \(/);
        return true;
      },
    );
    assert.equal(count(setup, "RunInstances"), 0);
  });
});

Deno.test("simulator: launch records the login user of the image: ubuntu for ami_id Ubuntu, ec2-user for AL2023", async () => {
  const ubuntuAmi =
    SIM_IMAGES.find((i) => i.distribution === "ubuntu-24.04" && i.architecture === "x86_64")!
      .imageId;
  await withSim(async (setup) => {
    const ctx = setup.context({ id: "launch", type: "launch" });
    const out = await launch.run(
      ctx,
      inputFor(setup, { ami_id: ubuntuAmi }),
      new AbortController().signal,
    );
    assert.equal(out.plan[0].login_user, "ubuntu");
    assert.deepEqual(ctx.targets[0].facts.loginUser, {
      user: "ubuntu",
      family: "Ubuntu",
      known: true,
    });
    const al2023 = setup.context({ id: "launch2", type: "launch" });
    const plain = await launch.run(al2023, inputFor(setup), new AbortController().signal);
    assert.equal(plain.plan[0].login_user, "ec2-user");
  });
});
