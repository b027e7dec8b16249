import assert from "node:assert/strict";
import { InstanceTypesSchema } from "../../steps/launch.ts";
import { parseInstanceRequests } from "../../plugins/aws/launch/instance-request.ts";
import { StepError } from "../../runner/errors.ts";
import discoverStep from "../../steps/discover.ts";
import { makeTestContext } from "../helpers/context.ts";
import { failingClient, fakeAwsEnv, pagedClient } from "../discover/catalogue.ts";

fakeAwsEnv();

function context(services: Record<string, unknown>, region?: string) {
  return makeTestContext({
    step: { id: "discover", type: "discover" },
    settings: { region },
    services,
  });
}

const run = (ctx: ReturnType<typeof context>, input: Record<string, unknown>) =>
  discoverStep.run(ctx, discoverStep.input.parse(input), new AbortController().signal)
    .then((out) => discoverStep.output.parse(out));

Deno.test("discover step outputs type:count entries the launch step's instance_types accepts", async () => {
  const ctx = context({ "aws:ec2:us-east-1": pagedClient("us-east-1").client }, "us-east-1");
  const out = await run(ctx, { family: "c7*", supported_only: true, count: 2 });
  assert.deepEqual(out.instance_types, [
    "c7g.large:2",
    "c7i.large:2",
    "c7i.xlarge:2",
    "c7i.2xlarge:2",
  ]);
  const expected = [
    { instanceType: "c7g.large", count: 2 },
    { instanceType: "c7i.large", count: 2 },
    { instanceType: "c7i.xlarge", count: 2 },
    { instanceType: "c7i.2xlarge", count: 2 },
  ];
  // As a list (pipeline expression) and as the comma-separated `--set` form.
  assert.deepEqual(InstanceTypesSchema.parse(out.instance_types), expected);
  assert.deepEqual(InstanceTypesSchema.parse(out.instance_types.join(",")), expected);
  assert.deepEqual(parseInstanceRequests(out.instance_types.join(",")).issues, []);
  assert.deepEqual(out.regions, [{ region: "us-east-1", listed: 8 }]);
  assert.equal(out.types[0].phc_support, "supported");
});

Deno.test("discover step keeps unknown PhcSupport unless supported_only", async () => {
  const ctx = context({ "aws:ec2:us-east-1": pagedClient("us-east-1").client }, "us-east-1");
  const out = await run(ctx, { family: "c8i" });
  assert.deepEqual(out.types.map((t) => [t.instance_type, t.phc_support]), [[
    "c8i.large",
    "unknown",
  ]]);
  const ctx2 = context({ "aws:ec2:us-east-1": pagedClient("us-east-1").client }, "us-east-1");
  await assert.rejects(
    () => run(ctx2, { family: "c8i", supported_only: true }),
    /no instance type matched/,
  );
});

Deno.test("discover step warns about a failed region and returns the others", async () => {
  const ctx = context({
    "aws:ec2:us-east-1": pagedClient("us-east-1").client,
    "aws:ec2:me-south-1": failingClient("me-south-1", "OptInRequired"),
  });
  const out = await run(ctx, { regions: "us-east-1,me-south-1", family: "c7g" });
  assert.deepEqual(out.instance_types, ["c7g.large:1"]);
  assert.match(out.regions[1].error ?? "", /^OptInRequired/);
  assert.ok(
    ctx.events.some((e) =>
      e.type === "log" && e.level === "warn" && e.message.includes("me-south-1")
    ),
  );
});

Deno.test("discover step fails with kind auth when every region refuses", async () => {
  const ctx = context({ "aws:ec2:eu-west-1": failingClient("eu-west-1", "AuthFailure") });
  await assert.rejects(
    () => run(ctx, { regions: ["eu-west-1"] }),
    (e: unknown) => e instanceof StepError && e.kind === "auth" && /AuthFailure/.test(e.message),
  );
});

Deno.test("discover step without any region fails with kind config naming the fixes", async () => {
  const saved = [Deno.env.get("AWS_REGION"), Deno.env.get("AWS_DEFAULT_REGION")];
  Deno.env.delete("AWS_REGION");
  Deno.env.delete("AWS_DEFAULT_REGION");
  try {
    await assert.rejects(
      () => run(context({}), {}),
      (e: unknown) => e instanceof StepError && e.kind === "config" && /--region/.test(e.message),
    );
  } finally {
    if (saved[0]) Deno.env.set("AWS_REGION", saved[0]);
    if (saved[1]) Deno.env.set("AWS_DEFAULT_REGION", saved[1]);
  }
});

Deno.test("discover step rejects a malformed region (in its input schema, before the run) and unknown input keys", () => {
  const parsed = discoverStep.input.safeParse({ regions: "us-east-1,mars" });
  assert.equal(parsed.success, false);
  assert.match(parsed.error?.issues[0].message ?? "", /"mars" is not a region name/);
  assert.equal(discoverStep.input.safeParse({ familly: "c7*" }).success, false);
  assert.equal(discoverStep.input.safeParse({ count: 0 }).success, false);
});

Deno.test("discover step with allow_empty returns an empty list instead of failing", async () => {
  const ctx = context({ "aws:ec2:us-east-1": pagedClient("us-east-1").client }, "us-east-1");
  const out = await run(ctx, { family: "z9", allow_empty: true });
  assert.deepEqual(out.instance_types, []);
});
