import assert from "node:assert/strict";
import {
  CreatePlacementGroupCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  RunInstancesCommand,
  type RunInstancesCommandInput,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import launch, { LaunchInputSchema } from "../../steps/launch.ts";
import { StepError } from "../../runner/errors.ts";
import type { RunSettings } from "../../runner/types.ts";
import { type Prompter, PROMPTER_SERVICE_KEY } from "../../plugins/aws/shared/prompts.ts";
import { RUN_ACCOUNT_JOURNAL_KEY } from "../../plugins/aws/shared/recorded-account.ts";
import { PASSPHRASE_ENV } from "../../plugins/ssh/private-key.ts";
import { makeTestContext, type TestContext } from "../helpers/context.ts";
import {
  AMI,
  awsError,
  type FakeAws,
  installFakeAws,
  makeKeyPair,
} from "../aws/helpers/fake-aws.ts";

const KEY = makeKeyPair();
const keyFile = Deno.makeTempFileSync({ suffix: ".pem" });
Deno.writeTextFileSync(keyFile, KEY.privateKey);

function baseInput(extra: Record<string, unknown> = {}) {
  return LaunchInputSchema.parse({
    instance_types: ["c7i.large"],
    subnet_id: "subnet-0123456789abcdef1",
    key_name: "k",
    private_key: keyFile,
    security_group_ids: ["sg-0123456789abcdef5"],
    placement_group: "ptp-group",
    wait_timeout: 60,
    ...extra,
  });
}

function context(settings: Partial<RunSettings> = {}, services: Record<string, unknown> = {}) {
  return makeTestContext({
    step: { id: "launch", type: "launch" },
    settings: { region: "us-east-1", ...settings },
    services,
  });
}

async function withFake<T>(
  fn: (fake: FakeAws) => Promise<T>,
  options: { fingerprint?: string } = {},
): Promise<T> {
  const fake = installFakeAws({ keyFingerprint: options.fingerprint ?? KEY.fingerprint });
  try {
    return await fn(fake);
  } finally {
    fake.restore();
  }
}

function runInputs(fake: FakeAws): RunInstancesCommandInput[] {
  return fake.ec2.commandCalls(RunInstancesCommand).map((c) => c.args[0].input);
}

function fakePrompter(answers: { confirm?: boolean; checkbox?: string[] }) {
  const asked: string[] = [];
  const prompter: Prompter = {
    confirm(message) {
      asked.push(message);
      return Promise.resolve(answers.confirm ?? false);
    },
    checkbox(message) {
      asked.push(message);
      return Promise.resolve(answers.checkbox ?? []);
    },
  };
  return { prompter, asked };
}

async function rejectsWith(promise: Promise<unknown>, kind: string, pattern: RegExp) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof StepError, `expected StepError, got ${error}`);
    assert.equal(error.kind, kind);
    assert.match(error.message, pattern);
    return true;
  });
}

