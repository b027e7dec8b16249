import assert from "node:assert/strict";
import { type TestHost, testHost } from "./harness.ts";

const REFCLOCK = "refclock PHC /dev/ptp_ena poll 0 delay 0.000010 prefer";

async function enablePhc(h: TestHost): Promise<void> {
  await h.sh("echo 'options ena phc_enable=1' | sudo -n tee /etc/modprobe.d/p.conf");
  await h.sh("sudo -n systemd-run sh -c 'modprobe -r ena; modprobe ena'");
  await new Promise((r) => setTimeout(r, 10));
  h.clock.advance(10);
}

function phcRow(sources: string): string[] {
  const line = sources.split("\n").find((l) => l.includes("PHC0"));
  assert.ok(line, `no PHC0 row in:\n${sources}`);
  return line.trim().split(/\s+/);
}

Deno.test("chronyd restarted with a refclock on a missing device fails with Could not open PHC", async () => {
  const h = testHost();
  await h.sh(`echo '${REFCLOCK}' | sudo -n tee /etc/chrony.d/ptp-runner.conf`);
  assert.equal((await h.sh("sudo -n chronyd -p")).code, 0, "the syntax is fine");
  const restart = await h.sh("sudo -n systemctl restart chronyd");
  assert.equal(restart.code, 1);
  assert.match(restart.stderr, /Job for chronyd\.service failed/);
  const active = await h.sh("systemctl is-active chronyd");
  assert.equal(active.stdout, "failed\n");
  assert.equal(active.code, 3);
  const journal = await h.sh("sudo -n journalctl -u chronyd -n 10 --no-pager");
  assert.match(journal.stdout, /chronyd\[\d+\]: Fatal error : Could not open PHC$/m);
  assert.equal((await h.sh("chronyc sources")).stderr, "506 Cannot talk to daemon\n");
});

Deno.test("chronyd -p reports an invalid refclock option with line and file, exit 1", async () => {
  const h = testHost();
  await h.sh(
    "printf '# ptp-runner\\nrefclock PHC /dev/ptp_ena poll 0 bogus 1\\n' | sudo -n tee /etc/chrony.d/bad.conf",
  );
  const r = await h.sh("sudo -n chronyd -p");
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ Fatal error : Invalid refclock option at line 2 in file \/etc\/chrony\.d\/bad\.conf\n$/,
  );
  const printed = r.stdout.trim().split("\n");
  assert.equal(printed[printed.length - 1], "refclock PHC /dev/ptp_ena poll 0 bogus 1");
  assert.ok(printed.includes("server 169.254.169.123 prefer iburst minpoll 4 maxpoll 4"));
  const f = await h.sh("sudo -n chronyd -p -f /etc/chrony.d/bad.conf");
  assert.equal(f.code, 1);
});

Deno.test("chronyd -p prints the parsed configuration including confdir files", async () => {
  const h = testHost();
  await h.sh(`echo '${REFCLOCK}' | sudo -n tee /etc/chrony.d/ptp-runner.conf`);
  const r = await h.sh("sudo -n chronyd -p");
  const lines = r.stdout.trim().split("\n");
  assert.ok(lines.includes("server 169.254.169.123 prefer iburst minpoll 4 maxpoll 4"));
  assert.equal(lines[lines.length - 1], REFCLOCK);
  assert.ok(!lines.some((l) => l.startsWith("confdir") || l.startsWith("#")));
});

Deno.test("PHC0 reach climbs 0 -> 1 -> 3 -> 7 ... -> 377 and becomes #* with tracking on PHC0", async () => {
  const h = testHost();
  await enablePhc(h);
  await h.sh(`echo '${REFCLOCK}' | sudo -n tee /etc/chrony.d/ptp-runner.conf`);
  assert.equal((await h.sh("sudo -n systemctl restart chronyd")).code, 0);
  const seen: string[] = [];
  const states: string[] = [];
  for (let i = 0; i <= 9; i++) {
    const row = phcRow((await h.sh("chronyc -n sources")).stdout);
    states.push(row[0]);
    seen.push(row[4]);
    h.clock.advance(1);
  }
  assert.deepEqual(seen, ["0", "1", "3", "7", "17", "37", "77", "177", "377", "377"]);
  assert.equal(states[0], "#?");
  assert.equal(states[9], "#*");
  const tracking = (await h.sh("chronyc tracking")).stdout;
  assert.match(tracking, /^Reference ID {4}: 50484330 \(PHC0\)$/m);
  assert.match(tracking, /^Stratum {9}: 1$/m);
  const show = (await h.sh("systemctl show -p SubState,NRestarts chronyd")).stdout;
  assert.match(show, /^SubState=running$/m);
  assert.match(show, /^NRestarts=0$/m, "a manual restart is not counted");
  assert.match(
    (await h.sh("sudo -n journalctl -u chronyd --no-pager")).stdout,
    /Selected source PHC0/,
  );
});

