/**
 * Instances running from the start (`existing_instances`, sim/state/existing-instances.ts)
 * over SSM: with their tags and instance profile, those whose profile allows
 * it are managed nodes from the start and answer Run Command by tag; an
 * unknown profile fails the start with EC2's message.
 */
import assert from "node:assert/strict";
import { DescribeInstancesCommand } from "@aws-sdk/client-ec2";
import { SendCommandCommand } from "@aws-sdk/client-ssm";
import { startSimulator } from "../../../sim/mod.ts";
import { startSsmFixture } from "./helpers.ts";

Deno.test("existing instances run from the start with their tags; those with ssm-core answer Run Command by tag", async () => {
  const f = await startSsmFixture({
    existingInstances: [
      {
        instance_type: "c7i.large",
        count: 2,
        tags: { fleet: "web" },
        iam_instance_profile: "ssm-core",
      },
      { instance_type: "m7g.large", tags: { fleet: "web" } },
    ],
  });
  try {
    const described = await f.ec2.send(
      new DescribeInstancesCommand({ Filters: [{ Name: "tag:fleet", Values: ["web"] }] }),
    );
    const instances = described.Reservations!.flatMap((r) => r.Instances!);
    assert.equal(instances.length, 3);
    const managed = instances.filter((i) => i.IamInstanceProfile).map((i) => i.InstanceId!);
    assert.equal(managed.length, 2);
    for (const id of managed) await f.waitForPing(id, "Online");
    const sent = await f.ssm.send(
      new SendCommandCommand({
        DocumentName: "AWS-RunShellScript",
        Targets: [{ Key: "tag:fleet", Values: ["web"] }],
        Parameters: { commands: ["uname -m"] },
      }),
    );
    assert.equal(sent.Command!.TargetCount, 2);
    for (const id of managed) {
      const result = await f.waitForResult(sent.Command!.CommandId!, id);
      assert.equal(result.StandardOutputContent, "x86_64\n");
    }
  } finally {
    await f.close();
  }
});

Deno.test("an existing instance naming an unknown instance profile fails the start", async () => {
  await assert.rejects(
    startSimulator({
      speed: 1000,
      existingInstances: [{ instance_type: "c7i.large", iam_instance_profile: "missing" }],
    }),
    /existing_instances: .*Invalid IAM Instance Profile name/,
  );
});
