import assert from "node:assert/strict";
import {
  AMAZON_LINUX_2023,
  hostFactsOf,
  hostLayout,
  kernelHeadersPackage,
  parseOsRelease,
} from "../../plugins/host/distribution.ts";

/** `/etc/os-release` as each distribution ships it (EC2 images). */
const OS_RELEASE = {
  al2023: `NAME="Amazon Linux"
VERSION="2023"
ID="amzn"
ID_LIKE="fedora"
VERSION_ID="2023"
PLATFORM_ID="platform:al2023"
PRETTY_NAME="Amazon Linux 2023.6.20250203"
ANSI_COLOR="0;33"
CPE_NAME="cpe:2.3:o:amazon:amazon_linux:2023"
HOME_URL="https://aws.amazon.com/linux/amazon-linux-2023/"
DOCUMENTATION_URL="https://docs.aws.amazon.com/linux/"
SUPPORT_URL="https://aws.amazon.com/premiumsupport/"
BUG_REPORT_URL="https://github.com/amazonlinux/amazon-linux-2023"
VENDOR_NAME="AWS"
VENDOR_URL="https://aws.amazon.com/"
SUPPORT_END="2029-06-30"
`,
  al2: `NAME="Amazon Linux"
VERSION="2"
ID="amzn"
ID_LIKE="centos rhel fedora"
VERSION_ID="2"
PRETTY_NAME="Amazon Linux 2"
ANSI_COLOR="0;33"
CPE_NAME="cpe:2.3:o:amazon:amazon_linux:2"
HOME_URL="https://amazonlinux.com/"
SUPPORT_END="2026-06-30"
`,
  rhel8: `NAME="Red Hat Enterprise Linux"
VERSION="8.10 (Ootpa)"
ID="rhel"
ID_LIKE="fedora"
VERSION_ID="8.10"
PLATFORM_ID="platform:el8"
PRETTY_NAME="Red Hat Enterprise Linux 8.10 (Ootpa)"
ANSI_COLOR="0;31"
CPE_NAME="cpe:/o:redhat:enterprise_linux:8::baseos"
HOME_URL="https://www.redhat.com/"
`,
  rhel9: `NAME="Red Hat Enterprise Linux"
VERSION="9.5 (Plow)"
ID="rhel"
ID_LIKE="fedora"
VERSION_ID="9.5"
PLATFORM_ID="platform:el9"
PRETTY_NAME="Red Hat Enterprise Linux 9.5 (Plow)"
ANSI_COLOR="0;31"
LOGO="fedora-logo-icon"
CPE_NAME="cpe:/o:redhat:enterprise_linux:9::baseos"
`,
  rocky9: `NAME="Rocky Linux"
VERSION="9.5 (Blue Onyx)"
ID="rocky"
ID_LIKE="rhel centos fedora"
VERSION_ID="9.5"
PLATFORM_ID="platform:el9"
PRETTY_NAME="Rocky Linux 9.5 (Blue Onyx)"
ANSI_COLOR="0;32"
LOGO="fedora-logo-icon"
CPE_NAME="cpe:/o:rocky:rocky:9::baseos"
`,
  ubuntu2204: `PRETTY_NAME="Ubuntu 22.04.5 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.5 LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
UBUNTU_CODENAME=jammy
`,
  ubuntu2404: `PRETTY_NAME="Ubuntu 24.04.2 LTS"
NAME="Ubuntu"
VERSION_ID="24.04"
VERSION="24.04.2 LTS (Noble Numbat)"
VERSION_CODENAME=noble
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
UBUNTU_CODENAME=noble
LOGO=ubuntu-logo
`,
  debian12: `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
`,
  opensuse: `NAME="openSUSE Leap"
VERSION="15.6"
ID="opensuse-leap"
ID_LIKE="suse opensuse"
VERSION_ID="15.6"
PRETTY_NAME="openSUSE Leap 15.6"
`,
};

Deno.test("parseOsRelease reads quoted and bare values and skips comments", () => {
  const fields = parseOsRelease(`# comment\n${OS_RELEASE.ubuntu2204}`);
  assert.equal(fields.ID, "ubuntu");
  assert.equal(fields.VERSION_ID, "22.04");
  assert.equal(fields.PRETTY_NAME, "Ubuntu 22.04.5 LTS");
  assert.equal(fields.UBUNTU_CODENAME, "jammy");
  assert.equal(parseOsRelease('NAME="a \\"b\\""').NAME, 'a "b"');
});