Deno.test("before the PHC is configured chrony tracks the Amazon Time Sync server", async () => {
  const h = testHost();
  h.clock.advance(30);
  const sources = (await h.sh("chronyc sources")).stdout;
  assert.match(sources, /^\^\* 169\.254\.169\.123 /m);
  assert.match(
    (await h.sh("chronyc tracking")).stdout,
    /^Reference ID {4}: A9FEA97B \(169\.254\.169\.123\)$/m,
  );
});

Deno.test("the chrony_never_selects fault keeps PHC0 unselected while its reach fills", async () => {
  const h = testHost({ faults: { chrony_never_selects: true } });
  await enablePhc(h);
  await h.sh(`echo '${REFCLOCK}' | sudo -n tee /etc/chrony.d/ptp-runner.conf`);
  await h.sh("sudo -n systemctl restart chronyd");
  h.clock.advance(30);
  const row = phcRow((await h.sh("chronyc sources")).stdout);
  assert.equal(row[4], "377");
  assert.ok(row[0] === "#-" || row[0] === "#?", row[0]);
  assert.doesNotMatch((await h.sh("chronyc tracking")).stdout, /PHC0/);
});

Deno.test("chronyc -c sources prints CSV rows with mode, state, name and octal reach", async () => {
  const h = testHost();
  await enablePhc(h);
  await h.sh(`echo '${REFCLOCK}' | sudo -n tee /etc/chrony.d/ptp-runner.conf`);
  await h.sh("sudo -n systemctl restart chronyd");
  h.clock.advance(20);
  const rows = (await h.sh("chronyc -c sources")).stdout.trim().split("\n").map((l) =>
    l.split(",")
  );
  assert.equal(rows.length, 2);
  assert.deepEqual(rows[0].slice(0, 6), ["#", "*", "PHC0", "0", "0", "377"]);
  assert.equal(rows[0].length, 10);
  assert.equal(rows[1][2], "169.254.169.123");
});

Deno.test("unloading the driver under a running chronyd makes PHC0 lose reach until chronyd restarts", async () => {
  const h = testHost();
  await enablePhc(h);
  await h.sh(`echo '${REFCLOCK}' | sudo -n tee /etc/chrony.d/ptp-runner.conf`);
  await h.sh("sudo -n systemctl restart chronyd");
  h.clock.advance(20);
  await enablePhc(h);
  h.clock.advance(20);
  const row = phcRow((await h.sh("chronyc sources")).stdout);
  assert.equal(row[0], "#?");
  assert.equal(row[4], "0");
  await h.sh("sudo -n systemctl restart chronyd");
  h.clock.advance(20);
  assert.equal(phcRow((await h.sh("chronyc sources")).stdout)[0], "#*");
});

Deno.test("chronyc -n sources pads its header to 79 columns without -v too, as chrony 4.3 does", async () => {
  const h = testHost({ distribution: "debian-12", nic_driver: "igb" });
  const header = (await h.sh("chronyc -n sources")).stdout.split("\n")[0];
  assert.equal(header.length, 79);
  assert.equal(
    header.trimEnd(),
    "MS Name/IP address         Stratum Poll Reach LastRx Last sample",
  );
});

Deno.test("on Debian chronyd reads its drift from /var/lib/chrony/chrony.drift, as its chrony.conf says", async () => {
  const h = testHost({ distribution: "debian-12", nic_driver: "igb" });
  assert.match(
    (await h.sh("cat /etc/chrony/chrony.conf")).stdout,
    /^driftfile \/var\/lib\/chrony\/chrony\.drift$/m,
  );
  const journal = (await h.sh("sudo -n journalctl -u chrony --no-pager")).stdout;
  assert.match(journal, /ppm read from \/var\/lib\/chrony\/chrony\.drift$/m);
});
