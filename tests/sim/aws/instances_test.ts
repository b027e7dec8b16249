import assert from "node:assert/strict";
import {
  CreateTagsCommand,
  DeletePlacementGroupCommand,
  DescribeInstancesCommand,
  DescribeInstanceStatusCommand,
  RebootInstancesCommand,
  RunInstancesCommand,
  type RunInstancesCommandInput,
  TerminateInstancesCommand,
  waitUntilInstanceRunning,
  waitUntilInstanceStatusOk,
  waitUntilInstanceTerminated,
} from "@aws-sdk/client-ec2";
import { rejection, startFixture } from "./helpers.ts";

const X86_AMI = "ami-05e6f7a8b9c0d1e2f";
const ARM_AMI = "ami-0f1e2d3c4b5a69788";
const FAST_WAIT = { minDelay: 0.01, maxDelay: 0.02, maxWaitTime: 10 };

function launchInput(
  sim: {
    subnetId: string;
    securityGroupId: string;
    keyPairName: string;
    placementGroupName: string;
  },
  extra: Partial<RunInstancesCommandInput> = {},
): RunInstancesCommandInput {
  return {
    ImageId: X86_AMI,
    InstanceType: "c7i.large",
    MinCount: 1,
    MaxCount: 1,
    SubnetId: sim.subnetId,
    SecurityGroupIds: [sim.securityGroupId],
    KeyName: sim.keyPairName,
    Placement: { GroupName: sim.placementGroupName },
    ...extra,
  };
}

Deno.test("RunInstances launches pending instances that the SDK waiters see running and then terminated", async () => {
  const f = await startFixture();
  try {
    const out = await f.ec2.send(
      new RunInstancesCommand(launchInput(f.sim, {
        MinCount: 2,
        MaxCount: 2,
        MetadataOptions: { HttpTokens: "required", HttpEndpoint: "enabled" },
        TagSpecifications: [
          { ResourceType: "instance", Tags: [{ Key: "ptp-runner:run-id", Value: "run-1" }] },
          { ResourceType: "volume", Tags: [{ Key: "ptp-runner:run-id", Value: "run-1" }] },
        ],
      })),
    );
    const ids = out.Instances!.map((i) => i.InstanceId!);
    assert.equal(ids.length, 2);
    assert.match(out.ReservationId!, /^r-[0-9a-f]{17}$/);
    assert.deepEqual(out.Instances!.map((i) => i.State?.Name), ["pending", "pending"]);
    assert.equal(out.Instances![0].Placement?.GroupName, "ptp-runner-sim");
    assert.equal(out.Instances![0].MetadataOptions?.HttpTokens, "required");
    assert.deepEqual(out.Instances![0].Tags, [{ Key: "ptp-runner:run-id", Value: "run-1" }]);

    const running = await waitUntilInstanceRunning({ client: f.ec2, ...FAST_WAIT }, {
      InstanceIds: ids,
    });
    assert.equal(running.state, "SUCCESS");
    const described = await f.ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
    const instances = described.Reservations!.flatMap((r) => r.Instances!);
    assert.deepEqual(instances.map((i) => i.State?.Name), ["running", "running"]);
    // Each instance has its own loopback address, as private and public IP.
    const addresses = instances.map((i) => i.PrivateIpAddress);
    assert.equal(new Set(addresses).size, 2);
    for (const i of instances) {
      assert.match(i.PrivateIpAddress!, /^127\.0\.0\.\d+$/);
      assert.equal(i.PublicIpAddress, i.PrivateIpAddress);
      assert.equal(i.Architecture, "x86_64");
      assert.equal(i.MetadataOptions?.State, "applied");
    }
    // The fleet got one launch per instance with the key pair's public key.
    assert.deepEqual(f.fleet.hosts.map((h) => h.instanceId), ids);
    assert.match(f.fleet.hosts[0].spec.authorizedKey, /^ssh-ed25519 AAAA/);
    assert.equal(f.fleet.hosts[0].spec.address, addresses[0]);

    const terminated = await f.ec2.send(new TerminateInstancesCommand({ InstanceIds: ids }));
    assert.deepEqual(
      terminated.TerminatingInstances!.map((t) => [t.PreviousState?.Name, t.CurrentState?.Name]),
      [["running", "shutting-down"], ["running", "shutting-down"]],
    );
    assert.ok(f.fleet.hosts.every((h) => h.stopped));
    const done = await waitUntilInstanceTerminated({ client: f.ec2, ...FAST_WAIT }, {
      InstanceIds: ids,
    });
    assert.equal(done.state, "SUCCESS");
    assert.deepEqual(f.sim.instances().map((i) => i.state), ["terminated", "terminated"]);
  } finally {
    await f.close();
  }
});

