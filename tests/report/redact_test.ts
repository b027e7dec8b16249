import assert from "node:assert/strict";
import { buildReport } from "../../plugins/report/build.ts";
import { redactDeep, redactIpAddresses } from "../../plugins/report/redact.ts";
import { RUN_ID, sampleTargets } from "./fixtures.ts";

Deno.test("redaction replaces IPv4 and IPv6 addresses and keeps ports and text", () => {
  assert.equal(
    redactIpAddresses("ssh to 10.0.1.23:22 failed, via 2001:db8::1."),
    "ssh to [IPv4-1]:22 failed, via [IPv6-1].",
  );
  assert.equal(redactIpAddresses("route 172.31.0.0/16"), "route [IPv4-1]/16");
  assert.equal(redactIpAddresses("mapped ::ffff:10.0.0.1 end"), "mapped [IPv6-1] end");
});

Deno.test("redaction gives the same address the same pseudonym and another address another", () => {
  assert.equal(
    redactIpAddresses("10.0.0.1 10.0.0.2 10.0.0.1 fe80::1"),
    "[IPv4-1] [IPv4-2] [IPv4-1] [IPv6-1]",
  );
});

Deno.test("redaction leaves versions, kernels, times, MAC addresses and the Time Sync address", () => {
  const text =
    "ena 2.10.0g kernel 6.1.158-180.294.amzn2023.x86_64 at 10:15:00 mac 0a:1b:2c:3d:4e:5f " +
    "server 169.254.169.123 and fd00:ec2::123 std::string 1.2.3.4.5";
  assert.equal(redactIpAddresses(text), text);
});

Deno.test("private key blocks are always removed, IPs only when redaction is on", () => {
  const value = {
    a: "key -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaA\n-----END OPENSSH PRIVATE KEY----- done",
    b: ["host 192.0.2.10"],
  };
  const off = redactDeep(value, { ips: false });
  assert.equal(off.a, "key *** done");
  assert.deepEqual(off.b, ["host 192.0.2.10"]);
  const on = redactDeep(value, { ips: true });
  assert.deepEqual(on.b, ["host [IPv4-1]"]);
});

Deno.test("report redacts addresses everywhere by default and keeps them with --no-redact", () => {
  const make = (redact: boolean) =>
    buildReport({
      runId: RUN_ID,
      pipeline: "ptp",
      targets: sampleTargets(),
      now: new Date(),
      startedAt: null,
      redact,
    });
  const redacted = JSON.stringify(make(true));
  for (const ip of ["54.12.34.56", "2600:1f18:abcd::12", "10.0.1.23", "10.0.1.24", "10.1.2.3"]) {
    assert.ok(!redacted.includes(ip), `${ip} leaked into the redacted report`);
  }
  assert.ok(redacted.includes("169.254.169.123"), "Time Sync address kept in diagnostics");
  assert.match(redacted, /make exited 2 on \[IPv4-\d+\]/);
  assert.equal(make(true).redacted, true);
  const kept = JSON.stringify(make(false));
  assert.ok(kept.includes("10.0.1.23") && kept.includes("2600:1f18:abcd::12"));
  assert.equal(make(false).redacted, false);
});
