import assert from "node:assert/strict";
import {
  DescribeInstanceTypesCommand,
  DescribeRegionsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { discoverInstanceTypes, listRegionTypes } from "../../plugins/discover/describe.ts";
import type { DiscoverFilters } from "../../plugins/discover/types.ts";
import { ALL_TYPES, failingClient, fakeAwsEnv, pagedClient } from "./catalogue.ts";

fakeAwsEnv();

const none: DiscoverFilters = { supportedOnly: false };

Deno.test("discover reads every page of DescribeInstanceTypes, following NextToken", async () => {
  const { client, mock, tokens } = pagedClient("us-east-1");
  const types = await listRegionTypes(client, "us-east-1");
  assert.deepEqual(types.map((t) => t.instanceType).sort(), [...ALL_TYPES].sort());
  assert.equal(mock.commandCalls(DescribeInstanceTypesCommand).length, 3);
  assert.deepEqual(tokens, [undefined, "page-2", "page-3"]);
});

Deno.test("discover reports an absent PhcSupport as unknown and reads the other facts", async () => {
  const { client } = pagedClient("us-east-1");
  const types = await listRegionTypes(client, "us-east-1");
  const byName = Object.fromEntries(types.map((t) => [t.instanceType, t]));
  assert.equal(byName["c8i.large"].phcSupport, "unknown");
  assert.equal(byName["c7i.large"].phcSupport, "supported");
  assert.equal(byName["m6i.large"].phcSupport, "unsupported");
  assert.equal(byName["c7i.large"].precisionTime, true);
  assert.equal(byName["m6i.large"].precisionTime, false);
  assert.equal(byName["t2.micro"].precisionTime, null, "no strategies reported");
  assert.equal(byName["t2.micro"].enaSupport, "unsupported");
  assert.deepEqual(byName["c7g.large"].architectures, ["arm64"]);
  assert.equal(byName["c7i.xlarge"].vcpus, 4);
  assert.equal(byName["c7i.xlarge"].memoryMiB, 8192);
  assert.equal(byName["c7i.xlarge"].family, "c7i");
});

async function discoverOne(filters: DiscoverFilters) {
  const { client } = pagedClient("us-east-1");
  const result = await discoverInstanceTypes({
    regions: ["us-east-1"],
    bootstrapRegion: "us-east-1",
    clientFor: () => client,
    filters,
  });
  return result.types.map((t) => t.instanceType);
}

Deno.test("discover sorts types by family then size", async () => {
  assert.deepEqual(await discoverOne(none), [
    "c7a.large",
    "c7g.large",
    "c7i.large",
    "c7i.xlarge",
    "c7i.2xlarge",
    "c8i.large",
    "m6i.large",
    "t2.micro",
  ]);
});

Deno.test("discover filters by family glob, name glob, architecture and supported-only", async () => {
  assert.deepEqual(await discoverOne({ family: "c7*", supportedOnly: true }), [
    "c7g.large",
    "c7i.large",
    "c7i.xlarge",
    "c7i.2xlarge",
  ]);
  assert.deepEqual(await discoverOne({ family: "c7i,m6i", supportedOnly: false }), [
    "c7i.large",
    "c7i.xlarge",
    "c7i.2xlarge",
    "m6i.large",
  ]);
  assert.deepEqual(
    await discoverOne({ name: "*.large", architecture: "arm64", supportedOnly: false }),
    [
      "c7g.large",
    ],
  );
  assert.deepEqual(await discoverOne({ name: "C7I.*XLARGE", supportedOnly: false }), [
    "c7i.xlarge",
    "c7i.2xlarge",
  ]);
  assert.deepEqual(await discoverOne({ family: "z9*", supportedOnly: false }), []);
});

Deno.test("a region answering AuthFailure or OptInRequired does not hide the others", async () => {
  const clients: Record<string, EC2Client> = {
    "us-east-1": pagedClient("us-east-1").client,
    "ap-east-1": failingClient("ap-east-1", "OptInRequired"),
    "eu-west-1": failingClient("eu-west-1", "AuthFailure"),
    "eu-north-1": pagedClient("eu-north-1").client,
  };
  const result = await discoverInstanceTypes({
    regions: ["us-east-1", "ap-east-1", "eu-west-1", "eu-north-1"],
    bootstrapRegion: "us-east-1",
    clientFor: (r) => clients[r],
    filters: { family: "c7i", supportedOnly: true },
  });
  assert.deepEqual(result.regions.map((r) => [r.region, r.listed ?? null]), [
    ["us-east-1", 8],
    ["ap-east-1", null],
    ["eu-west-1", null],
    ["eu-north-1", 8],
  ]);
  assert.match(result.regions[1].error ?? "", /^OptInRequired: /);
  assert.match(result.regions[2].error ?? "", /^AuthFailure: /);
  assert.deepEqual(result.types.map((t) => t.instanceType), [
    "c7i.large",
    "c7i.xlarge",
    "c7i.2xlarge",
  ]);
  assert.deepEqual(result.types[0].regions, ["us-east-1", "eu-north-1"]);
});

Deno.test("discover all asks DescribeRegions and queries every enabled region", async () => {
  const bootstrap = new EC2Client({ region: "us-east-1" });
  const regionsMock = mockClient(bootstrap);
  regionsMock.on(DescribeRegionsCommand).resolves({
    Regions: [{ RegionName: "us-west-2" }, { RegionName: "eu-west-1" }],
  });
  const asked: string[] = [];
  const result = await discoverInstanceTypes({
    regions: "all",
    bootstrapRegion: "us-east-1",
    clientFor: (r) => {
      if (r === "us-east-1") return bootstrap;
      asked.push(r);
      return r === "eu-west-1" ? failingClient(r, "UnauthorizedOperation") : pagedClient(r).client;
    },
    filters: { supportedOnly: true },
  });
  assert.deepEqual(asked.sort(), ["eu-west-1", "us-west-2"]);
  assert.deepEqual(result.regions.map((r) => r.region), ["eu-west-1", "us-west-2"]);
  assert.match(result.regions[0].error ?? "", /^UnauthorizedOperation/);
  assert.equal(result.types.length, 4);
  assert.ok(!regionsMock.commandCalls(DescribeRegionsCommand)[0].args[0].input.AllRegions);
});
