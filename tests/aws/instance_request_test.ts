import assert from "node:assert/strict";
import {
  countsOverLimit,
  parseInstanceRequests,
} from "../../plugins/aws/launch/instance-request.ts";
import { LaunchInputSchema } from "../../steps/launch.ts";

const base = { subnet_id: "subnet-0123456789abcdef1", key_name: "k" };

Deno.test("instance_types accepts a list of type[:count] and merges repeated types", () => {
  const { requests, issues } = parseInstanceRequests(["c7i.large:2", "m7i.xlarge", "c7i.large"]);
  assert.deepEqual(issues, []);
  assert.deepEqual(requests, [
    { instanceType: "c7i.large", count: 3 },
    { instanceType: "m7i.xlarge", count: 1 },
  ]);
});

Deno.test("instance_types accepts a comma-separated string from --set", () => {
  const parsed = LaunchInputSchema.parse({ ...base, instance_types: "c7i.large:2, m7i.xlarge" });
  assert.deepEqual(parsed.instance_types, [
    { instanceType: "c7i.large", count: 2 },
    { instanceType: "m7i.xlarge", count: 1 },
  ]);
});

for (
  const [entry, pattern] of [
    ["c7i.large:0", /count "0" in "c7i.large:0" must be a positive integer/],
    ["c7i.large:-1", /count "-1" .* must be a positive integer/],
    ["c7i.large:two", /count "two" .* must be a positive integer/],
    ["c7i.large:1.5", /count "1.5" .* must be a positive integer/],
    ["c7ilarge", /"c7ilarge" is not an instance type name/],
  ] as const
) {
  Deno.test(`instance_types entry ${entry} is a validation error naming the entry and its index`, () => {
    const result = LaunchInputSchema.safeParse({
      ...base,
      instance_types: ["m7i.large", entry],
    });
    assert.equal(result.success, false);
    const issue = result.error!.issues[0];
    assert.deepEqual(issue.path, ["instance_types", 1]);
    assert.match(issue.message, pattern);
    assert.ok(issue.message.includes(`"${entry}"`));
  });
}

Deno.test("an empty instance_types list is a validation error", () => {
  const result = LaunchInputSchema.safeParse({ ...base, instance_types: [] });
  assert.equal(result.success, false);
  assert.match(result.error!.issues[0].message, /no instance types given/);
});

Deno.test("launch input applies the documented defaults", () => {
  const parsed = LaunchInputSchema.parse({ ...base, instance_types: ["c7i.large"] });
  assert.equal(parsed.wait_timeout, 600);
  assert.equal(parsed.name_prefix, "ptp-runner");
  assert.equal(parsed.allow_unsupported, false);
  assert.equal(parsed.create_placement_group, false);
  assert.deepEqual(parsed.security_group_ids, []);
});

Deno.test("launch input rejects unknown keys", () => {
  const result = LaunchInputSchema.safeParse({
    ...base,
    instance_types: ["c7i.large"],
    subnet: "x",
  });
  assert.equal(result.success, false);
});

Deno.test('empty strings for optional launch inputs mean absent (pipeline defaults of "")', () => {
  const parsed = LaunchInputSchema.parse({
    ...base,
    instance_types: ["c7i.large"],
    placement_group: "",
    ami_id: "",
    private_key: "",
    region: "",
  });
  assert.equal(parsed.placement_group, undefined);
  assert.equal(parsed.ami_id, undefined);
  assert.equal(parsed.private_key, undefined);
  assert.equal(parsed.region, undefined);
});

Deno.test("a malformed ami_id is a validation error saying the expected form", () => {
  const result = LaunchInputSchema.safeParse({
    ...base,
    instance_types: ["c7i.large"],
    ami_id: "img-1",
  });
  assert.equal(result.success, false);
  assert.deepEqual(result.error!.issues[0].path, ["ami_id"]);
  assert.match(result.error!.issues[0].message, /ami-0123456789abcdef0/);
});

Deno.test("counts that are not safe integers are refused, and counts over the per-type limit are named with the flag", () => {
  const { issues } = parseInstanceRequests("c7i.large:9007199254740993");
  assert.equal(issues.length, 1);
  assert.match(issues[0].message, /positive integer/);
  const { requests } = parseInstanceRequests("c7i.large:51,m7i.large:50");
  assert.deepEqual(countsOverLimit(requests), [
    "instance_types: c7i.large:51 asks for more than 50 instances of one type; pass --max-instances 51 to allow it",
  ]);
  assert.deepEqual(countsOverLimit(requests, 51), []);
});