const EXPECTED: [keyof typeof OS_RELEASE, {
  id: string;
  version: string;
  family: string;
  manager: string;
  chronyConf: string;
  confdir: string | null;
  unit: string;
  headers: string;
  buildTools: string[];
}][] = [
  ["al2023", {
    id: "amzn",
    version: "2023",
    family: "amazon-linux-2023",
    manager: "dnf",
    chronyConf: "/etc/chrony.conf",
    confdir: "/etc/chrony.d",
    unit: "chronyd",
    headers: "kernel-devel-K",
    buildTools: ["gcc", "make", "git"],
  }],
  ["al2", {
    id: "amzn",
    version: "2",
    family: "amazon-linux-2",
    manager: "yum",
    chronyConf: "/etc/chrony.conf",
    confdir: null,
    unit: "chronyd",
    headers: "kernel-devel-K",
    buildTools: ["gcc", "make", "git"],
  }],
  ["rhel8", {
    id: "rhel",
    version: "8.10",
    family: "rhel",
    manager: "dnf",
    chronyConf: "/etc/chrony.conf",
    confdir: null,
    unit: "chronyd",
    headers: "kernel-devel-K",
    buildTools: ["gcc", "make", "git"],
  }],
  ["rhel9", {
    id: "rhel",
    version: "9.5",
    family: "rhel",
    manager: "dnf",
    chronyConf: "/etc/chrony.conf",
    confdir: null,
    unit: "chronyd",
    headers: "kernel-devel-K",
    buildTools: ["gcc", "make", "git"],
  }],
  ["rocky9", {
    id: "rocky",
    version: "9.5",
    family: "rhel",
    manager: "dnf",
    chronyConf: "/etc/chrony.conf",
    confdir: null,
    unit: "chronyd",
    headers: "kernel-devel-K",
    buildTools: ["gcc", "make", "git"],
  }],
  ["ubuntu2204", {
    id: "ubuntu",
    version: "22.04",
    family: "ubuntu",
    manager: "apt-get",
    chronyConf: "/etc/chrony/chrony.conf",
    confdir: "/etc/chrony/conf.d",
    unit: "chrony",
    headers: "linux-headers-K",
    buildTools: ["build-essential", "git"],
  }],
  ["ubuntu2404", {
    id: "ubuntu",
    version: "24.04",
    family: "ubuntu",
    manager: "apt-get",
    chronyConf: "/etc/chrony/chrony.conf",
    confdir: "/etc/chrony/conf.d",
    unit: "chrony",
    headers: "linux-headers-K",
    buildTools: ["build-essential", "git"],
  }],
  ["debian12", {
    id: "debian",
    version: "12",
    family: "debian",
    manager: "apt-get",
    chronyConf: "/etc/chrony/chrony.conf",
    confdir: "/etc/chrony/conf.d",
    unit: "chrony",
    headers: "linux-headers-K",
    buildTools: ["build-essential", "git"],
  }],
];

for (const [name, want] of EXPECTED) {
  Deno.test(`hostFactsOf chooses the ${want.family} layout for ${name}'s os-release`, () => {
    const host = hostFactsOf(OS_RELEASE[name]);
    assert.equal(host.id, want.id);
    assert.equal(host.version_id, want.version);
    assert.equal(host.family, want.family);
    assert.ok(host.layout);
    assert.equal(host.layout.package_manager, want.manager);
    assert.equal(host.layout.chrony_conf, want.chronyConf);
    assert.equal(host.layout.chrony_confdir, want.confdir);
    assert.equal(host.layout.chrony_unit, want.unit);
    assert.deepEqual(host.layout.build_tools, want.buildTools);
    assert.equal(kernelHeadersPackage(host.layout, "K"), want.headers);
    assert.equal(hostLayout({ host }), host.layout);
  });
}

Deno.test("hostFactsOf leaves an unknown distribution without a layout, named by PRETTY_NAME", () => {
  const host = hostFactsOf(OS_RELEASE.opensuse);
  assert.equal(host.layout, null);
  assert.equal(host.family, null);
  assert.equal(host.pretty_name, "openSUSE Leap 15.6");
  assert.deepEqual(host.id_like, ["suse", "opensuse"]);
  const empty = hostFactsOf("");
  assert.equal(empty.layout, null);
  assert.equal(empty.id, "unknown");
});

Deno.test("hostLayout falls back to Amazon Linux 2023 only when detect-arch did not run", () => {
  assert.equal(hostLayout({}), AMAZON_LINUX_2023);
});
