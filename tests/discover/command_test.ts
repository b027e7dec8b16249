import assert from "node:assert/strict";
import { DescribeInstanceTypesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import {
  commandClientConfig,
  type DiscoverCommandOptions,
  runDiscoverCommand,
} from "../../plugins/discover/command.ts";
import { ValidationError } from "../../runner/errors.ts";
import { ec2Error, fakeAwsEnv, PAGES } from "./catalogue.ts";

fakeAwsEnv();

/** Mocks every EC2Client: regions in `failing` answer their error code, others the catalogue. */
function mockEc2(failing: Record<string, string> = {}) {
  const mock = mockClient(EC2Client);
  mock.on(DescribeInstanceTypesCommand).callsFake(
    async (input: { NextToken?: string }, getClient: () => EC2Client) => {
      const region = await getClient().config.region();
      if (failing[region]) throw ec2Error(failing[region], `${failing[region]} in ${region}`);
      const page = input.NextToken ? Number(input.NextToken) : 0;
      return {
        InstanceTypes: PAGES[page],
        ...(page + 1 < PAGES.length ? { NextToken: String(page + 1) } : {}),
      };
    },
  );
  return mock;
}

async function run(options: DiscoverCommandOptions, isTTY = false) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runDiscoverCommand({ region: ["us-east-1"], ...options }, {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    isTTY,
    color: false,
  });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

Deno.test("discover --output types prints one type:count line launch accepts", async () => {
  const mock = mockEc2();
  try {
    const r = await run({ family: "c7*", supportedOnly: true, output: "types", count: "2" });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, "c7g.large:2,c7i.large:2,c7i.xlarge:2,c7i.2xlarge:2");
  } finally {
    mock.restore();
  }
});

Deno.test("discover prints the other regions in full and exits 1 when one region fails", async () => {
  const mock = mockEc2({ "ap-east-1": "OptInRequired" });
  try {
    const r = await run({
      region: ["us-east-1,ap-east-1", "eu-west-1"],
      output: "json",
      name: "c7i.large",
    });
    assert.equal(r.code, 1);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(doc.instance_types, ["c7i.large:1"]);
    assert.deepEqual(doc.types[0].regions, ["us-east-1", "eu-west-1"]);
    assert.deepEqual(doc.regions.map((x: { region: string }) => x.region), [
      "us-east-1",
      "ap-east-1",
      "eu-west-1",
    ]);
    assert.match(r.stderr, /region ap-east-1: OptInRequired: OptInRequired in ap-east-1/);
  } finally {
    mock.restore();
  }
});

Deno.test("discover shows a table on a TTY and JSON otherwise", async () => {
  const mock = mockEc2();
  try {
    const tty = await run({}, true);
    const header = tty.stdout.split("\n")[0];
    for (
      const col of [
        "instance type",
        "family",
        "PhcSupport",
        "arch",
        "ENA",
        "vCPUs",
        "memory GiB",
        "precision-time",
      ]
    ) {
      assert.ok(header.includes(col), `table lacks ${col}`);
    }
    const c8i = tty.stdout.split("\n").find((l) => l.startsWith("c8i.large"))!;
    assert.match(c8i, /^c8i\.large\s+c8i\s+unknown\s+x86_64\s+required\s+2\s+4\s+no$/);
    const t2 = tty.stdout.split("\n").find((l) => l.startsWith("t2.micro"))!;
    assert.match(t2, /\s1\s+-$/, "memory 1 GiB, no strategies reported");
    assert.match(
      tty.stdout,
      /8 type\(s\), 4 with PhcSupport supported, 1 unknown; region\(s\): us-east-1/,
    );
    const piped = await run({});
    assert.equal(JSON.parse(piped.stdout).types.length, 8);
  } finally {
    mock.restore();
  }
});

Deno.test("discover rejects bad --count, --output, --arch and --region values naming the flag", async () => {
  const cases: [DiscoverCommandOptions, string][] = [
    [{ count: "0" }, "--count"],
    [{ count: "two" }, "--count"],
    [{ output: "yaml" }, "--output"],
    [{ arch: "i386" }, "--arch"],
    [{ region: ["us-east-1,nowhere"] }, "--region"],
  ];
  for (const [options, flag] of cases) {
    await assert.rejects(
      () => run(options),
      (e: unknown) => e instanceof ValidationError && e.issues[0].source === flag,
      flag,
    );
  }
});

Deno.test("discover without any region says how to give one", async () => {
  const saved = [Deno.env.get("AWS_REGION"), Deno.env.get("AWS_DEFAULT_REGION")];
  Deno.env.delete("AWS_REGION");
  Deno.env.delete("AWS_DEFAULT_REGION");
  Deno.env.set("AWS_CONFIG_FILE", "/nonexistent/ptp-runner-test-config");
  try {
    await assert.rejects(
      () => runDiscoverCommand({}, { stdout() {}, stderr() {}, isTTY: false, color: false }),
      (e: unknown) => e instanceof ValidationError && /no region/.test(e.message),
    );
  } finally {
    Deno.env.delete("AWS_CONFIG_FILE");
    if (saved[0]) Deno.env.set("AWS_REGION", saved[0]);
    if (saved[1]) Deno.env.set("AWS_DEFAULT_REGION", saved[1]);
  }
});

Deno.test("discover command clients take --endpoint and --profile", () => {
  assert.deepEqual(
    commandClientConfig({ endpoint: "http://127.0.0.1:4566", profile: "lab" }, "eu-west-1"),
    {
      region: "eu-west-1",
      endpoint: "http://127.0.0.1:4566",
      profile: "lab",
      maxAttempts: 3,
    },
  );
});