Deno.test("addresses are never reused within a simulator, even after termination", async () => {
  const f = await startFixture();
  try {
    const first = await f.ec2.send(new RunInstancesCommand(launchInput(f.sim)));
    const id = first.Instances![0].InstanceId!;
    await f.ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    const second = await f.ec2.send(new RunInstancesCommand(launchInput(f.sim)));
    assert.equal(first.Instances![0].PrivateIpAddress, "127.0.0.2");
    assert.equal(second.Instances![0].PrivateIpAddress, "127.0.0.3");
  } finally {
    await f.close();
  }
});

Deno.test("RunInstances refuses an AMI whose architecture differs from the instance type's", async () => {
  const f = await startFixture();
  try {
    const error = await rejection(
      f.ec2.send(new RunInstancesCommand(launchInput(f.sim, { ImageId: ARM_AMI }))),
    );
    assert.equal(error.name, "InvalidParameterValue");
    assert.match(
      error.message,
      /architecture 'x86_64' of the specified instance type does not match the architecture 'arm64'/,
    );
    assert.equal(f.sim.instances().length, 0);
    // The matching AMI works for an arm64 type.
    const ok = await f.ec2.send(
      new RunInstancesCommand(launchInput(f.sim, { ImageId: ARM_AMI, InstanceType: "m7g.large" })),
    );
    assert.equal(ok.Instances![0].Architecture, "arm64");
  } finally {
    await f.close();
  }
});

Deno.test("RunInstances validates subnet, security group, key pair, placement group and instance type", async () => {
  const f = await startFixture();
  try {
    const cases: [Partial<RunInstancesCommandInput>, string][] = [
      [{ SubnetId: "subnet-0123456789abcdef0" }, "InvalidSubnetID.NotFound"],
      [{ SecurityGroupIds: ["sg-0123456789abcdef0"] }, "InvalidGroup.NotFound"],
      [{ KeyName: "no-such-key" }, "InvalidKeyPair.NotFound"],
      [{ Placement: { GroupName: "no-such-group" } }, "InvalidPlacementGroup.Unknown"],
      [{ InstanceType: "c7i.huge" as never }, "InvalidParameterValue"],
      [{ ImageId: "ami-0000000000000dead" }, "InvalidAMIID.NotFound"],
      [{ ImageId: "not-an-ami" }, "InvalidAMIID.Malformed"],
      [{ MinCount: 3, MaxCount: 2 }, "InvalidParameterValue"],
      // t3 types do not support the precision-time strategy.
      [{ InstanceType: "t3.micro" }, "InvalidParameterCombination"],
    ];
    for (const [extra, code] of cases) {
      const error = await rejection(f.ec2.send(new RunInstancesCommand(launchInput(f.sim, extra))));
      assert.equal(error.name, code, `${JSON.stringify(extra)} -> ${error.name}: ${error.message}`);
    }
    assert.equal(f.sim.instances().length, 0);
    // A placement group by id works too.
    const byId = await f.ec2.send(
      new RunInstancesCommand(launchInput(f.sim, {
        Placement: { GroupId: "pg-0sim0000000000001" },
      })),
    );
    assert.equal(byId.Instances![0].Placement?.GroupName, "ptp-runner-sim");
  } finally {
    await f.close();
  }
});

Deno.test("RunInstances with the same ClientToken returns the same reservation", async () => {
  const f = await startFixture();
  try {
    const input = launchInput(f.sim, { MinCount: 2, MaxCount: 2, ClientToken: "run-1-c7i.large" });
    const first = await f.ec2.send(new RunInstancesCommand(input));
    const again = await f.ec2.send(new RunInstancesCommand(input));
    assert.equal(again.ReservationId, first.ReservationId);
    assert.deepEqual(
      again.Instances!.map((i) => i.InstanceId),
      first.Instances!.map((i) => i.InstanceId),
    );
    assert.equal(f.sim.instances().length, 2);
    const mismatch = await rejection(f.ec2.send(
      new RunInstancesCommand({
        ...input,
        InstanceType: "m7i.large",
      }),
    ));
    assert.equal(mismatch.name, "IdempotentParameterMismatch");
  } finally {
    await f.close();
  }
});

