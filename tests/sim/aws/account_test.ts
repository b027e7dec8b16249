import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Buffer } from "node:buffer";
import {
  CreatePlacementGroupCommand,
  DeletePlacementGroupCommand,
  DescribeImagesCommand,
  DescribeKeyPairsCommand,
  DescribePlacementGroupsCommand,
  DescribeRegionsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
} from "@aws-sdk/client-ec2";
import { GetParameterCommand } from "@aws-sdk/client-ssm";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import ssh2 from "ssh2";
import { rejection, startFixture } from "./helpers.ts";

Deno.test("the pre-created subnet, security groups and placement groups are described", async () => {
  const f = await startFixture();
  try {
    const subnets = await f.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [f.sim.subnetId] }));
    assert.equal(subnets.Subnets![0].AvailabilityZone, "us-east-1a");
    assert.match(f.sim.subnetId, /^subnet-0sim/);

    const groups = await f.ec2.send(
      new DescribeSecurityGroupsCommand({
        GroupIds: [f.sim.securityGroupId, f.sim.closedSecurityGroupId],
      }),
    );
    const [ssh, closed] = groups.SecurityGroups!;
    assert.deepEqual(
      ssh.IpPermissions!.map((p) => [p.IpProtocol, p.FromPort, p.ToPort, p.IpRanges![0].CidrIp]),
      [["tcp", 22, 22, "0.0.0.0/0"]],
    );
    assert.deepEqual(closed.IpPermissions, []);

    const placement = await f.ec2.send(new DescribePlacementGroupsCommand({}));
    const strategies = new Map(placement.PlacementGroups!.map((g) => [g.GroupName, g.Strategy]));
    assert.equal(strategies.get(f.sim.placementGroupName), "precision-time");
    assert.equal(strategies.get(f.sim.clusterPlacementGroupName), "cluster");

    const missing = await rejection(f.ec2.send(
      new DescribeSubnetsCommand({
        SubnetIds: ["subnet-0123456789abcdef0"],
      }),
    ));
    assert.equal(missing.name, "InvalidSubnetID.NotFound");
    // Another region has no such subnet.
    const elsewhere = await rejection(
      f.ec2In("eu-west-1").send(
        new DescribeSubnetsCommand({
          SubnetIds: [f.sim.subnetId],
        }),
      ),
    );
    assert.equal(elsewhere.name, "InvalidSubnetID.NotFound");
  } finally {
    await f.close();
  }
});

Deno.test("DescribeKeyPairs gives the ed25519 fingerprint of the private key file (base64 SHA-256, padded)", async () => {
  const f = await startFixture();
  try {
    const info = await Deno.stat(f.sim.privateKeyPath);
    assert.equal(info.mode! & 0o777, 0o600);
    const parsed = ssh2.utils.parseKey(await Deno.readTextFile(f.sim.privateKeyPath));
    assert.ok(!(parsed instanceof Error));
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    assert.equal(key.type, "ssh-ed25519");
    const expected = createHash("sha256").update(Buffer.from(key.getPublicSSH())).digest("base64");

    const out = await f.ec2.send(
      new DescribeKeyPairsCommand({
        KeyNames: [f.sim.keyPairName],
        IncludePublicKey: true,
      }),
    );
    const pair = out.KeyPairs![0];
    assert.equal(pair.KeyFingerprint, expected);
    assert.match(pair.KeyFingerprint!, /=$/);
    assert.equal(pair.KeyType, "ed25519");
    assert.match(pair.PublicKey!, /^ssh-ed25519 AAAA/);
    assert.ok(pair.CreateTime instanceof Date);

    const missing = await rejection(
      f.ec2.send(new DescribeKeyPairsCommand({ KeyNames: ["nope"] })),
    );
    assert.equal(missing.name, "InvalidKeyPair.NotFound");
  } finally {
    await f.close();
  }
});