Deno.test("launch sends RunInstances with IMDSv2, placement group, tags, security groups and the AMI of each type's architecture", async () => {
  await withFake(async (fake) => {
    const ctx = context();
    const out = await launch.run(
      ctx,
      baseInput({ instance_types: ["c7i.large:2", "c7g.large"] }),
      new AbortController().signal,
    );
    const inputs = runInputs(fake);
    assert.equal(inputs.length, 2);
    const x86 = inputs.find((i) => i.InstanceType === "c7i.large")!;
    const arm = inputs.find((i) => i.InstanceType === "c7g.large")!;
    assert.equal(x86.ImageId, AMI.x86_64);
    assert.equal(arm.ImageId, AMI.arm64);
    assert.equal(x86.MinCount, 2);
    assert.equal(x86.MaxCount, 2);
    assert.deepEqual(x86.MetadataOptions, { HttpTokens: "required", HttpEndpoint: "enabled" });
    assert.deepEqual(x86.Placement, { GroupName: "ptp-group" });
    assert.deepEqual(x86.SecurityGroupIds, ["sg-0123456789abcdef5"]);
    assert.equal(x86.SubnetId, "subnet-0123456789abcdef1");
    assert.equal(x86.KeyName, "k");
    assert.equal(x86.ClientToken, "test-run-c7i.large");
    const kinds = x86.TagSpecifications!.map((t) => t.ResourceType);
    assert.deepEqual(kinds, ["instance", "volume"]);
    const tags = Object.fromEntries(x86.TagSpecifications![0].Tags!.map((t) => [t.Key, t.Value]));
    assert.equal(tags["ptp-runner:run-id"], "test-run");
    assert.equal(tags["ptp-runner:owner"], "arn:aws:iam::123456789012:user/tester");
    assert.equal(tags["ptp-runner:tool"], "ptp-runner");
    assert.equal(tags["ptp-runner:purpose"], "phc-test");
    const armTags = Object.fromEntries(
      arm.TagSpecifications![0].Tags!.map((t) => [t.Key, t.Value]),
    );
    assert.equal(armTags.Name, "ptp-runner-c7g.large-1");
    assert.equal(out.instances.length, 3);
    assert.deepEqual(ctx.targets.map((t) => t.id).sort(), [
      "c7g.large-1",
      "c7i.large-1",
      "c7i.large-2",
    ]);
    const t = ctx.targets.find((t) => t.id === "c7i.large-2")!;
    assert.equal(t.label, "c7i.large 2 of 2");
    assert.equal(t.expectedArchitecture, "x86_64");
    assert.equal(t.placementGroup, "ptp-group");
    assert.equal(t.launchedByRun, true);
    assert.match(t.address ?? "", /^203\.0\.113\./);
    assert.equal(ctx.targets.find((t) => t.id === "c7g.large-1")!.expectedArchitecture, "arm64");
  });
});

Deno.test("launch names each of several instances <prefix>-<type>-<n> with CreateTags", async () => {
  await withFake(async (fake) => {
    await launch.run(
      context(),
      baseInput({ instance_types: "c7i.large:2", name_prefix: "lab" }),
      new AbortController().signal,
    );
    const names = fake.ec2.calls()
      .map((c) => c.args[0].input as { Tags?: { Key?: string; Value?: string }[] })
      .flatMap((i) => i.Tags ?? [])
      .filter((t) => t.Key === "Name")
      .map((t) => t.Value)
      .sort();
    assert.deepEqual(names, ["lab-c7i.large-1", "lab-c7i.large-2"]);
  });
});

Deno.test("launch describes every requested instance type in one DescribeInstanceTypes call", async () => {
  await withFake(async (fake) => {
    await launch.run(
      context(),
      baseInput({ instance_types: ["c7i.large", "m7i.large", "c7g.large"] }),
      new AbortController().signal,
    );
    const calls = fake.ec2.commandCalls(DescribeInstanceTypesCommand);
    assert.equal(calls.length, 1);
    assert.deepEqual(calls[0].args[0].input.InstanceTypes, ["c7i.large", "m7i.large", "c7g.large"]);
  });
});

