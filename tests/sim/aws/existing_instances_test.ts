/**
 * Instances that already run when the simulator starts (sim/state/existing-instances.ts):
 * from the profiles file's `existing_instances` and the `existingInstances`
 * option, running from the start, tagged, spread round-robin over regions,
 * found by DescribeInstances tag filters in each region; a type the
 * catalogue lacks or a region not enabled is refused.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DescribeInstancesCommand, paginateDescribeInstances } from "@aws-sdk/client-ec2";
import { ValidationError } from "../../../runner/errors.ts";
import { startFixture } from "./helpers.ts";
import { tempDir } from "../../helpers/temp.ts";

Deno.test("existing instances run from the start, tagged, spread over their regions and found by tag", async () => {
  const dir = await tempDir("ptp-sim-existing-");
  const profiles = join(dir, "profiles.yaml");
  await Deno.writeTextFile(
    profiles,
    `existing_instances:
  - instance_type: m7g.large
    count: 2
    tags: { team: arm }
`,
  );
  const f = await startFixture({
    profilesFile: profiles,
    existingInstances: [{
      instance_type: "c7i.large",
      count: 5,
      regions: ["us-east-1", "eu-west-1"],
      tags: { fleet: "timing" },
    }],
  });
  try {
    const all = f.sim.instances();
    assert.equal(all.length, 7);
    assert.deepEqual(new Set(all.map((i) => i.state)), new Set(["running"]));
    assert.equal(f.fleet.hosts.length, 7, "each has a simulated host");
    const byTag = async (region: string, key: string, value: string) => {
      const ids: string[] = [];
      const client = f.ec2In(region);
      for await (
        const page of paginateDescribeInstances({ client, pageSize: 1000 }, {
          Filters: [
            { Name: "instance-state-name", Values: ["running"] },
            { Name: `tag:${key}`, Values: [value] },
          ],
        })
      ) {
        for (const r of page.Reservations ?? []) {
          for (const i of r.Instances ?? []) {
            ids.push(`${i.InstanceType} ${i.Placement?.AvailabilityZone}`);
          }
        }
      }
      return ids;
    };
    // Round-robin: us-east-1 gets instances 1, 3, 5; eu-west-1 gets 2 and 4.
    assert.deepEqual(
      await byTag("us-east-1", "fleet", "timing"),
      Array(3).fill("c7i.large us-east-1a"),
    );
    assert.deepEqual(
      await byTag("eu-west-1", "fleet", "timing"),
      Array(2).fill("c7i.large eu-west-1a"),
    );
    assert.deepEqual(
      await byTag("us-east-1", "team", "arm"),
      Array(2).fill("m7g.large us-east-1a"),
    );
    assert.deepEqual(await byTag("eu-west-1", "team", "arm"), []);
    const out = await f.ec2.send(new DescribeInstancesCommand({}));
    const inst = out.Reservations![0].Instances![0];
    assert.equal(inst.KeyName, f.sim.keyPairName);
    assert.equal(inst.PublicIpAddress, inst.PrivateIpAddress);
    assert.match(inst.PublicIpAddress ?? "", /^127\./);
  } finally {
    await f.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("existing instances of a type the catalogue lacks, or in a region not enabled, are refused", async () => {
  const cases: [{ instance_type: string; count: number; regions?: string[] }, RegExp][] = [
    [{ instance_type: "z9.huge", count: 1 }, /unknown instance type "z9.huge"/],
    [
      { instance_type: "c7i.large", count: 1, regions: ["af-south-1"] },
      /region\(s\) af-south-1 not enabled/,
    ],
  ];
  for (const [group, pattern] of cases) {
    let error: unknown;
    try {
      await (await startFixture({ existingInstances: [group] })).close();
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof ValidationError, String(error));
    assert.match(error.message, pattern);
  }
});
