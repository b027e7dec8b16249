import assert from "node:assert/strict";
import { resolveInputs } from "../../runner/inputs.ts";
import type { Pipeline } from "../../runner/pipeline/model.ts";
import { issueAt, issuesOf, loadText, writeTemp } from "./helpers.ts";

const PIPELINE = `name: inputs
inputs:
  region: { type: string, default: us-east-1 }
  subnet_id: { type: string, required: true, description: Subnet to launch into }
  count: { type: integer, default: 1 }
  ratio: { type: number, default: 0.5 }
  dry: { type: boolean, default: false }
  types: { type: array, items: string, default: [c7i.large] }
  ports: { type: array, items: integer }
  tags: { type: object }
  mode: { type: string, enum: [fast, careful], default: careful }
  token: { type: string, secret: true }
steps:
  - uses: noop
`;

let cached: Pipeline | undefined;
async function pipeline(): Promise<Pipeline> {
  return cached ??= await loadText(PIPELINE);
}

Deno.test("--set beats --config beats simulator defaults beats pipeline defaults", async () => {
  const config = await writeTemp(
    "region: eu-west-1\ncount: 3\nsubnet_id: subnet-config\n",
    "c.yaml",
  );
  const resolved = resolveInputs(await pipeline(), {
    set: ["count=5"],
    configFile: config,
    extraDefaults: { region: "sim-region", subnet_id: "subnet-sim", ratio: 0.25, unknown: 1 },
  });
  assert.equal(resolved.values.count, 5);
  assert.equal(resolved.sources.count, "flag");
  assert.equal(resolved.values.region, "eu-west-1");
  assert.equal(resolved.sources.region, "config");
  assert.equal(resolved.values.subnet_id, "subnet-config");
  assert.equal(resolved.values.ratio, 0.25);
  assert.equal(resolved.sources.ratio, "simulator");
  assert.equal(resolved.values.mode, "careful");
  assert.equal(resolved.sources.mode, "default");
  assert.equal("unknown" in resolved.values, false);
  assert.equal("ports" in resolved.values, false);
  assert.deepEqual(resolved.secrets, ["token"]);
});

Deno.test("--set values are converted to the declared input type", async () => {
  const resolved = resolveInputs(await pipeline(), {
    set: [
      "subnet_id=subnet-1",
      "count=7",
      "ratio=1.5",
      "dry=true",
      "types=c7i.large, m7i.large",
      "ports=[22, 2222]",
      'tags={"team": "timing"}',
      "token=a=b",
    ],
  });
  assert.deepEqual(resolved.values.types, ["c7i.large", "m7i.large"]);
  assert.deepEqual(resolved.values.ports, [22, 2222]);
  assert.deepEqual(resolved.values.tags, { team: "timing" });
  assert.equal(resolved.values.count, 7);
  assert.equal(resolved.values.ratio, 1.5);
  assert.equal(resolved.values.dry, true);
  assert.equal(resolved.values.token, "a=b");
  assert.equal(resolved.sources.types, "flag");
});

Deno.test("a later --set of the same input wins", async () => {
  const resolved = resolveInputs(await pipeline(), { set: ["subnet_id=a", "subnet_id=b"] });
  assert.equal(resolved.values.subnet_id, "b");
});

Deno.test("--set of an undeclared input names the flag and the declared inputs", async () => {
  const issues = await issuesOf(async () =>
    resolveInputs(await pipeline(), { set: ["subnet_id=s", "regoin=eu-west-1"] })
  );
  assert.equal(issues.length, 1);
  assert.equal(issues[0].source, "--set");
  assert.equal(issues[0].key, "regoin");
  assert.match(issues[0].message, /the pipeline has no input "regoin"/);
  assert.match(issues[0].message, /did you mean "region"/);
  assert.match(issues[0].message, /declared inputs: region, subnet_id, count/);
});