Deno.test("DescribeInstances filters by tag, tag-key, instance-state-name and instance-id", async () => {
  const f = await startFixture();
  try {
    const tagged = (run: string) => ({
      TagSpecifications: [{
        ResourceType: "instance" as const,
        Tags: [{ Key: "ptp-runner:run-id", Value: run }, {
          Key: "ptp-runner:tool",
          Value: "ptp-runner",
        }],
      }],
    });
    const a = await f.ec2.send(new RunInstancesCommand(launchInput(f.sim, tagged("run-a"))));
    const b = await f.ec2.send(new RunInstancesCommand(launchInput(f.sim, tagged("run-b"))));
    const untagged = await f.ec2.send(new RunInstancesCommand(launchInput(f.sim)));
    const ids = (out: { Reservations?: { Instances?: { InstanceId?: string }[] }[] }) =>
      (out.Reservations ?? []).flatMap((r) => r.Instances!.map((i) => i.InstanceId!)).sort();

    const byRun = await f.ec2.send(
      new DescribeInstancesCommand({
        Filters: [{ Name: "tag:ptp-runner:run-id", Values: ["run-a"] }],
      }),
    );
    assert.deepEqual(ids(byRun), [a.Instances![0].InstanceId]);
    const byKey = await f.ec2.send(
      new DescribeInstancesCommand({
        Filters: [{ Name: "tag-key", Values: ["ptp-runner:tool"] }],
      }),
    );
    assert.deepEqual(ids(byKey), [a.Instances![0].InstanceId!, b.Instances![0].InstanceId!].sort());
    const wildcard = await f.ec2.send(
      new DescribeInstancesCommand({
        Filters: [{ Name: "tag:ptp-runner:run-id", Values: ["run-*"] }],
      }),
    );
    assert.equal(ids(wildcard).length, 2);

    await f.ec2.send(new TerminateInstancesCommand({ InstanceIds: [b.Instances![0].InstanceId!] }));
    const live = await f.ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: "tag:ptp-runner:tool", Values: ["ptp-runner"] },
          { Name: "instance-state-name", Values: ["pending", "running"] },
        ],
      }),
    );
    assert.deepEqual(ids(live), [a.Instances![0].InstanceId]);

    await f.ec2.send(
      new CreateTagsCommand({
        Resources: [untagged.Instances![0].InstanceId!],
        Tags: [{ Key: "ptp-runner:run-id", Value: "run-a" }],
      }),
    );
    const afterTagging = await f.ec2.send(
      new DescribeInstancesCommand({
        Filters: [{ Name: "tag:ptp-runner:run-id", Values: ["run-a"] }],
      }),
    );
    assert.equal(ids(afterTagging).length, 2);

    const unknown = await rejection(f.ec2.send(
      new DescribeInstancesCommand({
        InstanceIds: ["i-0123456789abcdef0"],
      }),
    ));
    assert.equal(unknown.name, "InvalidInstanceID.NotFound");
    const badFilter = await rejection(f.ec2.send(
      new DescribeInstancesCommand({
        Filters: [{ Name: "colour", Values: ["blue"] }],
      }),
    ));
    assert.equal(badFilter.name, "InvalidParameterValue");
  } finally {
    await f.close();
  }
});

Deno.test("a placement group cannot be deleted while an instance that is not yet terminated uses it", async () => {
  const f = await startFixture();
  try {
    const out = await f.ec2.send(new RunInstancesCommand(launchInput(f.sim)));
    const id = out.Instances![0].InstanceId!;
    const inUse = await rejection(
      f.ec2.send(new DeletePlacementGroupCommand({ GroupName: f.sim.placementGroupName })),
    );
    assert.equal(inUse.name, "InvalidPlacementGroup.InUse");
    await f.ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    await waitUntilInstanceTerminated({ client: f.ec2, ...FAST_WAIT }, { InstanceIds: [id] });
    await f.ec2.send(new DeletePlacementGroupCommand({ GroupName: f.sim.placementGroupName }));
  } finally {
    await f.close();
  }
});

Deno.test("RebootInstances reboots the host of a running instance", async () => {
  const f = await startFixture();
  try {
    const out = await f.ec2.send(new RunInstancesCommand(launchInput(f.sim)));
    const id = out.Instances![0].InstanceId!;
    await waitUntilInstanceRunning({ client: f.ec2, ...FAST_WAIT }, { InstanceIds: [id] });
    await f.ec2.send(new RebootInstancesCommand({ InstanceIds: [id] }));
    assert.equal(f.fleet.hosts[0].reboots, 1);
  } finally {
    await f.close();
  }
});

Deno.test("DescribeInstanceStatus is initializing until the host accepts SSH, then ok for the SDK waiter", async () => {
  const f = await startFixture({ manualTime: true });
  try {
    const out = await f.ec2.send(new RunInstancesCommand(launchInput(f.sim)));
    const id = out.Instances![0].InstanceId!;
    const status = async () =>
      (await f.ec2.send(
        new DescribeInstanceStatusCommand({
          InstanceIds: [id],
          IncludeAllInstances: true,
        }),
      )).InstanceStatuses![0];
    assert.equal((await status()).InstanceState?.Name, "pending");
    assert.equal((await status()).InstanceStatus?.Status, "initializing");
    const runningOnly = await f.ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: [id] }));
    assert.deepEqual(runningOnly.InstanceStatuses, [], "only running instances by default");

    f.advance(20); // boot_seconds: running, sshd not yet up
    assert.equal((await status()).InstanceState?.Name, "running");
    assert.equal((await status()).SystemStatus?.Status, "initializing");
    f.advance(10); // ssh_delay_seconds
    const ok = await waitUntilInstanceStatusOk({ client: f.ec2, ...FAST_WAIT }, {
      InstanceIds: [id],
    });
    assert.equal(ok.state, "SUCCESS");
  } finally {
    await f.close();
  }
});