Deno.test("SSM AL2023 parameters resolve to AMIs that DescribeImages knows with the right architecture", async () => {
  const f = await startFixture();
  try {
    for (const arch of ["x86_64", "arm64"]) {
      const param = await f.ssm.send(
        new GetParameterCommand({
          Name: `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${arch}`,
        }),
      );
      const imageId = param.Parameter!.Value!;
      assert.match(imageId, /^ami-[0-9a-f]{17}$/);
      const images = await f.ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }));
      assert.equal(images.Images![0].Architecture, arch);
      assert.match(images.Images![0].Name!, /^al2023-ami-/);
    }
    const byFilter = await f.ec2.send(
      new DescribeImagesCommand({
        Owners: ["amazon"],
        Filters: [{ Name: "name", Values: ["al2023-ami-*"] }, {
          Name: "architecture",
          Values: ["arm64"],
        }],
      }),
    );
    assert.equal(byFilter.Images!.length, 1);
    const missing = await rejection(
      f.ssm.send(new GetParameterCommand({ Name: "/no/such/parameter" })),
    );
    assert.equal(missing.name, "ParameterNotFound");
  } finally {
    await f.close();
  }
});

Deno.test("STS GetCallerIdentity answers the simulated account and a user ARN", async () => {
  const f = await startFixture();
  try {
    const identity = await f.sts.send(new GetCallerIdentityCommand({}));
    assert.equal(identity.Account, "123456789012");
    assert.match(identity.Arn!, /^arn:aws:iam::123456789012:user\//);
    assert.ok(identity.UserId);
  } finally {
    await f.close();
  }
});

Deno.test("DescribeRegions lists enabled regions, and with AllRegions also the not-opted-in ones", async () => {
  const f = await startFixture();
  try {
    const enabled = await f.ec2.send(new DescribeRegionsCommand({}));
    const all = await f.ec2.send(new DescribeRegionsCommand({ AllRegions: true }));
    const names = enabled.Regions!.map((r) => r.RegionName);
    assert.ok(names.includes("us-east-1"));
    assert.ok(all.Regions!.length > enabled.Regions!.length);
    assert.ok(all.Regions!.some((r) => r.OptInStatus === "not-opted-in"));
    assert.ok(!enabled.Regions!.some((r) => r.OptInStatus === "not-opted-in"));
  } finally {
    await f.close();
  }
});

Deno.test("placement groups can be created with each strategy, found by id and deleted", async () => {
  const f = await startFixture();
  try {
    const created = await f.ec2.send(
      new CreatePlacementGroupCommand({
        GroupName: "ptp-runner-run-1",
        Strategy: "precision-time",
        TagSpecifications: [{
          ResourceType: "placement-group",
          Tags: [{ Key: "ptp-runner:run-id", Value: "run-1" }],
        }],
      }),
    );
    const group = created.PlacementGroup!;
    assert.match(group.GroupId!, /^pg-[0-9a-f]{17}$/);
    assert.equal(group.Strategy, "precision-time");
    const byId = await f.ec2.send(
      new DescribePlacementGroupsCommand({ GroupIds: [group.GroupId!] }),
    );
    assert.deepEqual(byId.PlacementGroups![0].Tags, [{ Key: "ptp-runner:run-id", Value: "run-1" }]);
    const duplicate = await rejection(f.ec2.send(
      new CreatePlacementGroupCommand({
        GroupName: "ptp-runner-run-1",
        Strategy: "cluster",
      }),
    ));
    assert.equal(duplicate.name, "InvalidPlacementGroup.Duplicate");
    for (const strategy of ["cluster", "spread", "partition"] as const) {
      const g = await f.ec2.send(
        new CreatePlacementGroupCommand({ GroupName: `g-${strategy}`, Strategy: strategy }),
      );
      assert.equal(g.PlacementGroup!.Strategy, strategy);
    }
    await f.ec2.send(new DeletePlacementGroupCommand({ GroupName: "ptp-runner-run-1" }));
    const gone = await rejection(f.ec2.send(
      new DescribePlacementGroupsCommand({
        GroupNames: ["ptp-runner-run-1"],
      }),
    ));
    assert.equal(gone.name, "InvalidPlacementGroup.Unknown");
  } finally {
    await f.close();
  }
});