Deno.test("--set with a wrong type names --set key and the expected type", async () => {
  const issues = await issuesOf(async () =>
    resolveInputs(await pipeline(), {
      set: ["subnet_id=s", "count=two", "dry=yes", "ports=22,x", "tags=[1]", "mode=slow"],
    })
  );
  assert.equal(issues.length, 5);
  assert.match(
    issueAt(issues, "count").message,
    /expected an integer, got "two"; give it as --set count=<integer>/,
  );
  assert.match(
    issueAt(issues, "dry").message,
    /expected true or false, got "yes"; give it as --set dry=<boolean>/,
  );
  assert.match(issueAt(issues, "ports").message, /item "x" is not an integer/);
  assert.match(issueAt(issues, "tags").message, /expected object, got a list/);
  assert.match(issueAt(issues, "mode").message, /expected one of "fast", "careful", got "slow"/);
  assert.ok(issues.every((issue) => issue.source === "--set"));
});

Deno.test("--set without = is an error showing the expected form", async () => {
  const issues = await issuesOf(async () =>
    resolveInputs(await pipeline(), { set: ["subnet_id"] })
  );
  assert.match(issues[0].message, /expected name=value, got "subnet_id"/);
});

Deno.test("a missing required input says how to give it", async () => {
  const issues = await issuesOf(async () => resolveInputs(await pipeline(), {}));
  assert.equal(issues.length, 1);
  assert.equal(issues[0].key, "inputs.subnet_id");
  assert.match(issues[0].message, /input "subnet_id" \(string\) is required/);
  assert.match(issues[0].message, /--set subnet_id=\.\.\. or in the --config file/);
});

Deno.test("a config file with a syntax error is reported with its line and column", async () => {
  const config = await writeTemp("subnet_id: s\ncount: [1, 2\n", "bad.yaml");
  const issues = await issuesOf(async () =>
    resolveInputs(await pipeline(), { configFile: config })
  );
  assert.equal(issues.length, 1);
  assert.equal(issues[0].source, config);
  assert.deepEqual([issues[0].line, issues[0].col], [3, 1]);
  assert.match(issues[0].message, /YAML syntax error/);
});

Deno.test("a JSON config file with a syntax error is reported with its line, as a JSON error", async () => {
  const config = await writeTemp('{\n  "subnet_id": "s",\n  "count": 2,,\n}\n', "bad.json");
  const issues = await issuesOf(async () =>
    resolveInputs(await pipeline(), { configFile: config })
  );
  assert.ok(issues.length >= 1);
  assert.equal(issues[0].line, 3);
  assert.match(issues[0].message, /^JSON syntax error/);
});

Deno.test("unknown keys in a config file are located and list the declared inputs", async () => {
  const config = await writeTemp("subnet_id: s\nsubnet: x\ncount: 2\n", "c.yaml");
  const issues = await issuesOf(async () =>
    resolveInputs(await pipeline(), { configFile: config })
  );
  assert.equal(issues.length, 1);
  const issue = issueAt(issues, "subnet");
  assert.deepEqual([issue.source, issue.line, issue.col], [config, 2, 1]);
  assert.match(issue.message, /unknown input "subnet" \(did you mean "subnet_id"\?\)/);
  assert.match(issue.message, /declared inputs: region, subnet_id/);
});

Deno.test("config values of the wrong type are located and name the expected type", async () => {
  const config = await writeTemp('subnet_id: s\ncount: "3"\ntypes: [c7i.large, 5]\n', "c.yaml");
  const issues = await issuesOf(async () =>
    resolveInputs(await pipeline(), { configFile: config })
  );
  const count = issueAt(issues, "count");
  assert.deepEqual([count.line, count.col], [2, 8]);
  assert.match(count.message, /expected integer, got "3"/);
  assert.match(issueAt(issues, "types").message, /item 1 is 5/);
});

Deno.test("a config string for an array input reads as the same --set text would", async () => {
  const config = await writeTemp(
    "subnet_id: s\ntypes: c7i.large, m7i.xlarge\nports: '22'\n",
    "c.yaml",
  );
  const fromConfig = resolveInputs(await pipeline(), { configFile: config });
  const fromSet = resolveInputs(await pipeline(), {
    set: ["subnet_id=s", "types=c7i.large, m7i.xlarge", "ports=22"],
  });
  assert.deepEqual(fromConfig.values.types, ["c7i.large", "m7i.xlarge"]);
  assert.deepEqual(fromConfig.values.ports, [22]);
  assert.deepEqual(fromConfig.values.types, fromSet.values.types);
  assert.deepEqual(fromConfig.values.ports, fromSet.values.ports);
  assert.equal(fromConfig.sources.types, "config");
});

