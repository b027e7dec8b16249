/**
 * plugins/aws/launch/image-login-user.ts: the SSH login user of real AMIs,
 * told from what DescribeImages gives (name, description, owner,
 * PlatformDetails), per AWS's "Default usernames" list.
 */
import assert from "node:assert/strict";
import { imageLoginUser } from "../../plugins/aws/launch/image-login-user.ts";

const CASES: { image: Parameters<typeof imageLoginUser>[0]; user: string; family: string }[] = [
  {
    image: {
      name: "al2023-ami-2023.6.20241212.0-kernel-6.1-x86_64",
      description: "Amazon Linux 2023 AMI 2023.6.20241212.0 x86_64 HVM kernel-6.1",
      ownerId: "137112412989",
      ownerAlias: "amazon",
      platformDetails: "Linux/UNIX",
    },
    user: "ec2-user",
    family: "Amazon Linux",
  },
  {
    image: { name: "amzn2-ami-kernel-5.10-hvm-2.0.20241217.0-x86_64-gp2" },
    user: "ec2-user",
    family: "Amazon Linux",
  },
  {
    image: {
      name: "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20241206",
      description: "Canonical, Ubuntu, 24.04, amd64 noble image",
      ownerId: "099720109477",
      platformDetails: "Linux/UNIX",
    },
    user: "ubuntu",
    family: "Ubuntu",
  },
  {
    image: {
      name: "debian-12-amd64-20241201-1948",
      description: "Debian 12 (20241201-1948)",
      ownerId: "136693071363",
    },
    user: "admin",
    family: "Debian",
  },
  {
    image: {
      name: "RHEL-9.5.0_HVM-20241211-x86_64-0-Hourly2-GP3",
      description: "Provided by Red Hat, Inc.",
      ownerId: "309956199498",
      platformDetails: "Red Hat Enterprise Linux",
    },
    user: "ec2-user",
    family: "Red Hat Enterprise Linux",
  },
  {
    image: { name: "Rocky-9-EC2-Base-9.5-20241118.0.x86_64", ownerId: "792107900819" },
    user: "rocky",
    family: "Rocky Linux",
  },
  { image: { name: "AlmaLinux OS 9.5.20241120 x86_64" }, user: "ec2-user", family: "AlmaLinux" },
  { image: { name: "CentOS Stream 9 x86_64 20241118" }, user: "ec2-user", family: "CentOS Stream" },
  {
    image: { name: "CentOS Linux 7 x86_64 HVM EBS ENA 2002_01" },
    user: "centos",
    family: "CentOS",
  },
  {
    image: { name: "Fedora-Cloud-Base-41-1.4.x86_64-hvm-us-east-1-gp3-0" },
    user: "fedora",
    family: "Fedora",
  },
  {
    image: { name: "suse-sles-15-sp6-v20241113-hvm-ssd-x86_64", platformDetails: "SUSE Linux" },
    user: "ec2-user",
    family: "SUSE",
  },
  {
    image: { name: "bitnami-wordpress-6.7.1-r0-debian-12-amd64" },
    user: "bitnami",
    family: "Bitnami",
  },
  // An image named by its owner only: Canonical publishes Ubuntu.
  { image: { name: "custom-build-42", ownerId: "099720109477" }, user: "ubuntu", family: "Ubuntu" },
];

for (const c of CASES) {
  Deno.test(`imageLoginUser: ${c.image.name} logs in as ${c.user}`, () => {
    assert.deepEqual(imageLoginUser(c.image), { user: c.user, family: c.family, known: true });
  });
}

Deno.test("imageLoginUser falls back to ec2-user, marked unknown, for an image nothing identifies", () => {
  assert.deepEqual(imageLoginUser({ name: "my-golden-image-2024", ownerId: "123456789012" }), {
    user: "ec2-user",
    family: "unknown image",
    known: false,
  });
  assert.equal(imageLoginUser({}).known, false);
});
