import assert from "node:assert/strict";
import {
  DescribeInstanceTypesCommand,
  type InstanceTypeInfo,
  paginateDescribeInstanceTypes,
} from "@aws-sdk/client-ec2";
import { rejection, startFixture } from "./helpers.ts";

Deno.test("DescribeInstanceTypes of the default catalogue needs two pages through the SDK paginator", async () => {
  const f = await startFixture();
  try {
    const pages: InstanceTypeInfo[][] = [];
    for await (const page of paginateDescribeInstanceTypes({ client: f.ec2 }, {})) {
      pages.push(page.InstanceTypes ?? []);
    }
    assert.ok(pages.length >= 2, `expected at least 2 pages, got ${pages.length}`);
    const names: string[] = pages.flat().map((t) => t.InstanceType!);
    assert.equal(new Set(names).size, names.length, "no type is listed twice");
    for (
      const required of [
        "c7i.large",
        "c7i.xlarge",
        "m7i.large",
        "m7i.xlarge",
        "r7i.large",
        "c7g.large",
        "m7g.large",
        "r7g.large",
        "m6i.large",
        "c6i.large",
        "t3.micro",
        "t3.small",
        "c8i.large",
        "m7a.large",
        "t2.micro",
      ]
    ) {
      assert.ok(names.includes(required), `${required} is in the catalogue`);
    }
    const described = await f.ec2.send(new DescribeInstanceTypesCommand({ MaxResults: 5 }));
    assert.equal(described.InstanceTypes!.length, 5);
    assert.ok(described.NextToken);
  } finally {
    await f.close();
  }
});

Deno.test("DescribeInstanceTypes reports PhcSupport supported, unsupported, or leaves it undefined when absent", async () => {
  const f = await startFixture();
  try {
    const out = await f.ec2.send(
      new DescribeInstanceTypesCommand({
        InstanceTypes: ["c7i.large", "m6i.large", "c8i.large", "c7g.large", "t2.micro", "t3.micro"],
      }),
    );
    const byName = new Map(out.InstanceTypes!.map((t) => [t.InstanceType!, t]));
    assert.equal(byName.size, 6);
    assert.equal(byName.get("c7i.large")!.PhcSupport, "supported");
    assert.equal(byName.get("m6i.large")!.PhcSupport, "unsupported");
    assert.equal(byName.get("c8i.large")!.PhcSupport, undefined);
    const c7i = byName.get("c7i.large")!;
    assert.deepEqual(c7i.ProcessorInfo?.SupportedArchitectures, ["x86_64"]);
    assert.equal(c7i.VCpuInfo?.DefaultVCpus, 2);
    assert.equal(c7i.MemoryInfo?.SizeInMiB, 4096);
    assert.equal(c7i.NetworkInfo?.EnaSupport, "required");
    assert.equal(c7i.Hypervisor, "nitro");
    // The SDK's PlacementGroupStrategy type predates precision-time; the wire value passes through.
    const strategiesOf = (t: InstanceTypeInfo): string[] =>
      t.PlacementGroupInfo?.SupportedStrategies ?? [];
    assert.ok(strategiesOf(c7i).includes("precision-time"));
    assert.deepEqual(byName.get("c7g.large")!.ProcessorInfo?.SupportedArchitectures, ["arm64"]);
    const t2 = byName.get("t2.micro")!;
    assert.equal(t2.Hypervisor, "xen");
    assert.equal(t2.NetworkInfo?.EnaSupport, "unsupported");
    assert.ok(
      !strategiesOf(byName.get("t3.micro")!).includes("precision-time"),
    );
  } finally {
    await f.close();
  }
});

Deno.test("DescribeInstanceTypes refuses unknown types with InvalidInstanceType naming them", async () => {
  const f = await startFixture();
  try {
    const error = await rejection(f.ec2.send(
      new DescribeInstanceTypesCommand({
        InstanceTypes: ["c7i.large", "c7i.mega" as never, "x9.tiny" as never],
      }),
    ));
    assert.equal(error.name, "InvalidInstanceType");
    assert.match(error.message, /c7i\.mega, x9\.tiny/);
  } finally {
    await f.close();
  }
});

Deno.test("DescribeInstanceTypes filters by instance-type wildcard and architecture", async () => {
  const f = await startFixture();
  try {
    const out = await f.ec2.send(
      new DescribeInstanceTypesCommand({
        Filters: [
          { Name: "instance-type", Values: ["*7g.*"] },
          { Name: "processor-info.supported-architecture", Values: ["arm64"] },
        ],
      }),
    );
    const names = out.InstanceTypes!.map((t) => t.InstanceType).sort();
    assert.deepEqual(names, ["c7g.large", "c7g.xlarge", "m7g.large", "m7g.xlarge", "r7g.large"]);
  } finally {
    await f.close();
  }
});

Deno.test("a bad pagination token is refused with InvalidPaginationToken", async () => {
  const f = await startFixture();
  try {
    const error = await rejection(f.ec2.send(
      new DescribeInstanceTypesCommand({
        NextToken: "bm90LWEtdG9rZW4=",
      }),
    ));
    assert.equal(error.name, "InvalidPaginationToken");
  } finally {
    await f.close();
  }
});
