import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import {
  EC2Client,
  GetConsoleOutputCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
  waitUntilInstanceRunning,
  waitUntilInstanceTerminated,
} from "@aws-sdk/client-ec2";
import ssh2 from "ssh2";
import { SIM_CREDENTIALS, startSimulator } from "../../../sim/mod.ts";

Deno.env.set("AWS_EC2_METADATA_DISABLED", "true");

/** Runs `command` over SSH; resolves stdout and the host key's SHA256 fingerprint (no padding). */
function sshExec(
  host: string,
  port: number,
  privateKey: string,
  command: string,
): Promise<{ stdout: string; hostKeyFingerprint: string }> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    let hostKeyFingerprint = "";
    client.on("ready", () => {
      client.exec(command, (error, stream) => {
        if (error) return reject(error);
        let stdout = "";
        stream.on("data", (d: Uint8Array) => (stdout += new TextDecoder().decode(d)));
        stream.stderr.on("data", () => {});
        stream.on("close", () => {
          client.end();
          resolve({ stdout, hostKeyFingerprint });
        });
      });
    }).on("error", reject).connect({
      host,
      port,
      username: "ec2-user",
      privateKey,
      readyTimeout: 5000,
      hostVerifier: (key: Buffer) => {
        hostKeyFingerprint = createHash("sha256").update(key).digest("base64").replace(/=+$/, "");
        return true;
      },
    });
  });
}

Deno.test("an instance launched through the endpoint is reachable over SSH at its own address with the key pair, and its console shows that host key", async () => {
  const sim = await startSimulator({ speed: 500 });
  const ec2 = new EC2Client({
    endpoint: sim.endpoint,
    region: sim.region,
    credentials: { ...SIM_CREDENTIALS },
    maxAttempts: 1,
  });
  try {
    const out = await ec2.send(
      new RunInstancesCommand({
        ImageId: "ami-0f1e2d3c4b5a69788",
        InstanceType: "m7g.large",
        MinCount: 1,
        MaxCount: 1,
        KeyName: sim.keyPairName,
        SubnetId: sim.subnetId,
        SecurityGroupIds: [sim.securityGroupId],
        Placement: { GroupName: sim.placementGroupName },
      }),
    );
    const instance = out.Instances![0];
    const id = instance.InstanceId!;
    await waitUntilInstanceRunning(
      { client: ec2, minDelay: 0.01, maxDelay: 0.05, maxWaitTime: 20 },
      { InstanceIds: [id] },
    );
    await sim.clock.sleep(12); // sshd comes up ssh_delay_seconds (10) after running

    const key = await Deno.readTextFile(sim.privateKeyPath);
    // sshd "comes up" at a simulated time; on a loaded machine the listener may take a few
    // real milliseconds more, so a refused connection is retried briefly (bounded: 5 s).
    const connect = () => sshExec(instance.PrivateIpAddress!, sim.sshPort, key, "uname -m");
    let result: Awaited<ReturnType<typeof sshExec>> | undefined;
    for (let attempt = 0; result === undefined; attempt++) {
      try {
        result = await connect();
      } catch (error) {
        const refused = (error as { code?: string }).code === "ECONNREFUSED";
        if (!refused || attempt >= 50) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const { stdout, hostKeyFingerprint } = result;
    assert.equal(stdout.trim(), "aarch64");

    const console = await ec2.send(new GetConsoleOutputCommand({ InstanceId: id }));
    const text = Buffer.from(console.Output!, "base64").toString("utf8");
    const block = text.split("-----BEGIN SSH HOST KEY FINGERPRINTS-----")[1]
      .split("-----END SSH HOST KEY FINGERPRINTS-----")[0];
    assert.ok(
      block.includes(`SHA256:${hostKeyFingerprint}`),
      `console fingerprints ${block} include the presented host key ${hostKeyFingerprint}`,
    );

    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    await waitUntilInstanceTerminated(
      { client: ec2, minDelay: 0.01, maxDelay: 0.05, maxWaitTime: 20 },
      { InstanceIds: [id] },
    );
    await assert.rejects(sshExec(instance.PrivateIpAddress!, sim.sshPort, key, "true"));
  } finally {
    ec2.destroy();
    await sim.stop();
  }
});
