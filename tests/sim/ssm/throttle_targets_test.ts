/**
 * SSM throttling per region (ThrottlingException, HTTP 400, `__type` as AWS
 * sends it), SendCommand by tag Targets, ListCommandInvocations, and SSM
 * calls in the request log.
 */
import assert from "node:assert/strict";
import {
  DescribeInstanceInformationCommand,
  ListCommandInvocationsCommand,
  SendCommandCommand,
  SSMClient,
} from "@aws-sdk/client-ssm";
import { SIM_CREDENTIALS } from "../../../sim/mod.ts";
import { startSsmFixture } from "./helpers.ts";

Deno.test("over the region's SSM request rate: ThrottlingException (HTTP 400, __type); other regions keep their own bucket", async () => {
  const f = await startSsmFixture();
  try {
    f.sim.ssm.requests_per_second = 0.001;
    f.sim.ssm.burst = 2;
    const call = () => f.ssm.send(new DescribeInstanceInformationCommand({}));
    await call();
    await call();
    await assert.rejects(call(), (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(e.name, "ThrottlingException");
      assert.equal(e.$metadata?.httpStatusCode, 400);
      return true;
    });
    const raw = await fetch(f.sim.endpoint, {
      method: "POST",
      headers: {
        "x-amz-target": "AmazonSSM.DescribeInstanceInformation",
        "content-type": "application/x-amz-json-1.1",
      },
      body: "{}",
    });
    assert.equal(raw.status, 400);
    assert.deepEqual(await raw.json(), { __type: "ThrottlingException", message: "Rate exceeded" });
    const west = new SSMClient({
      endpoint: f.sim.endpoint,
      region: "us-west-2",
      credentials: { ...SIM_CREDENTIALS },
      maxAttempts: 1,
    });
    try {
      const out = await west.send(new DescribeInstanceInformationCommand({}));
      assert.deepEqual(out.InstanceInformationList, []);
    } finally {
      west.destroy();
    }
    const throttled = f.sim.requests().filter((r) => r.errorCode === "ThrottlingException");
    assert.equal(throttled.length, 2);
    assert.ok(throttled.every((r) => r.service === "ssm" && r.region === "us-east-1"));
  } finally {
    await f.close();
  }
});

Deno.test("faults.ssmThrottleNext throttles exactly the next N SSM requests; the SDK's retries absorb them", async () => {
  const f = await startSsmFixture();
  const retrying = new SSMClient({
    endpoint: f.sim.endpoint,
    region: f.sim.region,
    credentials: { ...SIM_CREDENTIALS },
    maxAttempts: 3,
  });
  try {
    f.sim.faults.ssmThrottleNext = 2;
    const out = await retrying.send(new DescribeInstanceInformationCommand({}));
    assert.equal(out.$metadata.attempts, 3);
    assert.equal(f.sim.faults.ssmThrottleNext, 0);
    const codes = f.sim.requests().map((r) => r.errorCode ?? "ok");
    assert.deepEqual(codes, ["ThrottlingException", "ThrottlingException", "ok"]);
  } finally {
    retrying.destroy();
    await f.close();
  }
});

Deno.test("SendCommand by tag Targets reaches the managed instances with the tag; ListCommandInvocations lists them; calls are in the request log", async () => {
  const f = await startSsmFixture();
  try {
    const tagged = (value: string) => ({
      TagSpecifications: [{
        ResourceType: "instance" as const,
        Tags: [{ Key: "fleet", Value: value }],
      }],
    });
    const web = await f.launch({ MinCount: 2, MaxCount: 2, ...tagged("web") });
    const [db] = await f.launch(tagged("db"));
    for (const id of [...web, db]) await f.waitForPing(id, "Online");
    const sent = await f.ssm.send(
      new SendCommandCommand({
        DocumentName: "AWS-RunShellScript",
        Targets: [{ Key: "tag:fleet", Values: ["web"] }],
        Parameters: { commands: ["hostname"] },
        MaxConcurrency: "10%",
        MaxErrors: "1",
      }),
    );
    const command = sent.Command!;
    assert.deepEqual(command.InstanceIds, []);
    assert.equal(command.TargetCount, 2);
    assert.equal(command.MaxConcurrency, "10%");
    for (const id of web) {
      const r = await f.waitForResult(command.CommandId!, id);
      assert.equal(r.Status, "Success");
      assert.match(r.StandardOutputContent!, /^ip-\d+-\d+-\d+-\d+\.ec2\.internal\n$/);
    }
    const listed = await f.ssm.send(
      new ListCommandInvocationsCommand({ CommandId: command.CommandId, Details: true }),
    );
    assert.deepEqual(listed.CommandInvocations!.map((i) => i.InstanceId).sort(), [...web].sort());
    assert.ok(listed.CommandInvocations!.every((i) => i.CommandPlugins?.[0]?.ResponseCode === 0));
    const actions = f.sim.requests().filter((r) => r.service === "ssm").map((r) => r.action);
    assert.ok(actions.includes("SendCommand"));
    assert.ok(actions.includes("GetCommandInvocation"));
    assert.ok(actions.includes("ListCommandInvocations"));
  } finally {
    await f.close();
  }
});
