import assert from "node:assert/strict";
import { type TestHost, testHost } from "./harness.ts";

const SAMPLES = new URL("../../fixtures/samples/", import.meta.url);

function sample(name: string): string {
  return Deno.readTextFileSync(new URL(name, SAMPLES));
}

/** The labels of `label: value` lines, in order. */
function labels(text: string): string[] {
  return text.split("\n").filter((l) => l.includes(":")).map((l) =>
    l.slice(0, l.indexOf(":")).trim()
  );
}

/** Positions where each column of a chronyc row ends (right-aligned columns line up). */
function columnEnds(row: string): number[] {
  const ends: number[] = [];
  for (let i = 1; i <= row.length; i++) {
    if (row[i - 1] !== " " && (row[i] === " " || i === row.length)) ends.push(i);
  }
  return ends;
}

async function withPhc(): Promise<TestHost> {
  const h = testHost({ ptp_kvm: true });
  await h.sh("echo 'options ena phc_enable=1' | sudo -n tee /etc/modprobe.d/p.conf");
  await h.sh("sudo -n systemd-run sh -c 'modprobe -r ena; modprobe ena'");
  await new Promise((r) => setTimeout(r, 10));
  h.clock.advance(10);
  await h.sh(
    "echo 'refclock PHC /dev/ptp_ena poll 0 delay 0.000010 prefer' | sudo -n tee /etc/chrony.d/p.conf",
  );
  await h.sh("sudo -n systemctl restart chronyd");
  h.clock.advance(200);
  return h;
}

Deno.test("modinfo ena has the sample's fields in order, and the phc_enable parm line when built with PHC", async () => {
  const h = testHost();
  const out = (await h.sh("modinfo ena")).stdout;
  const expected = labels(sample("modinfo-ena-al2023-6.1.27.txt"));
  assert.deepEqual(labels(out).filter((l) => expected.includes(l)), expected);
  const parm = sample("modinfo-ena-phc-parm.txt").trim();
  const line = (await h.sh("modinfo ena | grep -E phc_enable")).stdout.trim();
  assert.ok(line.startsWith(parm), `${line} should start with ${parm}`);
  assert.equal(
    line.indexOf("phc_enable"),
    parm.indexOf("phc_enable"),
    "value column aligned as in the sample",
  );
});

Deno.test("ethtool -i has exactly the sample's fields", async () => {
  const h = testHost();
  assert.deepEqual(
    labels((await h.sh("ethtool -i ens5")).stdout),
    labels(sample("ethtool-i-ens5.txt")),
  );
});

Deno.test("ethtool -T with a PHC has the sample's sections, capabilities and clock index", async () => {
  const h = await withPhc();
  const out = (await h.sh("ethtool -T ens5")).stdout;
  const norm = (t: string) => t.split("\n").map((l) => l.trim()).filter(Boolean);
  const got = norm(out);
  const want = norm(sample("ethtool-T-ens5-phc.txt"));
  assert.deepEqual(
    got.filter((l) => !l.startsWith("PTP Hardware Clock")),
    want.filter((l) => !l.startsWith("PTP Hardware Clock")),
  );
  assert.match(out, /^PTP Hardware Clock: \d+$/m);
});

Deno.test("ethtool -T without a PHC reports none like the sample", async () => {
  const h = testHost();
  const out = (await h.sh("ethtool -T ens5")).stdout;
  const want = sample("ethtool-T-eth0-no-phc.txt").replace(/\s+\(SOF_[A-Z_]+\)/g, "").replaceAll(
    "eth0",
    "ens5",
  );
  const norm = (t: string) => t.split("\n").map((l) => l.trim()).filter(Boolean);
  assert.deepEqual(norm(out), norm(want));
});

