import assert from "node:assert/strict";
import { testHost } from "./harness.ts";

async function show(h: ReturnType<typeof testHost>): Promise<Record<string, string>> {
  const out = (await h.sh(
    "systemctl show -p ActiveEnterTimestamp,InvocationID,ActiveState,SubState,NRestarts chronyd",
  )).stdout;
  return Object.fromEntries(out.trim().split("\n").map((l) => l.split(/=(.*)/s).slice(0, 2)));
}

Deno.test("systemctl restart gives a new InvocationID and ActiveEnterTimestamp but never counts in NRestarts", async () => {
  const h = testHost();
  const before = await show(h);
  assert.equal(before.ActiveState, "active");
  assert.match(before.InvocationID, /^[0-9a-f]{32}$/);
  h.clock.advance(5);
  assert.equal((await h.sh("sudo -n systemctl restart chronyd")).code, 0);
  const after = await show(h);
  assert.notEqual(after.InvocationID, before.InvocationID);
  assert.notEqual(after.ActiveEnterTimestamp, before.ActiveEnterTimestamp);
  assert.equal(after.NRestarts, "0");
});

Deno.test("chronyd failing on a missing PHC ends failed with Restart=no; on-failure retries count in NRestarts", async () => {
  const bad = "echo 'refclock PHC /dev/ptp_ena poll 0' | sudo -n tee /etc/chrony.d/p.conf";
  const h = testHost();
  await h.sh(bad);
  await h.sh("sudo -n systemctl restart chronyd");
  const failed = await show(h);
  assert.equal(failed.ActiveState, "failed");
  assert.equal(failed.NRestarts, "0");
  const journal = (await h.sh("sudo -n journalctl -u chronyd -o cat")).stdout;
  assert.match(
    journal,
    /Could not open \/dev\/ptp_ena : No such file or directory\nFatal error : Could not open PHC/,
  );
  const retrying = testHost({ chrony_restart: "on-failure" });
  await retrying.sh(bad);
  await retrying.sh("sudo -n systemctl restart chronyd");
  const st = await show(retrying);
  assert.equal(st.ActiveState, "failed");
  assert.equal(st.NRestarts, "5");
  assert.match(
    (await retrying.sh("systemctl show -p Result,Restart chronyd")).stdout,
    /Restart=on-failure\nResult=start-limit-hit/,
  );
});

Deno.test("chronyd -p rejects a trailing comment on a refclock line and names the file and line", async () => {
  const h = testHost({ chrony_confdir: false });
  await h.sh(
    "echo 'refclock PHC /dev/ptp_ena poll 0 delay 0.000010 prefer # added by ptp-runner' | sudo -n tee -a /etc/chrony.conf",
  );
  const r = await h.sh("sudo -n chronyd -p");
  assert.equal(r.code, 1);
  const lines = (await h.sh("wc -l < /etc/chrony.conf")).stdout.trim();
  assert.match(
    r.stderr,
    new RegExp(
      `Fatal error : Invalid refclock option at line ${lines} in file /etc/chrony\\.conf\\n$`,
    ),
  );
  assert.match(
    r.stdout,
    /^refclock PHC \/dev\/ptp_ena poll 0 delay 0\.000010 prefer # added by ptp-runner$/m,
  );
});

Deno.test("journalctl shows a system unit's journal to root only (the login user is not in adm)", async () => {
  const h = testHost();
  const user = await h.sh("journalctl -u chronyd --no-pager");
  assert.equal(user.stdout, "-- No entries --\n");
  assert.match(user.stderr, /Users in groups 'adm', 'systemd-journal' can see all messages/);
  const root = await h.sh("sudo -n journalctl -u chronyd --no-pager");
  assert.match(root.stdout, /chronyd\[\d+\]: /);
});
