import assert from "node:assert/strict";
import { Command } from "commander";
import { register } from "../../../cli/sim.ts";
import { runSimCommand, shellQuote } from "../../../sim/serve.ts";
import { fakeFleetFactory } from "./fake-fleet.ts";

function program(): { program: Command; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const p = new Command("ptp-runner").exitOverride().configureOutput({
    writeOut: (s) => out.push(s),
    writeErr: (s) => err.push(s),
  });
  register(p);
  for (const c of p.commands) {
    c.exitOverride().configureOutput({
      writeOut: (s) => out.push(s),
      writeErr: (s) => err.push(s),
    });
  }
  return { program: p, out, err };
}

Deno.test("`sim --help` lists the options and shows an example", async () => {
  const { program: p, out } = program();
  await assert.rejects(p.parseAsync(["sim", "--help"], { from: "user" }));
  const help = out.join("");
  for (const flag of ["--speed", "--profiles", "--port", "--ssh-port", "--state-dir"]) {
    assert.ok(help.includes(flag), `help mentions ${flag}`);
  }
  assert.match(help, /Examples:\n\s+\$ ptp-runner sim/);
});

Deno.test("`sim` refuses a speed that is not > 0 and a port out of range, naming the flag", async () => {
  for (
    const [args, pattern] of [
      [["sim", "--speed", "0"], /--speed: "0" is not a number > 0/],
      [["sim", "--port", "70000"], /--port: "70000" is not a TCP port/],
      [["sim", "--ssh-port", "0"], /--ssh-port: "0" is not a TCP port/],
    ] as const
  ) {
    const { program: p, err } = program();
    await assert.rejects(p.parseAsync([...args], { from: "user" }));
    assert.match(err.join(""), pattern);
  }
});

Deno.test("the sim command prints export lines for the simulator's environment, serves, and stops on abort", async () => {
  const stateDir = await Deno.makeTempDir();
  const printed: string[] = [];
  const controller = new AbortController();
  const holder: { fleet?: { options?: { sshPort: number } } } = {};
  const done = runSimCommand(
    { speed: 500, stateDir, sshPort: 2222, faultCapacity: ["m7i.large"] },
    controller.signal,
    (text) => {
      printed.push(text);
      if (text.includes("export AWS_ENDPOINT_URL")) queueMicrotask(() => controller.abort());
    },
    { hostFleet: fakeFleetFactory(holder as never) },
  );
  assert.equal(await done, 0);
  const banner = printed[0];
  const exported = Object.fromEntries(
    [...banner.matchAll(/^export ([A-Z_0-9]+)=(.*)$/gm)].map((m) => [m[1], m[2]]),
  );
  assert.match(exported.AWS_ENDPOINT_URL, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(exported.AWS_REGION, "us-east-1");
  assert.equal(exported.AWS_EC2_METADATA_DISABLED, "true");
  assert.equal(exported.PTP_RUNNER_SSH_PORT, "2222");
  assert.equal(exported.PTP_RUNNER_SIM_KEY, shellQuote(`${stateDir}/ptp-runner-sim.pem`));
  assert.ok(exported.AWS_ACCESS_KEY_ID && exported.AWS_SECRET_ACCESS_KEY);
  assert.match(banner, /subnet-0sim0000000000001/);
  assert.match(banner, /--set subnet_id=subnet-0sim0000000000001/);
  assert.equal(holder.fleet?.options?.sshPort, 2222);
  // The key file stays in a state directory the caller chose; the endpoint is closed.
  assert.ok((await Deno.stat(`${stateDir}/ptp-runner-sim.pem`)).isFile);
  await assert.rejects(fetch(exported.AWS_ENDPOINT_URL, { method: "POST", body: "" }));
  await Deno.remove(stateDir, { recursive: true });
});

Deno.test("shellQuote leaves safe words alone and single-quotes the rest", () => {
  assert.equal(shellQuote("/tmp/x-1/key.pem"), "/tmp/x-1/key.pem");
  assert.equal(shellQuote("/tmp/my key"), "'/tmp/my key'");
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
});
