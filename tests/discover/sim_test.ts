/**
 * discover against the built-in simulator's fake EC2 endpoint (real SDK
 * clients over HTTP on 127.0.0.1): its catalogue needs two
 * DescribeInstanceTypes pages and has a type without a PhcSupport key.
 */
import assert from "node:assert/strict";
import { runDiscoverCommand } from "../../plugins/discover/command.ts";
import { startSimulator } from "../../sim/mod.ts";
import type { SimHostFleet } from "../../sim/types.ts";
import { InstanceTypesSchema } from "../../steps/launch.ts";
import discoverStep from "../../steps/discover.ts";
import { makeTestContext } from "../helpers/context.ts";
import { fakeAwsEnv } from "./catalogue.ts";

fakeAwsEnv();

/** discover launches nothing: a fleet that refuses launches keeps the test free of SSH servers. */
const noHosts = (): SimHostFleet => ({
  launch: () => {
    throw new Error("discover must not launch instances");
  },
  get: () => undefined,
  stopAll: () => Promise.resolve(),
});

async function withSimulator(
  fn: (sim: Awaited<ReturnType<typeof startSimulator>>) => Promise<void>,
) {
  const sim = await startSimulator({ hostFleet: noHosts });
  try {
    await fn(sim);
  } finally {
    await sim.stop();
  }
}

async function command(options: Parameters<typeof runDiscoverCommand>[0]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runDiscoverCommand(options, {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    isTTY: false,
    color: false,
  });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

Deno.test("discover reads both pages of the simulator's catalogue and reports absent PhcSupport as unknown", async () => {
  await withSimulator(async (sim) => {
    const r = await command({ region: [sim.region], endpoint: sim.endpoint, output: "json" });
    assert.equal(r.code, 0, r.stderr);
    const pages = sim.requests().filter((q) => q.action === "DescribeInstanceTypes");
    assert.ok(pages.length >= 2, `expected at least two pages, got ${pages.length}`);
    const doc = JSON.parse(r.stdout);
    const byName = Object.fromEntries(
      doc.types.map((t: { instance_type: string }) => [t.instance_type, t]),
    );
    assert.ok(doc.types.length > 20, "more types than one page holds");
    assert.equal(byName["c8i.large"].phc_support, "unknown");
    assert.equal(byName["c7i.large"].phc_support, "supported");
    assert.equal(byName["c7i.large"].precision_time, true);
    assert.equal(byName["t3.micro"].phc_support, "unsupported");
    assert.equal(byName["t3.micro"].precision_time, false);
    assert.deepEqual(byName["c7g.large"].architectures, ["arm64"]);
  });
});

Deno.test("discover step over all enabled simulator regions feeds the launch input", async () => {
  await withSimulator(async (sim) => {
    const ctx = makeTestContext({
      step: { id: "discover", type: "discover" },
      settings: { region: sim.region, aws: { endpoint: sim.endpoint } },
    });
    const input = discoverStep.input.parse({
      regions: "all",
      family: "c7*",
      name: "*.large",
      supported_only: true,
    });
    const out = discoverStep.output.parse(
      await discoverStep.run(ctx, input, new AbortController().signal),
    );
    assert.ok(
      out.regions.length > 1 && out.regions.every((r) => !r.error),
      JSON.stringify(out.regions),
    );
    assert.ok(!out.regions.some((r) => r.region === "af-south-1"), "not-opted-in region queried");
    assert.deepEqual(out.instance_types, ["c7g.large:1", "c7i.large:1"]);
    assert.deepEqual(InstanceTypesSchema.parse(out.instance_types.join(",")), [
      { instanceType: "c7g.large", count: 1 },
      { instanceType: "c7i.large", count: 1 },
    ]);
    assert.ok(
      ctx.events.some((e) => e.type === "aws-call" && e.operation === "DescribeInstanceTypes"),
    );
  });
});

Deno.test("discover command honours AWS_ENDPOINT_URL and exits 1 when every region refuses", async () => {
  await withSimulator(async (sim) => {
    Deno.env.set("AWS_ENDPOINT_URL", sim.endpoint);
    try {
      const ok = await command({
        region: [sim.region],
        output: "types",
        family: "r7g",
        supportedOnly: true,
      });
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(ok.stdout, "r7g.large:1");
      sim.faults.expiredCredentials = true;
      const refused = await command({ region: [sim.region], output: "types" });
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /region us-east-1: (ExpiredToken|RequestExpired)/);
    } finally {
      Deno.env.delete("AWS_ENDPOINT_URL");
    }
  });
});
