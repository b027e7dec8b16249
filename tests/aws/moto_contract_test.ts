/**
 * Contract test against moto (an EC2/SSM/STS endpoint this project did not
 * write), where it is installed: launch and cleanup through the real SDK.
 * moto has no placement groups, so the launch runs without one. The key pair
 * is imported (RSA): moto computes an imported RSA key's fingerprint as AWS
 * does (MD5 of the DER public key), while for keys it creates it hashes the
 * public key with SHA-1 instead of the private key as AWS documents.
 */
import { motoServerPath, startMotoServer } from "../helpers/moto.ts";
import assert from "node:assert/strict";
import { DescribeSubnetsCommand, EC2Client, ImportKeyPairCommand } from "@aws-sdk/client-ec2";
import { generateKeyPairSync } from "node:crypto";
import { utils } from "ssh2";
import launch, { LaunchInputSchema } from "../../steps/launch.ts";
import cleanup from "../../steps/cleanup.ts";
import { makeTestContext } from "../helpers/context.ts";

const moto = motoServerPath();
if (!moto) console.log("notice: moto_server not found; skipping the moto contract test");

Deno.test({
  name:
    "moto: launch checks the key fingerprint, launches with IMDSv2 tags, and cleanup terminates",
  ignore: !moto,
  async fn() {
    const server = await startMotoServer(moto!);
    const endpoint = server.endpoint;
    Deno.env.set("AWS_EC2_METADATA_DISABLED", "true");
    Deno.env.set("AWS_ACCESS_KEY_ID", "testing");
    Deno.env.set("AWS_SECRET_ACCESS_KEY", "testing");
    Deno.env.delete("AWS_ENDPOINT_URL");
    const ec2 = new EC2Client({ region: "us-east-1", endpoint });
    try {
      const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
      const pem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
      const parsed = utils.parseKey(pem);
      if (parsed instanceof Error) throw parsed;
      const publicLine = `ssh-rsa ${parsed.getPublicSSH().toString("base64")} contract`;
      await ec2.send(
        new ImportKeyPairCommand({
          KeyName: "contract",
          PublicKeyMaterial: new TextEncoder().encode(publicLine),
        }),
      );
      const keyFile = await Deno.makeTempFile({ suffix: ".pem" });
      await Deno.writeTextFile(keyFile, pem);
      const subnet = (await ec2.send(new DescribeSubnetsCommand({}))).Subnets![0];
      const settings = { region: "us-east-1", aws: { endpoint } };
      const ctx = makeTestContext({ step: { id: "launch", type: "launch" }, settings });
      const out = await launch.run(
        ctx,
        LaunchInputSchema.parse({
          instance_types: ["c7i.large:2", "m7g.large"],
          subnet_id: subnet.SubnetId,
          key_name: "contract",
          private_key: keyFile,
        }),
        new AbortController().signal,
      );
      assert.equal(out.instances.length, 3);
      assert.deepEqual(
        ctx.targets.map((t) => t.expectedArchitecture).sort(),
        ["arm64", "x86_64", "x86_64"],
      );
      assert.ok(ctx.targets.every((t) => t.address));
      const cctx = makeTestContext({
        step: { id: "cleanup", type: "cleanup" },
        settings: { ...settings, keep: "none" },
        targets: [...ctx.targets],
      });
      for (const r of ctx.journal.resources()) await cctx.journal.recordResource(r);
      const outcome = await cleanup.run(
        cctx,
        cleanup.input.parse({}),
        new AbortController().signal,
      );
      assert.equal(outcome.terminated.length, 3);
      assert.equal(outcome.failed.length, 0);
      for (const c of [ctx, cctx]) {
        for (const s of c.serviceMap.values()) (s as { close?: () => void }).close?.();
      }
    } finally {
      ec2.destroy();
      await server.stop();
    }
  },
});
