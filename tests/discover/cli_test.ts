/** `ptp-runner discover` as a subprocess against the simulator's fake EC2 endpoint. */
import assert from "node:assert/strict";
import { startSimulator } from "../../sim/mod.ts";
import type { SimHostFleet } from "../../sim/types.ts";

const main = new URL("../../main.ts", import.meta.url).pathname;
const config = new URL("../../deno.json", import.meta.url).pathname;

async function cli(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-P=cli", "--config", config, main, "discover", ...args],
    env: {
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_ACCESS_KEY_ID: "AKIDTESTTESTTEST",
      AWS_SECRET_ACCESS_KEY: "test-secret",
      NO_COLOR: "1",
      ...env,
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout).trim(), stderr: text(out.stderr) };
}

const noHosts = (): SimHostFleet => ({
  launch: () => {
    throw new Error("discover must not launch instances");
  },
  get: () => undefined,
  stopAll: () => Promise.resolve(),
});

Deno.test("ptp-runner discover --output types prints the type:count line and exits 0", async () => {
  const sim = await startSimulator({ hostFleet: noHosts });
  try {
    const r = await cli([
      "--region",
      sim.region,
      "--endpoint",
      sim.endpoint,
      "--family",
      "c7g,m7g",
      "--supported-only",
      "--output",
      "types",
      "--count",
      "2",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "c7g.large:2,c7g.xlarge:2,m7g.large:2,m7g.xlarge:2");
  } finally {
    await sim.stop();
  }
});

Deno.test("ptp-runner discover exits 2 naming the flag for a bad --count", async () => {
  const r = await cli(["--region", "us-east-1", "--count", "0"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--count: "0" is not a positive integer/);
});