Deno.test("ls -l /dev/ptp* lists devices and udev symlinks in the sample's layout", async () => {
  const h = await withPhc();
  await h.sh(
    `echo 'SUBSYSTEM=="ptp", ATTR{clock_name}=="KVM virtual PTP", SYMLINK += "ptp_kvm"' | sudo -n tee /etc/udev/rules.d/52-kvm.rules && sudo -n udevadm trigger --subsystem-match=ptp`,
  );
  const out = (await h.sh("ls -l /dev/ptp*")).stdout.trim().split("\n");
  const shape = (l: string) =>
    l.replace(/[A-Z][a-z]{2} [ \d]\d \d\d:\d\d/, "DATE").replace(/ptp\d/g, "ptpN").replace(
      /\d+, \d+/,
      "M, N",
    );
  const want = sample("ls-dev-ptp-kvm-and-ena.txt").trim().split("\n").map(shape).sort();
  assert.deepEqual(out.map(shape).sort(), want);
});

Deno.test("chronyc sources rows line up with the sample's columns", async () => {
  const h = await withPhc();
  const out = (await h.sh("chronyc sources")).stdout.split("\n");
  const want = sample("chronyc-sources-phc.txt").split("\n");
  // The sample's header lost chrony's trailing spaces (NOTES.md: 79 columns wide, as on the
  // real Debian 12 guest).
  assert.equal(out[0].trimEnd(), want[0].trimEnd());
  assert.equal(out[1], want[1]);
  assert.match(out[2], /^#\* PHC0 +0 +0 +377 /);
  assert.match(out[3], /^\^- 169\.254\.169\.123 /);
  const cols = (row: string) => columnEnds(row).slice(0, 6);
  assert.deepEqual(cols(out[2]), cols(want[2]));
  assert.deepEqual(cols(out[3]), cols(want[3]));
  assert.equal(out[2].length, want[2].length);
});

Deno.test("chronyc tracking has the sample's labels for PHC and for NTP", async () => {
  const h = await withPhc();
  assert.deepEqual(
    labels((await h.sh("chronyc tracking")).stdout),
    labels(sample("chronyc-tracking-phc.txt")),
  );
  const ntp = testHost();
  ntp.clock.advance(60);
  const out = (await ntp.sh("chronyc tracking")).stdout;
  assert.deepEqual(labels(out), labels(sample("chronyc-tracking-ntp.txt")));
  const ntpSources = (await ntp.sh("chronyc sources")).stdout.split("\n");
  assert.match(ntpSources[2], /^\^\* 169\.254\.169\.123 +1 +4 +\d+ /);
});

Deno.test("chronyc sourcestats rows carry no state prefix", async () => {
  const h = await withPhc();
  const rows = (await h.sh("chronyc sourcestats")).stdout.trim().split("\n").slice(2);
  assert.equal(rows.length, 2);
  assert.ok(rows[0].startsWith("PHC0 "));
  assert.ok(rows[1].startsWith("169.254.169.123 "));
});

Deno.test("systemctl show prints Key=Value lines for the asked properties only", async () => {
  const h = testHost();
  const out = (await h.sh("systemctl show -p SubState,NRestarts chronyd")).stdout;
  assert.deepEqual(out.trim().split("\n").map((l) => l.split("=")[0]).sort(), [
    "NRestarts",
    "SubState",
  ]);
  assert.equal((await h.sh("systemctl show -p ActiveState --value chronyd")).stdout, "active\n");
});

Deno.test("ip route, uname and os-release describe an AL2023 host of the profile's architecture", async () => {
  const h = testHost({ architecture: "arm64", kernel: "6.1.158-180.294.amzn2023.aarch64" });
  assert.match(
    (await h.sh("ip -4 route show default")).stdout,
    /^default via \S+ dev ens5 proto dhcp src \S+ metric 512 ?\n$/,
  );
  assert.equal((await h.sh("uname -m")).stdout, "aarch64\n");
  assert.match((await h.sh("cat /etc/os-release")).stdout, /^PLATFORM_ID="platform:al2023"$/m);
  assert.match(
    (await h.sh("grep CONFIG_PTP_1588_CLOCK= /boot/config-$(uname -r)")).stdout,
    /^CONFIG_PTP_1588_CLOCK=y$/m,
  );
});
