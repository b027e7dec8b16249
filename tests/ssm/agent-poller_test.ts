/**
 * The region's shared SSM agent poller (plugins/ssm/agent-poller.ts): looks
 * asked for together go out as one DescribeInstanceInformation per region,
 * filtered on all their instance ids (at most 50 per call), as the
 * simulator's request log shows; an aborted look leaves the others alone;
 * a batch refused with InvalidInstanceId is asked again one id at a time.
 */
import assert from "node:assert/strict";
import { DescribeInstanceInformationCommand, SSMClient } from "@aws-sdk/client-ssm";
import { SIM_CREDENTIALS, type SimulatorHandle, startSimulator } from "../../sim/mod.ts";
import { AgentPoller, IDS_PER_CALL } from "../../plugins/ssm/agent-poller.ts";
import { waitForAgentOnline } from "../../plugins/ssm/agent.ts";
import { RegionRateLimiter } from "../../plugins/ssm/rate-limiter.ts";
import type { SsmSender } from "../../plugins/ssm/send.ts";
import { FakeSsm } from "./fake-ssm.ts";

Deno.env.set("AWS_EC2_METADATA_DISABLED", "true");

const NO_WAIT = { now: () => 0, sleep: () => Promise.resolve() };
const QUIET = { debug() {}, warn() {} };

function senderFor(client: SSMClient, region: string): SsmSender {
  return { client, limiter: new RegionRateLimiter(region, 1000, NO_WAIT), log: QUIET };
}

/** Per region, the instance ids of each DescribeInstanceInformation the simulator answered. */
function describeCalls(sim: SimulatorHandle): Map<string, string[][]> {
  const calls = new Map<string, string[][]>();
  for (const r of sim.requests()) {
    if (r.service !== "ssm" || r.action !== "DescribeInstanceInformation") continue;
    const filters = r.params.Filters as { Key: string; Values: string[] }[];
    const ids = filters.find((f) => f.Key === "InstanceIds")?.Values ?? [];
    const region = r.region ?? "?";
    calls.set(region, [...calls.get(region) ?? [], ids]);
  }
  return calls;
}

/** Waits for every instance's agent through one poller per region; returns the calls made. */
async function waitAll(count: number): Promise<Map<string, string[][]>> {
  const regions = ["us-east-1", "eu-west-1"];
  const sim = await startSimulator({
    speed: 1000,
    existingInstances: [{
      instance_type: "c7i.large",
      count,
      regions,
      tags: { fleet: "t" },
      iam_instance_profile: "ssm-core",
    }],
  });
  const clients = regions.map((region) =>
    new SSMClient({
      endpoint: sim.endpoint,
      region,
      credentials: { ...SIM_CREDENTIALS },
      maxAttempts: 1,
    })
  );
  try {
    const pollers = new Map(regions.map((r) => [r, new AgentPoller(r)]));
    const senders = new Map(regions.map((r, i) => [r, senderFor(clients[i], r)]));
    const infos = await Promise.all(
      sim.instances().map((i) =>
        waitForAgentOnline(
          senders.get(i.region)!,
          NO_WAIT,
          i.instanceId,
          { timeoutSeconds: 60 },
          undefined,
          (s, id, signal) => pollers.get(i.region)!.look(s, id, signal),
        )
      ),
    );
    assert.deepEqual(
      infos.map((a) => a.instanceId),
      sim.instances().map((i) => i.instanceId),
    );
    assert.ok(infos.every((a) => a.pingStatus === "Online" && a.agentVersion));
    return describeCalls(sim);
  } finally {
    for (const c of clients) c.destroy();
    await sim.stop();
  }
}

Deno.test("agent poller: N targets waiting together cost one DescribeInstanceInformation per region", async () => {
  const calls = await waitAll(8);
  assert.deepEqual([...calls.keys()].sort(), ["eu-west-1", "us-east-1"]);
  for (const [region, list] of calls) {
    assert.equal(list.length, 1, `one call in ${region}`);
    assert.equal(list[0].length, 4, `covering the region's 4 targets in ${region}`);
  }
});

Deno.test("agent poller: more than 50 waiting targets of a region are asked about 50 per call", async () => {
  const calls = await waitAll(2 * (IDS_PER_CALL + 5));
  for (const list of calls.values()) {
    assert.deepEqual(list.map((ids) => ids.length), [IDS_PER_CALL, 5]);
  }
});

Deno.test("agent poller: an aborted look rejects with its reason; the others get their answer", async () => {
  const fake = new FakeSsm(() => ({}));
  try {
    const sender = senderFor(fake.client, "us-east-1");
    const poller = new AgentPoller("us-east-1");
    const abort = new AbortController();
    const gone = poller.look(sender, "i-0000000000000000a", abort.signal);
    const kept = poller.look(sender, "i-0000000000000000b");
    abort.abort(new Error("stop"));
    await assert.rejects(gone, /stop/);
    assert.equal((await kept)?.InstanceId, "i-0000000000000000b");
    assert.equal(fake.calls.DescribeInstanceInformation, 1);
  } finally {
    fake.mock.restore();
  }
});

Deno.test("agent poller: a batch refused with InvalidInstanceId is asked again one id at a time", async () => {
  const fake = new FakeSsm(() => ({}));
  const asked: string[][] = [];
  fake.mock.on(DescribeInstanceInformationCommand).callsFake((input) => {
    const ids: string[] = input.Filters?.[0]?.Values ?? [];
    asked.push(ids);
    if (ids.includes("i-0000000000000bad0")) {
      throw Object.assign(new Error("Instance Id i-0000000000000bad0 is not valid"), {
        name: "InvalidInstanceId",
        $metadata: { httpStatusCode: 400 },
      });
    }
    return { InstanceInformationList: ids.map((id) => ({ InstanceId: id, PingStatus: "Online" })) };
  });
  try {
    const sender = senderFor(fake.client, "us-east-1");
    const poller = new AgentPoller("us-east-1");
    const good = poller.look(sender, "i-0000000000000good");
    const bad = poller.look(sender, "i-0000000000000bad0");
    assert.equal((await good)?.PingStatus, "Online");
    await assert.rejects(bad, /agent of i-0000000000000bad0 .*InvalidInstanceId/);
    assert.deepEqual(asked, [
      ["i-0000000000000good", "i-0000000000000bad0"],
      ["i-0000000000000good"],
      ["i-0000000000000bad0"],
    ]);
  } finally {
    fake.mock.restore();
  }
});