Deno.test("a config string for an array input that does not parse is located and shows a YAML list", async () => {
  const config = await writeTemp("subnet_id: s\nports: 22,x\n", "c.yaml");
  const issues = await issuesOf(async () =>
    resolveInputs(await pipeline(), { configFile: config })
  );
  const ports = issueAt(issues, "ports");
  assert.deepEqual([ports.source, ports.line, ports.col], [config, 2, 8]);
  assert.match(ports.message, /item "x" is not an integer; write .*ports: \[a, b\]/);
});

Deno.test("an empty entry of an array input names its number and where it was given", async () => {
  const fromSet = await issuesOf(async () =>
    resolveInputs(await pipeline(), { set: ["subnet_id=s", "types=a,,b", "ports=22,"] })
  );
  assert.equal(issueAt(fromSet, "types").source, "--set");
  assert.match(issueAt(fromSet, "types").message, /^entry 2 of 3 is empty in "a,,b"/);
  assert.match(issueAt(fromSet, "ports").message, /^entry 2 of 2 is empty in "22,"/);
  const config = await writeTemp('subnet_id: s\ntypes:\n  - a\n  - ""\nports: 1,,2\n', "c.yaml");
  const fromConfig = await issuesOf(async () =>
    resolveInputs(await pipeline(), { configFile: config })
  );
  const types = issueAt(fromConfig, "types");
  assert.deepEqual([types.source, types.line, types.col], [config, 4, 5]);
  assert.match(types.message, /^entry 2 of 2 is empty/);
  assert.match(issueAt(fromConfig, "ports").message, /^entry 2 of 3 is empty in "1,,2"/);
});

Deno.test("a missing config file is an error naming it", async () => {
  const issues = await issuesOf(async () =>
    resolveInputs(await pipeline(), { configFile: "/nonexistent/inputs.yaml" })
  );
  assert.match(issues[0].message, /config file not found: \/nonexistent\/inputs\.yaml/);
});

Deno.test("defaults are copied, so changing a resolved value leaves the pipeline intact", async () => {
  const p = await pipeline();
  const resolved = resolveInputs(p, { set: ["subnet_id=s"] });
  (resolved.values.types as string[]).push("x");
  assert.deepEqual(p.inputs.types.default, ["c7i.large"]);
});

Deno.test("a required input given with a bad value has that one issue, not also 'is required'", async () => {
  const config = await writeTemp("subnet_id: 5\n", "c.yaml");
  const fromConfig = await issuesOf(async () =>
    resolveInputs(await pipeline(), { configFile: config })
  );
  assert.deepEqual(fromConfig.map((issue) => issue.key), ["subnet_id"]);
  assert.match(fromConfig[0].message, /expected string, got 5/);
  const fromSet = await issuesOf(async () =>
    resolveInputs(
      await loadText(PIPELINE.replace("type: string, required", "type: integer, required")),
      {
        set: ["subnet_id=abc"],
      },
    )
  );
  assert.deepEqual(fromSet.map((issue) => issue.key), ["subnet_id"]);
});

Deno.test("a secret input of 1-2 characters is refused without quoting it; empty or 3 are fine", async () => {
  const issues = await issuesOf(async () =>
    resolveInputs(await pipeline(), { set: ["subnet_id=s", "token=ab"] })
  );
  assert.equal(issues.length, 1);
  assert.equal(issues[0].source, "--set");
  assert.equal(issues[0].key, "token");
  assert.match(issues[0].message, /input "token" is secret and its value is shorter than 3/);
  assert.doesNotMatch(issues[0].message, /\bab\b/);
  const config = await writeTemp("subnet_id: s\ntoken: x\n", "short-secret.yaml");
  const fromConfig = await issuesOf(async () =>
    resolveInputs(await pipeline(), { configFile: config })
  );
  assert.equal(issueAt(fromConfig, "token").source, config);
  for (const token of ["", "abc"]) {
    const resolved = resolveInputs(await pipeline(), { set: ["subnet_id=s", `token=${token}`] });
    assert.equal(resolved.values.token, token);
  }
});
