import assert from "node:assert/strict";
import {
  CreatePlacementGroupCommand,
  DescribeInstancesCommand,
  DescribeSubnetsCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { GetParameterCommand } from "@aws-sdk/client-ssm";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { rejection, startFixture } from "./helpers.ts";

const launch = (sim: { subnetId: string; keyPairName: string }, type = "c7i.large") =>
  new RunInstancesCommand({
    ImageId: "ami-05e6f7a8b9c0d1e2f",
    InstanceType: type as never,
    MinCount: 1,
    MaxCount: 1,
    SubnetId: sim.subnetId,
    KeyName: sim.keyPairName,
  });

Deno.test("a capacity fault answers InsufficientInstanceCapacity (HTTP 500) for that type only", async () => {
  const f = await startFixture();
  try {
    f.sim.faults.capacity.add("m7i.large");
    const error = await rejection(f.ec2.send(launch(f.sim, "m7i.large")));
    assert.equal(error.name, "InsufficientInstanceCapacity");
    assert.equal(error.$metadata?.httpStatusCode, 500);
    assert.match(error.message, /We currently do not have sufficient m7i\.large capacity/);
    const other = await f.ec2.send(launch(f.sim, "c7i.large"));
    assert.equal(other.Instances!.length, 1);
    assert.deepEqual(f.sim.instances().map((i) => i.instanceType), ["c7i.large"]);
  } finally {
    await f.close();
  }
});

Deno.test("a profile's capacity fault answers InsufficientInstanceCapacity", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/profiles.yaml`;
  await Deno.writeTextFile(
    file,
    "instance_types:\n  c7i.large:\n    architecture: x86_64\n    phc_support: supported\n" +
      "    placement_strategies: [cluster, precision-time]\n    faults: { capacity: true }\n",
  );
  const f = await startFixture({ profilesFile: file });
  try {
    const error = await rejection(f.ec2.send(launch(f.sim)));
    assert.equal(error.name, "InsufficientInstanceCapacity");
  } finally {
    await f.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("throttling answers RequestLimitExceeded (HTTP 503) for the next N EC2 requests, and the SDK retry gets through", async () => {
  const f = await startFixture();
  try {
    f.sim.faults.throttleNext = 1;
    const error = await rejection(f.ec2.send(new DescribeSubnetsCommand({})));
    assert.equal(error.name, "RequestLimitExceeded");
    assert.equal(error.$metadata?.httpStatusCode, 503);
    const after = await f.ec2.send(new DescribeSubnetsCommand({}));
    assert.equal(after.Subnets!.length, 1);

    // With retries enabled the SDK retries the throttled call and succeeds.
    f.sim.faults.throttleNext = 1;
    const retrying = f.ec2In(f.sim.region, 3);
    const ok = await retrying.send(new DescribeSubnetsCommand({}));
    assert.equal(ok.$metadata.attempts, 2);
    const throttled = f.sim.requests().filter((r) => r.errorCode === "RequestLimitExceeded");
    assert.equal(throttled.length, 2);
    assert.equal(f.sim.faults.throttleNext, 0);
  } finally {
    await f.close();
  }
});

Deno.test("expired credentials fail every call: STS ExpiredToken, EC2 RequestExpired, SSM ExpiredTokenException", async () => {
  const f = await startFixture({ faults: { expiredCredentials: true } });
  try {
    const sts = await rejection(f.sts.send(new GetCallerIdentityCommand({})));
    assert.equal(sts.name, "ExpiredToken");
    assert.equal(sts.$metadata?.httpStatusCode, 400);
    const ec2 = await rejection(f.ec2.send(new DescribeInstancesCommand({})));
    assert.equal(ec2.name, "RequestExpired");
    const ssm = await rejection(f.ssm.send(
      new GetParameterCommand({
        Name: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
      }),
    ));
    assert.equal(ssm.name, "ExpiredTokenException");
    f.sim.faults.expiredCredentials = false;
    const identity = await f.sts.send(new GetCallerIdentityCommand({}));
    assert.equal(identity.Account, "123456789012");
  } finally {
    await f.close();
  }
});

Deno.test("DryRun answers DryRunOperation (HTTP 412), or UnauthorizedOperation (HTTP 403) for denied actions, and creates nothing", async () => {
  const f = await startFixture({ manualTime: true });
  try {
    const dry = await rejection(f.ec2.send(
      new RunInstancesCommand({
        ...launch(f.sim).input,
        DryRun: true,
      }),
    ));
    assert.equal(dry.name, "DryRunOperation");
    assert.equal(dry.$metadata?.httpStatusCode, 412);
    const dryGroup = await rejection(f.ec2.send(
      new CreatePlacementGroupCommand({
        GroupName: "dry",
        Strategy: "precision-time",
        DryRun: true,
      }),
    ));
    assert.equal(dryGroup.name, "DryRunOperation");

    f.sim.faults.denyDryRun.add("RunInstances");
    const denied = await rejection(f.ec2.send(
      new RunInstancesCommand({
        ...launch(f.sim).input,
        DryRun: true,
      }),
    ));
    assert.equal(denied.name, "UnauthorizedOperation");
    assert.equal(denied.$metadata?.httpStatusCode, 403);
    assert.match(denied.message, /ec2:RunInstances/);
    assert.equal(f.sim.instances().length, 0);

    const dryTerminate = await rejection(f.ec2.send(
      new TerminateInstancesCommand({
        InstanceIds: [(await f.ec2.send(launch(f.sim))).Instances![0].InstanceId!],
        DryRun: true,
      }),
    ));
    assert.equal(dryTerminate.name, "DryRunOperation");
    assert.deepEqual(f.sim.instances().map((i) => i.state), ["pending"]);
  } finally {
    await f.close();
  }
});

Deno.test("an unknown EC2 action answers InvalidAction (HTTP 400) and is recorded", async () => {
  const f = await startFixture();
  try {
    const response = await fetch(f.sim.endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "Action=LaunchRockets&Version=2016-11-15",
    });
    const body = await response.text();
    assert.equal(response.status, 400);
    assert.match(body, /<Code>InvalidAction<\/Code>/);
    assert.match(body, /<RequestID>[0-9a-f-]{36}<\/RequestID>/);
    const [recorded] = f.sim.requests();
    assert.equal(recorded.action, "LaunchRockets");
    assert.equal(recorded.service, "ec2");
    assert.equal(recorded.status, 400);
    assert.equal(recorded.errorCode, "InvalidAction");
  } finally {
    await f.close();
  }
});

Deno.test("every request is recorded with service, action, parameters, status and simulated time", async () => {
  const f = await startFixture();
  try {
    await f.sts.send(new GetCallerIdentityCommand({}));
    await f.ec2.send(launch(f.sim));
    await f.ssm.send(
      new GetParameterCommand({
        Name: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
      }),
    );
    const requests = f.sim.requests();
    assert.deepEqual(requests.map((r) => [r.service, r.action, r.status]), [
      ["sts", "GetCallerIdentity", 200],
      ["ec2", "RunInstances", 200],
      ["ssm", "GetParameter", 200],
    ]);
    assert.equal(requests[1].params.InstanceType, "c7i.large");
    assert.equal(requests[1].params.KeyName, "ptp-runner-sim");
    assert.equal(
      requests[2].params.Name,
      "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
    );
    assert.ok(
      requests[0].simTime <= requests[1].simTime && requests[1].simTime <= requests[2].simTime,
    );
  } finally {
    await f.close();
  }
});

Deno.test("with a visibility delay DescribeInstances shows a new instance only after it, by filter and by id", async () => {
  const f = await startFixture({ manualTime: true, faults: { instanceVisibilitySeconds: 5 } });
  try {
    const run = await f.ec2.send(
      new RunInstancesCommand({
        ...launch(f.sim).input,
        ClientToken: "visibility-test",
      }),
    );
    const id = run.Instances![0].InstanceId!;
    const byToken = new DescribeInstancesCommand({
      Filters: [{ Name: "client-token", Values: ["visibility-test"] }],
    });
    assert.deepEqual((await f.ec2.send(byToken)).Reservations, []);
    const hidden = await rejection(f.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] })));
    assert.equal(hidden.name, "InvalidInstanceID.NotFound");
    f.advance(5);
    const seen = await f.ec2.send(byToken);
    assert.equal(seen.Reservations![0].Instances![0].InstanceId, id);
    // TerminateInstances is not delayed: the id is known at once.
    await f.ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
  } finally {
    await f.close();
  }
});