Deno.test("an unknown instance type is reported with the nearest valid names and nothing is launched", async () => {
  await withFake(async (fake) => {
    await rejectsWith(
      launch.run(
        context(),
        baseInput({ instance_types: ["c7i.larg", "m7i.large"] }),
        new AbortController().signal,
      ),
      "config",
      /unknown instance type in us-east-1: c7i\.larg \(did you mean c7i\.large/,
    );
    assert.equal(runInputs(fake).length, 0);
  });
});

Deno.test("a type whose PhcSupport is unsupported is skipped with a reason", async () => {
  await withFake(async (fake) => {
    const ctx = context();
    const out = await launch.run(
      ctx,
      baseInput({ instance_types: ["c7i.large", "t3.micro:2"] }),
      new AbortController().signal,
    );
    assert.deepEqual(runInputs(fake).map((i) => i.InstanceType), ["c7i.large"]);
    assert.equal(out.skipped.length, 1);
    assert.equal(out.skipped[0].instance_type, "t3.micro");
    const skipped = ctx.targets.filter((t) => t.instanceType === "t3.micro");
    assert.equal(skipped.length, 2);
    for (const t of skipped) {
      assert.equal(t.status, "skipped");
      assert.equal(t.verdict, "unsupported");
      assert.match(t.verdictReason ?? "", /PhcSupport unsupported/);
      assert.equal(t.instanceId, undefined);
    }
  });
});

Deno.test("allow_unsupported launches a type whose PhcSupport is unsupported", async () => {
  await withFake(async (fake) => {
    // Without a placement group: t3.micro does not list the precision-time strategy.
    const out = await launch.run(
      context(),
      baseInput({ instance_types: ["t3.micro"], allow_unsupported: true, placement_group: "" }),
      new AbortController().signal,
    );
    assert.deepEqual(runInputs(fake).map((i) => i.InstanceType), ["t3.micro"]);
    assert.equal(out.skipped.length, 0);
  });
});

Deno.test("a type without the precision-time strategy is not launched into a precision-time group", async () => {
  await withFake(async (fake) => {
    const ctx = context();
    const out = await launch.run(
      ctx,
      baseInput({ instance_types: ["c7i.large", "t3.micro"], allow_unsupported: true }),
      new AbortController().signal,
    );
    assert.deepEqual(runInputs(fake).map((i) => i.InstanceType), ["c7i.large"]);
    assert.equal(out.skipped[0].instance_type, "t3.micro");
    assert.match(out.skipped[0].reason, /does not list the precision-time placement strategy/);
    const t3 = ctx.targets.find((t) => t.instanceType === "t3.micro")!;
    assert.equal(t3.verdict, "unsupported");
    assert.equal(t3.instanceId, undefined);
  });
});

Deno.test("a type without PhcSupport in DescribeInstanceTypes is launched as unknown", async () => {
  await withFake(async (fake) => {
    const ctx = context();
    const out = await launch.run(
      ctx,
      baseInput({ instance_types: ["c8i.large"] }),
      new AbortController().signal,
    );
    assert.deepEqual(runInputs(fake).map((i) => i.InstanceType), ["c8i.large"]);
    assert.equal(out.plan[0].phc_support, "unknown");
    assert.ok(
      ctx.events.some((e) =>
        e.type === "log" && e.level === "warn" && /no PhcSupport/.test(e.message)
      ),
    );
  });
});

Deno.test("a private key of another key pair fails preflight naming both fingerprints in EC2's form and the algorithm", async () => {
  const other = makeKeyPair();
  const dots = (s: string) => s.replace(/[+/=]/g, ".");
  await withFake(async (fake) => {
    await rejectsWith(
      launch.run(context(), baseInput(), new AbortController().signal),
      "config",
      new RegExp(
        `does not belong to key pair "k": EC2 has fingerprint ${dots(other.fingerprint)}, ` +
          `the file gives ${dots(KEY.fingerprint)} \\(both SHA-256 of the public key, base64`,
      ),
    );
    assert.equal(runInputs(fake).length, 0);
  }, { fingerprint: other.fingerprint });
});

/** Writes `text` to a new key file with `mode`. */
function keyFileWith(text: string, mode = 0o600): string {
  const path = Deno.makeTempFileSync({ suffix: ".key" });
  Deno.writeTextFileSync(path, text);
  Deno.chmodSync(path, mode);
  return path;
}

/** Runs `fn` with PTP_RUNNER_KEY_PASSPHRASE set to `value` (or unset). */
async function withPassphrase<T>(value: string | undefined, fn: () => Promise<T>): Promise<T> {
  const before = Deno.env.get(PASSPHRASE_ENV);
  if (value === undefined) Deno.env.delete(PASSPHRASE_ENV);
  else Deno.env.set(PASSPHRASE_ENV, value);
  try {
    return await fn();
  } finally {
    if (before === undefined) Deno.env.delete(PASSPHRASE_ENV);
    else Deno.env.set(PASSPHRASE_ENV, before);
  }
}

const ENCRYPTED = makeKeyPair("correct horse");
const encryptedKeyFile = keyFileWith(ENCRYPTED.privateKey);

Deno.test("an encrypted private key without a passphrase (and no terminal) is refused by the input check, before any AWS call", async () => {
  await withPassphrase(undefined, () => {
    const parsed = LaunchInputSchema.safeParse({
      instance_types: ["c7i.large"],
      subnet_id: "subnet-0123456789abcdef1",
      key_name: "k",
      private_key: encryptedKeyFile,
    });
    assert.equal(parsed.success, false);
    assert.match(
      JSON.stringify(parsed.error?.issues),
      /is encrypted and no passphrase can be asked for: set PTP_RUNNER_KEY_PASSPHRASE/,
    );
    return Promise.resolve();
  });
});

Deno.test("an encrypted private key with a wrong passphrase fails preflight saying how to give it", async () => {
  await withFake(async (fake) => {
    await withPassphrase("wrong", async () => {
      await rejectsWith(
        launch.run(
          context(),
          baseInput({ private_key: encryptedKeyFile }),
          new AbortController().signal,
        ),
        "config",
        /cannot decrypt.*set PTP_RUNNER_KEY_PASSPHRASE to the key's passphrase/,
      );
    });
    assert.equal(runInputs(fake).length, 0);
  }, { fingerprint: ENCRYPTED.fingerprint });
});

Deno.test("an encrypted private key is decrypted with PTP_RUNNER_KEY_PASSPHRASE and its fingerprint checked", async () => {
  const other = makeKeyPair();
  await withPassphrase("correct horse", async () => {
    await withFake(async (fake) => {
      const out = await launch.run(
        context(),
        baseInput({ private_key: encryptedKeyFile }),
        new AbortController().signal,
      );
      assert.equal(out.instances.length, 1);
      assert.equal(runInputs(fake).length, 1);
    }, { fingerprint: ENCRYPTED.fingerprint });
    await withFake(async (fake) => {
      await rejectsWith(
        launch.run(
          context(),
          baseInput({ private_key: encryptedKeyFile }),
          new AbortController().signal,
        ),
        "config",
        /does not belong to key pair "k"/,
      );
      assert.equal(runInputs(fake).length, 0);
    }, { fingerprint: other.fingerprint });
  });
});

Deno.test("a group/other-readable private key is warned about in preflight (dry run, nothing launched)", async () => {
  await withFake(async (fake) => {
    const loose = keyFileWith(KEY.privateKey, 0o644);
    const ctx = context({ dryRun: true });
    await launch.run(ctx, baseInput({ private_key: loose }), new AbortController().signal);
    const warnings = ctx.events.filter((e) => e.type === "log" && e.level === "warn")
      .map((e) => e.type === "log" ? e.message : "");
    assert.ok(
      warnings.some((w) => w.includes(loose) && /mode 0644/.test(w) && /chmod 600/.test(w)),
      warnings.join("\n"),
    );
    assert.equal(fake.instances.size, 0);
  });
});

Deno.test("launch records the AWS account and region in the journal before creating anything", async () => {
  await withFake(async (fake) => {
    const ctx = context();
    let recordedAtLaunch: unknown;
    fake.ec2.on(RunInstancesCommand).callsFake(() => {
      recordedAtLaunch = ctx.journalValues.get(RUN_ACCOUNT_JOURNAL_KEY);
      throw awsError("InsufficientInstanceCapacity", "no capacity");
    });
    await launch.run(ctx, baseInput(), new AbortController().signal);
    assert.equal(RUN_ACCOUNT_JOURNAL_KEY, "aws-account");
    assert.deepEqual(recordedAtLaunch, { account: "123456789012", region: "us-east-1" });
  });
});

Deno.test("a missing subnet fails preflight naming subnet_id", async () => {
  await withFake(async () => {
    await rejectsWith(
      launch.run(
        context(),
        baseInput({ subnet_id: "subnet-00000404" }),
        new AbortController().signal,
      ),
      "config",
      /subnet_id: subnet-00000404 does not exist in us-east-1/,
    );
  });
});

Deno.test("a placement group with strategy spread is refused", async () => {
  await withFake(async () => {
    await rejectsWith(
      launch.run(
        context(),
        baseInput({ placement_group: "spread-group" }),
        new AbortController().signal,
      ),
      "config",
      /strategy spread.*precision-time/,
    );
  });
});

Deno.test("dry run creates nothing, adds no targets and checks RunInstances with DryRun", async () => {
  await withFake(async (fake) => {
    const ctx = context({ dryRun: true });
    const out = await launch.run(
      ctx,
      baseInput({
        instance_types: ["c7i.large:2", "c7g.large"],
        placement_group: undefined,
        create_placement_group: true,
      }),
      new AbortController().signal,
    );
    assert.equal(out.dry_run, true);
    assert.deepEqual(out.instances, []);
    assert.equal(ctx.targets.length, 0);
    assert.equal(ctx.journal.resources().length, 0);
    const runs = runInputs(fake);
    assert.equal(runs.length, 2);
    assert.ok(runs.every((r) => r.DryRun === true));
    const mutating = fake.ec2.calls().map((c) => c.args[0].input as { DryRun?: boolean })
      .filter((_, i) => /^(Run|Create|Terminate|Delete)/.test(fake.calls()[i]));
    assert.ok(mutating.length > 0);
    assert.ok(mutating.every((i) => i.DryRun === true), "every mutating call is a DryRun");
  });
});

Deno.test("dry run reports the missing permission when RunInstances is unauthorized", async () => {
  await withFake(async (fake) => {
    fake.ec2.on(RunInstancesCommand).rejects(
      awsError("UnauthorizedOperation", "You are not authorized to perform this operation."),
    );
    await rejectsWith(
      launch.run(context({ dryRun: true }), baseInput(), new AbortController().signal),
      "auth",
      /missing permission for RunInstances c7i\.large x1 \(UnauthorizedOperation/,
    );
  });
});

Deno.test("a launch of more than 5 instances without a terminal and without --yes stops before launching", async () => {
  await withFake(async (fake) => {
    await rejectsWith(
      launch.run(
        context({ yes: false, interactive: false }),
        baseInput({ instance_types: ["c7i.large:6"] }),
        new AbortController().signal,
      ),
      "usage",
      /pass --yes/,
    );
    assert.equal(runInputs(fake).length, 0);
  });
});

Deno.test("a launch of more than 3 types asks when interactive and launches nothing when declined", async () => {
  await withFake(async (fake) => {
    const { prompter, asked } = fakePrompter({ confirm: false });
    await rejectsWith(
      launch.run(
        context({ yes: false, interactive: true }, { [PROMPTER_SERVICE_KEY]: prompter }),
        baseInput({ instance_types: ["c7i.large", "m7i.large", "r7i.large", "c7g.large"] }),
        new AbortController().signal,
      ),
      "config",
      /declined/,
    );
    assert.equal(asked.length, 1);
    assert.match(asked[0], /4 instance\(s\) of 4 type\(s\)/);
    assert.equal(runInputs(fake).length, 0);
  });
});

Deno.test("a small launch does not ask even when interactive", async () => {
  await withFake(async (fake) => {
    const { prompter, asked } = fakePrompter({ confirm: false });
    await launch.run(
      context({ yes: false, interactive: true }, { [PROMPTER_SERVICE_KEY]: prompter }),
      baseInput({ instance_types: ["c7i.large:5"] }),
      new AbortController().signal,
    );
    assert.equal(asked.length, 0);
    assert.equal(runInputs(fake).length, 1);
  });
});

Deno.test("every instance id is in the journal with its release command before the wait starts", async () => {
  await withFake(async (fake) => {
    const ctx: TestContext = context();
    const seen: number[] = [];
    fake.onDescribeInstances = () => seen.push(ctx.journal.resources().length);
    await launch.run(
      ctx,
      baseInput({ instance_types: ["c7i.large:3"] }),
      new AbortController().signal,
    );
    assert.equal(seen[0], 3);
    for (const r of ctx.journal.resources()) {
      assert.equal(r.kind, "ec2-instance");
      assert.equal(r.state, "created");
      assert.equal(r.region, "us-east-1");
      assert.equal(
        r.releaseCommand,
        `aws ec2 terminate-instances --region us-east-1 --instance-ids ${r.id}`,
      );
      assert.deepEqual(r.detail, {
        instanceType: "c7i.large",
        account: "123456789012",
        region: "us-east-1",
      });
    }
  });
});

Deno.test("waiting asks about all pending instances in one DescribeInstances per round", async () => {
  const pollsFor = async (count: number) =>
    await withFake(async (fake) => {
      fake.bootPolls = 3;
      await launch.run(
        context(),
        baseInput({ instance_types: [`c7i.large:${count}`] }),
        new AbortController().signal,
      );
      return fake.ec2.commandCalls(DescribeInstancesCommand).length;
    });
  const one = await pollsFor(1);
  const six = await pollsFor(6);
  assert.equal(one, 4);
  assert.equal(six, one);
});

Deno.test("a capacity error fails only that type's targets and the other types launch", async () => {
  await withFake(async (fake) => {
    fake.runFailures.set("m7i.large", "InsufficientInstanceCapacity");
    const ctx = context();
    const out = await launch.run(
      ctx,
      baseInput({ instance_types: ["c7i.large", "m7i.large:2"] }),
      new AbortController().signal,
    );
    assert.equal(out.instances.length, 1);
    assert.equal(out.failed[0].instance_type, "m7i.large");
    const failed = ctx.targets.filter((t) => t.instanceType === "m7i.large");
    assert.equal(failed.length, 2);
    for (const t of failed) {
      assert.equal(t.status, "failed");
      assert.equal(t.verdict, "error");
      assert.equal(t.failure?.kind, "capacity");
      assert.match(t.failure?.message ?? "", /InsufficientInstanceCapacity/);
    }
    const ok = ctx.targets.find((t) => t.instanceType === "c7i.large")!;
    assert.equal(ok.status, "pending");
    assert.ok(ok.address);
  });
});

Deno.test("throttled RunInstances is retried with the same ClientToken", async () => {
  await withFake(async (fake) => {
    const original = fake.ec2.commandCalls.bind(fake.ec2);
    let first = true;
    fake.ec2.on(RunInstancesCommand).callsFake(() => {
      if (first) {
        first = false;
        throw awsError("RequestLimitExceeded", "Request limit exceeded.");
      }
      return { Instances: [{ InstanceId: "i-00000000000000abc", AmiLaunchIndex: 0 }] };
    });
    fake.instances.set("i-00000000000000abc", {
      type: "c7i.large",
      state: "running",
      input: {} as never,
    });
    await launch.run(context(), baseInput(), new AbortController().signal);
    const calls = original(RunInstancesCommand);
    assert.ok(calls.length >= 2);
    const tokens = new Set(calls.map((c) => c.args[0].input.ClientToken));
    assert.equal(tokens.size, 1);
  });
});

Deno.test("expired credentials give one auth error with the fix", async () => {
  await withFake(async (fake) => {
    fake.sts.on(GetCallerIdentityCommand).rejects(
      awsError("ExpiredToken", "The security token included in the request is expired"),
    );
    await rejectsWith(
      launch.run(context({ profile: "dev" }), baseInput(), new AbortController().signal),
      "auth",
      /profile "dev".*expired.*aws sso login --profile dev/,
    );
    assert.equal(fake.ec2.calls().length, 0);
  });
});

Deno.test("abort during the wait terminates the instances launched so far", async () => {
  await withFake(async (fake) => {
    fake.bootPolls = 1000;
    const controller = new AbortController();
    let polls = 0;
    fake.onDescribeInstances = () => {
      if (++polls === 2) controller.abort(new DOMException("interrupted", "AbortError"));
    };
    const ctx = context();
    await assert.rejects(
      launch.run(ctx, baseInput({ instance_types: ["c7i.large:2"] }), controller.signal),
      (e: unknown) => e instanceof DOMException && e.name === "AbortError",
    );
    const terminated = fake.ec2.commandCalls(TerminateInstancesCommand)
      .flatMap((c) => c.args[0].input.InstanceIds ?? []);
    assert.deepEqual(terminated.sort(), [...fake.instances.keys()].sort());
    assert.equal(terminated.length, 2);
  });
});

Deno.test("without a configured region the subnet's region is found among the enabled regions", async () => {
  await withFake(async (fake) => {
    Deno.env.delete("AWS_REGION");
    Deno.env.delete("AWS_DEFAULT_REGION");
    const ctx = makeTestContext({ step: { id: "launch", type: "launch" } });
    const out = await launch.run(ctx, baseInput(), new AbortController().signal);
    assert.equal(out.region, "us-east-1");
    assert.ok(
      ctx.events.some((e) =>
        e.type === "log" && /using us-east-1, where subnet subnet-0123456789abcdef1/.test(e.message)
      ),
    );
    assert.ok(fake.calls().includes("DescribeRegions"));
  });
});

Deno.test("create_placement_group creates a precision-time group, journals it, and launches into it", async () => {
  await withFake(async (fake) => {
    const ctx = context();
    const out = await launch.run(
      ctx,
      baseInput({ placement_group: undefined, create_placement_group: true }),
      new AbortController().signal,
    );
    assert.equal(out.created_placement_group, true);
    assert.equal(out.placement_group, "ptp-runner-test-run");
    const group = ctx.journal.resources().find((r) => r.kind === "placement-group")!;
    assert.equal(group.id, "ptp-runner-test-run");
    assert.equal(group.state, "created");
    assert.match(
      group.releaseCommand ?? "",
      /delete-placement-group --region us-east-1 --group-name ptp-runner-test-run/,
    );
    assert.deepEqual(runInputs(fake)[0].Placement, { GroupName: "ptp-runner-test-run" });
  });
});

Deno.test("a retried launch gets the same instances back and adds no duplicate targets", async () => {
  await withFake(async (fake) => {
    const ctx = context();
    const input = baseInput({ instance_types: ["c7i.large:2", "t3.micro"] });
    const first = await launch.run(ctx, input, new AbortController().signal);
    const second = await launch.run(ctx, input, new AbortController().signal);
    assert.deepEqual(
      second.instances.map((i) => i.instance_id),
      first.instances.map((i) => i.instance_id),
    );
    assert.equal(fake.instances.size, 2);
    assert.deepEqual(ctx.targets.map((t) => t.id), ["t3.micro-1", "c7i.large-1", "c7i.large-2"]);
    assert.equal(ctx.journal.resources().length, 2);
  });
});

Deno.test("a placement group creation without a readable answer stays journaled as unknown for cleanup; a refusal is released", async () => {
  for (
    const [error, state, creation] of [
      [
        Object.assign(new Error("Unexpected end of XML"), { $metadata: { httpStatusCode: 200 } }),
        "created",
        "unknown",
      ],
      [Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), "created", "unknown"],
      [awsError("InvalidParameterValue", "bad strategy"), "released", undefined],
    ] as const
  ) {
    await withFake(async (fake) => {
      fake.ec2.on(CreatePlacementGroupCommand).rejects(error);
      const ctx = context();
      await assert.rejects(launch.run(
        ctx,
        baseInput({ placement_group: undefined, create_placement_group: true }),
        new AbortController().signal,
      ));
      const group = ctx.journal.resources().find((r) => r.kind === "placement-group")!;
      assert.equal(group.state, state, error.message);
      assert.equal(group.detail?.creation, creation, error.message);
      assert.equal(runInputs(fake).length, 0);
    });
  }
});

Deno.test("a type Amazon Linux 2023 cannot run (mac1.metal, x86_64_mac) is skipped with its reason and the others launch", async () => {
  await withFake(async (fake) => {
    const ctx = context();
    const out = await launch.run(
      ctx,
      baseInput({ instance_types: ["mac1.metal", "c7i.large"] }),
      new AbortController().signal,
    );
    assert.deepEqual(out.skipped.map((s) => s.instance_type), ["mac1.metal"]);
    assert.match(
      out.skipped[0].reason,
      /supports x86_64_mac; Amazon Linux 2023 needs x86_64 or arm64/,
    );
    assert.deepEqual(runInputs(fake).map((r) => r.InstanceType), ["c7i.large"]);
    const mac = ctx.targets.find((t) => t.instanceType === "mac1.metal")!;
    assert.equal(mac.verdict, "unsupported");
    assert.match(mac.verdictReason ?? "", /x86_64_mac/);
  });
});

Deno.test("instances without a public IP are named up front with how to reach a private address", async () => {
  await withFake(async (fake) => {
    fake.noPublicIp = true;
    const ctx = context();
    await launch.run(ctx, baseInput(), new AbortController().signal);
    const warning = ctx.events.find((e) =>
      e.type === "log" && /no public IP address/.test(e.message)
    );
    assert.ok(warning, "a warning about the missing public IP");
    assert.match(warning.type === "log" ? warning.message : "", /10\.0\.0\.\d+.*jump_host/);
    assert.match(ctx.targets[0].address ?? "", /^10\.0\.0\./);
  });
});

Deno.test("launch with transport ssm: RunInstances gets the instance profile and no key pair; no SSH warnings", async () => {
  await withFake(async (fake) => {
    fake.noPublicIp = true;
    const ctx = context();
    const out = await launch.run(
      ctx,
      baseInput({
        transport: "ssm",
        key_name: "",
        private_key: "",
        iam_instance_profile: "ptp-runner-ssm",
        security_group_ids: [],
      }),
      new AbortController().signal,
    );
    const runs = runInputs(fake);
    const real = runs.filter((r) => !r.DryRun);
    assert.equal(real.length, 1);
    assert.deepEqual(real[0].IamInstanceProfile, { Name: "ptp-runner-ssm" });
    assert.equal(real[0].KeyName, undefined);
    assert.ok(runs.some((r) => r.DryRun && r.IamInstanceProfile?.Name === "ptp-runner-ssm"));
    assert.equal(out.transport, "ssm");
    assert.equal(out.iam_instance_profile, "ptp-runner-ssm");
    assert.equal(ctx.targets[0].status, "pending");
    assert.equal(ctx.targets[0].facts.instanceProfile, "ptp-runner-ssm");
    const warnings = ctx.events.flatMap((e) =>
      e.type === "log" && e.level === "warn" ? [e.message] : []
    );
    assert.ok(!warnings.some((w) => /TCP 22|public IP/.test(w)), warnings.join("\n"));
  });
});

Deno.test("launch with transport ssm refuses an instance profile EC2 does not know, before launching", async () => {
  await withFake(async (fake) => {
    fake.ec2.on(RunInstancesCommand).callsFake((input: RunInstancesCommandInput) => {
      if (input.IamInstanceProfile) {
        throw awsError(
          "InvalidParameterValue",
          "Value (no-such-profile) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name",
        );
      }
      throw awsError("DryRunOperation");
    });
    await rejectsWith(
      launch.run(
        context(),
        baseInput({ transport: "ssm", iam_instance_profile: "no-such-profile" }),
        new AbortController().signal,
      ),
      "config",
      /iam_instance_profile no-such-profile cannot be used: InvalidParameterValue.*iamInstanceProfile/,
    );
  });
});

Deno.test("launch says iam:PassRole is missing when EC2 refuses to pass the profile's role", async () => {
  await withFake(async (fake) => {
    fake.ec2.on(RunInstancesCommand).callsFake((input: RunInstancesCommandInput) => {
      if (input.IamInstanceProfile) throw awsError("UnauthorizedOperation", "not authorized");
      throw awsError("DryRunOperation");
    });
    await rejectsWith(
      launch.run(
        context(),
        baseInput({
          transport: "ssm",
          iam_instance_profile: "arn:aws:iam::123456789012:instance-profile/ssm",
        }),
        new AbortController().signal,
      ),
      "auth",
      /iam:PassRole/,
    );
  });
});

Deno.test("launch input: key_name is required with transport ssh only; a bad profile name is refused", () => {
  const ssh = LaunchInputSchema.safeParse({
    instance_types: ["c7i.large"],
    subnet_id: "subnet-0123456789abcdef1",
    key_name: "",
  });
  assert.ok(!ssh.success);
  assert.match(JSON.stringify(ssh.error.issues), /key_name is required/);
  const ssm = LaunchInputSchema.safeParse({
    instance_types: ["c7i.large"],
    subnet_id: "subnet-0123456789abcdef1",
    transport: "ssm",
  });
  assert.ok(ssm.success);
  const bad = LaunchInputSchema.safeParse({
    instance_types: ["c7i.large"],
    subnet_id: "subnet-0123456789abcdef1",
    transport: "ssm",
    iam_instance_profile: "has space",
  });
  assert.ok(!bad.success);
});
