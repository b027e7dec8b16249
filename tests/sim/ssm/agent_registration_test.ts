/**
 * The agent model: an instance registers only with an instance profile whose
 * role has AmazonSSMManagedInstanceCore, after the registration delay;
 * DescribeInstances reports the profile; an unknown profile name is EC2's
 * InvalidParameterValue; SendCommand to an unregistered instance is
 * InvalidInstanceId.
 */
import assert from "node:assert/strict";
import { DescribeInstanceInformationCommand, SendCommandCommand } from "@aws-sdk/client-ssm";
import { describeInstance, startSsmFixture } from "./helpers.ts";

Deno.test("an instance with the ssm-core profile registers Online with its platform; DescribeInstances reports the profile", async () => {
  const f = await startSsmFixture();
  try {
    const [id] = await f.launch();
    const described = await describeInstance(f.ec2, id);
    assert.equal(
      described.IamInstanceProfile?.Arn,
      "arn:aws:iam::123456789012:instance-profile/ssm-core",
    );
    assert.match(described.IamInstanceProfile?.Id ?? "", /^AIPA[0-9A-Z]{17}$/);
    await f.waitForPing(id, "Online");
    const info = (await f.ssm.send(new DescribeInstanceInformationCommand({})))
      .InstanceInformationList!.find((i) => i.InstanceId === id)!;
    assert.equal(info.PlatformType, "Linux");
    assert.equal(info.PlatformName, "Amazon Linux");
    assert.equal(info.PlatformVersion, "2023");
    assert.equal(info.IamRole, "ssm-core-role");
    assert.equal(info.ResourceType, "EC2Instance");
    assert.equal(info.AgentVersion, f.sim.ssm.agent_version);
    assert.ok(info.LastPingDateTime instanceof Date);
  } finally {
    await f.close();
  }
});

Deno.test("no profile or a profile without the policy: never registered, SendCommand answers InvalidInstanceId", async () => {
  const f = await startSsmFixture();
  try {
    const [bare] = await f.launch({ IamInstanceProfile: undefined });
    const [noPolicy] = await f.launch({ IamInstanceProfile: { Name: "no-ssm" } });
    const [byArn] = await f.launch({
      IamInstanceProfile: { Arn: "arn:aws:iam::123456789012:instance-profile/ssm-core" },
    });
    await f.waitForPing(byArn, "Online");
    const listed = (await f.ssm.send(new DescribeInstanceInformationCommand({})))
      .InstanceInformationList!.map((i) => i.InstanceId);
    assert.deepEqual(listed, [byArn]);
    for (const id of [bare, noPolicy]) {
      await assert.rejects(
        f.ssm.send(
          new SendCommandCommand({
            DocumentName: "AWS-RunShellScript",
            InstanceIds: [id],
            Parameters: { commands: ["true"] },
          }),
        ),
        (e: Error) => e.name === "InvalidInstanceId" && e.message.includes(id),
      );
    }
    await assert.rejects(
      f.launch({ IamInstanceProfile: { Name: "nope" } }),
      (e: Error) =>
        e.name === "InvalidParameterValue" &&
        e.message.includes("Invalid IAM Instance Profile name"),
    );
  } finally {
    await f.close();
  }
});
