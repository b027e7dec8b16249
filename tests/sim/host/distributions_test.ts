import assert from "node:assert/strict";
import { testHost } from "./harness.ts";

Deno.test("each distribution has its real /etc/os-release ID and VERSION_ID", async () => {
  const cases: [string, RegExp][] = [
    ["amazon-linux-2023", /^ID="amzn"$[\s\S]*^VERSION_ID="2023"$/m],
    ["amazon-linux-2", /^ID="amzn"$[\s\S]*^VERSION_ID="2"$/m],
    ["rhel-9", /^ID="rhel"$[\s\S]*^VERSION_ID="9\.6"$/m],
    ["rocky-9", /^ID="rocky"$\n^ID_LIKE="rhel centos fedora"$/m],
    ["ubuntu-22.04", /^VERSION_ID="22\.04"$[\s\S]*^ID=ubuntu$\n^ID_LIKE=debian$/m],
    ["ubuntu-24.04", /^VERSION_ID="24\.04"$/m],
    ["debian-12", /^PRETTY_NAME="Debian GNU\/Linux 12 \(bookworm\)"$[\s\S]*^ID=debian$/m],
    ["unknown", /^ID="obscurix"$/m],
  ];
  for (const [distribution, re] of cases) {
    const h = testHost({ distribution });
    assert.match((await h.sh("cat /etc/os-release")).stdout, re, distribution);
  }
  const custom = testHost({ os_release: 'ID="alpine"\nVERSION_ID=3.20\n' });
  assert.equal((await custom.sh("cat /etc/os-release")).stdout, 'ID="alpine"\nVERSION_ID=3.20\n');
});

Deno.test("Debian keeps chrony at /etc/chrony/chrony.conf with confdir, unit chrony.service aliased as chronyd", async () => {
  const h = testHost({ distribution: "debian-12" });
  assert.equal((await h.sh("test -e /etc/chrony.conf")).code, 1);
  const conf = (await h.sh("cat /etc/chrony/chrony.conf")).stdout;
  assert.match(conf, /^confdir \/etc\/chrony\/conf\.d$/m);
  assert.match(conf, /^sourcedir \/etc\/chrony\/sources\.d$/m);
  assert.equal((await h.sh("systemctl is-active chronyd")).stdout, "active\n");
  assert.match(
    (await h.sh("systemctl status chronyd")).stdout,
    /^● chrony\.service - chrony, an NTP/,
  );
  assert.equal(
    (await h.sh("sudo -n journalctl -u chronyd --no-pager")).stdout,
    "-- No entries --\n",
  );
  assert.match(
    (await h.sh("sudo -n journalctl -u chrony --no-pager")).stdout,
    /Started chrony\.service/,
  );
  const show = (await h.sh("systemctl show -p Id,Names chronyd")).stdout;
  assert.equal(show, "Id=chrony.service\nNames=chrony.service chronyd.service\n");
  await h.sh("echo 'refclock PHC /dev/ptp_ena poll 0' | sudo -n tee /etc/chrony/conf.d/p.conf");
  const restart = await h.sh("sudo -n systemctl restart chronyd");
  assert.match(restart.stderr, /Job for chrony\.service failed/);
});

Deno.test("RHEL 9 and Amazon Linux 2 ship chrony.conf without confdir; chrony_confdir adds it", async () => {
  for (const distribution of ["rhel-9", "amazon-linux-2"]) {
    const h = testHost({ distribution });
    assert.doesNotMatch((await h.sh("cat /etc/chrony.conf")).stdout, /confdir/, distribution);
    const withDir = testHost({ distribution, chrony_confdir: true });
    assert.match((await withDir.sh("cat /etc/chrony.conf")).stdout, /^confdir \/etc\/chrony\.d$/m);
  }
});

Deno.test("package managers follow the distribution: dnf, yum only on AL2, apt-get and dpkg on Debian", async () => {
  const al2 = testHost({ distribution: "amazon-linux-2" });
  assert.equal((await al2.sh("dnf --version")).code, 127);
  assert.equal((await al2.sh("sudo -n yum install -y kernel-devel-$(uname -r)")).code, 0);
  assert.match((await al2.sh("rpm -q kernel-devel")).stdout, /^kernel-devel-5\.10\./);
  const deb = testHost({ distribution: "debian-12" });
  assert.equal((await deb.sh("dnf install -y gcc")).code, 127);
  assert.equal((await deb.sh("rpm -q chrony")).code, 127);
  assert.equal((await deb.sh("apt-get install -y git")).code, 100, "needs root");
  const install = await deb.sh(
    "sudo -n apt-get install -y build-essential linux-headers-$(uname -r)",
  );
  assert.equal(install.code, 0, install.stderr);
  assert.match(
    install.stdout,
    /NEW packages will be installed:\n {2}build-essential gcc linux-headers-6\.1\.0-37-cloud-amd64 make/,
  );
  assert.equal(
    (await deb.sh("dpkg -s gcc | grep Status")).stdout,
    "Status: install ok installed\n",
  );
  assert.equal((await deb.sh("dpkg-query -W -f='${Status}' linuxptp")).code, 1);
  assert.equal((await deb.sh("test -d /lib/modules/$(uname -r)/build/ && echo ok")).stdout, "ok\n");
  assert.match(
    (await deb.sh("sudo -n apt install -y nosuchpkg")).stderr,
    /Unable to locate package nosuchpkg/,
  );
});

Deno.test("on Debian /usr/sbin is off the user's PATH: modinfo is command not found unless via sudo or full path", async () => {
  const deb = testHost({ distribution: "debian-12" });
  const bare = await deb.sh("modinfo ena");
  assert.equal(bare.code, 127);
  assert.equal(bare.stderr, "bash: modinfo: command not found\n");
  assert.equal((await deb.sh("ethtool -i ens5")).code, 127);
  assert.equal((await deb.sh("sudo -n modinfo -F filename ena")).code, 0);
  assert.equal(
    (await deb.sh("/usr/sbin/modinfo -F filename ena")).stdout,
    "/lib/modules/6.1.0-37-cloud-amd64/kernel/drivers/net/ethernet/amazon/ena/ena.ko\n",
  );
  assert.equal((await deb.sh("command -v ip")).stdout, "/usr/bin/ip\n");
  const ubuntu = testHost({ distribution: "ubuntu-24.04" });
  assert.equal(
    (await ubuntu.sh("modinfo -F version ena")).code,
    0,
    "Ubuntu's /etc/environment has /usr/sbin",
  );
});

Deno.test("on Debian lsmod is on the user's PATH (kmod keeps it in /usr/bin), as on the real guest", async () => {
  const deb = testHost({ distribution: "debian-12", nic_driver: "igb" });
  assert.equal((await deb.sh("command -v lsmod")).stdout, "/usr/bin/lsmod\n");
  const r = await deb.sh("lsmod | grep -c '^igb '");
  assert.equal(r.stderr, "");
  assert.equal(r.stdout, "1\n");
  assert.equal((await testHost().sh("command -v lsmod")).stdout, "/usr/sbin/lsmod\n");
});

Deno.test("command -v succeeds when any operand is found, as bash's does", async () => {
  const deb = testHost({ distribution: "debian-12" });
  const some = await deb.sh("command -v apt-get dpkg dnf rpm yum");
  assert.equal(some.stdout, "/usr/bin/apt-get\n/usr/bin/dpkg\n");
  assert.equal(some.code, 0);
  assert.equal((await deb.sh("command -v dnf yum")).code, 1);
});
