/**
 * The SSH login user of an AMI: the default user its cloud-init creates and
 * gives the key pair, told from the image as `DescribeImages` describes it
 * (name, description, owner, `PlatformDetails`).
 *
 * Source: Amazon EC2 User Guide, "Manage system users on your Amazon EC2 Linux
 * instance", section "Default usernames"
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/managing-users.html):
 * Amazon Linux `ec2-user`; CentOS `centos` or `ec2-user`; Debian `admin`;
 * Fedora `fedora` or `ec2-user`; FreeBSD `ec2-user`; RHEL `ec2-user` (or
 * `root`); SUSE `ec2-user` (or `root`); Ubuntu `ubuntu`; Oracle `ec2-user`;
 * Bitnami `bitnami`; "for other Linux distributions, check with the AMI
 * provider". Rocky Linux (not in that list): `rocky`, AlmaLinux: `ec2-user`,
 * as their projects' AWS images document. CentOS Stream images log in as
 * `ec2-user`, the older CentOS images as `centos`.
 * Owner ids: the accounts publishing the official images (Amazon
 * 137112412989, Canonical 099720109477, Debian 136693071363, Red Hat
 * 309956199498).
 * @module
 */

/** The fields of a `DescribeImages` image this module reads (all optional). */
export interface ImageIdentity {
  /** `Name`, e.g. `ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20241206`. */
  name?: string;
  /** `Description`. */
  description?: string;
  /** `OwnerId` (12 digits). */
  ownerId?: string;
  /** `ImageOwnerAlias` (`amazon`, `aws-marketplace`). */
  ownerAlias?: string;
  /** `PlatformDetails` (`Linux/UNIX`, `Red Hat Enterprise Linux`, `SUSE Linux`, `Ubuntu Pro`, ...). */
  platformDetails?: string;
}

/** The login user of an image, and what it was told from. */
export interface ImageLoginUser {
  /** Login user name, e.g. `ubuntu`. */
  user: string;
  /** The image family it was told from (e.g. `Ubuntu`), or `unknown image`. */
  family: string;
  /** False when nothing matched and `ec2-user` is a guess. */
  known: boolean;
}

/** The user of an image nothing identifies (Amazon Linux's, the most common). */
export const FALLBACK_LOGIN_USER = "ec2-user";

interface FamilyRule {
  family: string;
  user: string;
  /** Tested against `name description platformDetails`, lower case. */
  text?: RegExp;
  /** Owner ids publishing only this family. */
  owners?: string[];
}

/** First match wins: specific families (Bitnami, CentOS Stream) before broad ones. */
const RULES: readonly FamilyRule[] = [
  { family: "Bitnami", user: "bitnami", text: /\bbitnami\b/, owners: ["979382823631"] },
  { family: "CentOS Stream", user: "ec2-user", text: /centos[ -_]?stream/ },
  { family: "CentOS", user: "centos", text: /\bcentos\b/ },
  {
    family: "Rocky Linux",
    user: "rocky",
    text: /\brocky[- _]?(linux|\d)/,
    owners: ["792107900819"],
  },
  { family: "AlmaLinux", user: "ec2-user", text: /\balmalinux\b/, owners: ["764336703387"] },
  { family: "Fedora", user: "fedora", text: /\bfedora\b/ },
  { family: "Ubuntu", user: "ubuntu", text: /\bubuntu\b/, owners: ["099720109477"] },
  { family: "Debian", user: "admin", text: /\bdebian\b/, owners: ["136693071363"] },
  {
    family: "Red Hat Enterprise Linux",
    user: "ec2-user",
    text: /\brhel\b|red hat enterprise linux/,
    owners: ["309956199498"],
  },
  { family: "SUSE", user: "ec2-user", text: /\bsuse\b|\bsles\b/ },
  { family: "Oracle Linux", user: "ec2-user", text: /\boracle[- _]?linux\b|\bol\d/ },
  { family: "FreeBSD", user: "ec2-user", text: /\bfreebsd\b/ },
  {
    family: "Amazon Linux",
    user: "ec2-user",
    text: /\bal2023-ami\b|\bamzn2?-ami\b|amazon linux/,
    owners: ["137112412989"],
  },
];

/**
 * The login user of an image, from its name, description and
 * `PlatformDetails` (first), else its owner; `ec2-user` with `known: false`
 * when nothing identifies it. Never throws.
 */
export function imageLoginUser(image: ImageIdentity): ImageLoginUser {
  const text = [image.name, image.description, image.platformDetails]
    .filter((s): s is string => typeof s === "string").join(" ").toLowerCase();
  const rule = RULES.find((r) => r.text?.test(text)) ??
    RULES.find((r) => image.ownerId !== undefined && r.owners?.includes(image.ownerId));
  if (rule) return { user: rule.user, family: rule.family, known: true };
  return { user: FALLBACK_LOGIN_USER, family: "unknown image", known: false };
}

/** The login user of the Amazon Linux 2023 AMIs the SSM public parameters name. */
export const AL2023_LOGIN_USER: ImageLoginUser = {
  user: "ec2-user",
  family: "Amazon Linux",
  known: true,
};
