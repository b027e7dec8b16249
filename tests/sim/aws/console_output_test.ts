import assert from "node:assert/strict";
import { GetConsoleOutputCommand, RunInstancesCommand } from "@aws-sdk/client-ec2";
import { FAKE_FINGERPRINT } from "./fake-fleet.ts";
import { startFixture } from "./helpers.ts";

function decode(base64: string): string {
  return new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
}

Deno.test("GetConsoleOutput shows the host key fingerprints only after boot, base64-encoded", async () => {
  const f = await startFixture({ manualTime: true });
  try {
    const out = await f.ec2.send(
      new RunInstancesCommand({
        ImageId: "ami-05e6f7a8b9c0d1e2f",
        InstanceType: "c7i.large",
        MinCount: 1,
        MaxCount: 1,
        KeyName: f.sim.keyPairName,
      }),
    );
    const id = out.Instances![0].InstanceId!;
    const early = await f.ec2.send(new GetConsoleOutputCommand({ InstanceId: id }));
    assert.equal(early.InstanceId, id);
    assert.equal(early.Output, undefined, "no console output while pending");

    f.advance(30); // boot (20 s) + sshd delay (10 s)
    const later = await f.ec2.send(new GetConsoleOutputCommand({ InstanceId: id }));
    assert.ok(later.Output, "console output present after boot");
    const between = decode(later.Output!).split("-----BEGIN SSH HOST KEY FINGERPRINTS-----")[1]
      ?.split("-----END SSH HOST KEY FINGERPRINTS-----")[0];
    assert.equal(between?.trim(), FAKE_FINGERPRINT);
  } finally {
    await f.close();
  }
});
