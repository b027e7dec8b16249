/**
 * The account state a simulator starts with, so a run works with no setup:
 * in the home region a default VPC and subnet, security groups (one allowing
 * TCP 22 from anywhere, one allowing nothing inbound, the VPC's `default`),
 * a `precision-time` and a `cluster` placement group and the key pair; in
 * every region the Amazon Linux 2023 AMIs behind the SSM public parameters,
 * and Ubuntu, Debian, RHEL and Rocky Linux AMIs under their publishers'
 * owner ids and names (for `ami_id`).
 * @module
 */
import type { RegionState, SimImage, SimKeyPair, SimRegionInfo } from "./account.ts";
import { AMAZON_IMAGE_OWNER_ID } from "./account.ts";

/** Ids and names of the pre-created resources (the simulator's `defaultInputs`). */
export const SIM_SEED = {
  vpcId: "vpc-0sim0000000000001",
  subnetId: "subnet-0sim0000000000001",
  availabilityZone: "a",
  sshSecurityGroupId: "sg-0sim0000000000022",
  sshSecurityGroupName: "ptp-runner-sim-ssh",
  closedSecurityGroupId: "sg-0sim0000000000000",
  closedSecurityGroupName: "ptp-runner-sim-closed",
  defaultSecurityGroupId: "sg-0sim0000000000001",
  precisionTimeGroupName: "ptp-runner-sim",
  precisionTimeGroupId: "pg-0sim0000000000001",
  clusterGroupName: "ptp-runner-sim-cluster",
  clusterGroupId: "pg-0sim0000000000002",
  keyName: "ptp-runner-sim",
  keyPairId: "key-0sim0000000000001",
} as const;

/** Regions DescribeRegions reports; the last two only with `AllRegions=true`. */
export const SIM_REGIONS: SimRegionInfo[] = [
  { regionName: "us-east-1", optInStatus: "opt-in-not-required" },
  { regionName: "us-east-2", optInStatus: "opt-in-not-required" },
  { regionName: "us-west-2", optInStatus: "opt-in-not-required" },
  { regionName: "eu-west-1", optInStatus: "opt-in-not-required" },
  { regionName: "eu-north-1", optInStatus: "opt-in-not-required" },
  { regionName: "ap-northeast-1", optInStatus: "opt-in-not-required" },
  { regionName: "af-south-1", optInStatus: "not-opted-in" },
  { regionName: "ap-southeast-7", optInStatus: "not-opted-in" },
];

/** SSM public parameter prefix of the Amazon Linux AMIs (PTP.md section 7). */
export const AL2023_PARAMETER_PREFIX = "/aws/service/ami-amazon-linux-latest/";

/** Owner ids of the publishers of the other distributions' official AMIs. */
export const IMAGE_OWNERS = {
  canonical: "099720109477",
  debian: "136693071363",
  redHat: "309956199498",
  rocky: "792107900819",
} as const;

/** One publisher's image per architecture. */
function imagePair(
  common: Omit<SimImage, "imageId" | "name" | "description" | "architecture" | "ssmParameters">,
  arches: Record<"x86_64" | "arm64", {
    imageId: string;
    name: string;
    description: string;
    ssmParameters?: string[];
  }>,
): SimImage[] {
  return (["x86_64", "arm64"] as const).map((architecture) => ({
    ...common,
    architecture,
    ssmParameters: [],
    ...arches[architecture],
  }));
}

/**
 * Ubuntu, Debian, RHEL and Rocky Linux AMIs as their publishers name them
 * (names, descriptions, owners and SSM parameters of the real images; ids made up).
 */
const OTHER_IMAGES: readonly SimImage[] = [
  ...imagePair({
    creationDate: "2025-10-22T08:12:31.000Z",
    ownerId: IMAGE_OWNERS.canonical,
    platformDetails: "Linux/UNIX",
    distribution: "ubuntu-24.04",
  }, {
    x86_64: {
      imageId: "ami-0c1a2b3c4d5e6f701",
      name: "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20251022",
      description: "Canonical, Ubuntu, 24.04, amd64 noble image",
      ssmParameters: [
        "/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id",
      ],
    },
    arm64: {
      imageId: "ami-0c1a2b3c4d5e6f702",
      name: "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-20251022",
      description: "Canonical, Ubuntu, 24.04, arm64 noble image",
      ssmParameters: [
        "/aws/service/canonical/ubuntu/server/24.04/stable/current/arm64/hvm/ebs-gp3/ami-id",
      ],
    },
  }),
  ...imagePair({
    creationDate: "2025-10-15T06:40:02.000Z",
    ownerId: IMAGE_OWNERS.canonical,
    platformDetails: "Linux/UNIX",
    distribution: "ubuntu-22.04",
  }, {
    x86_64: {
      imageId: "ami-0c1a2b3c4d5e6f703",
      name: "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20251015",
      description: "Canonical, Ubuntu, 22.04 LTS, amd64 jammy image build on 2025-10-15",
    },
    arm64: {
      imageId: "ami-0c1a2b3c4d5e6f704",
      name: "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-arm64-server-20251015",
      description: "Canonical, Ubuntu, 22.04 LTS, arm64 jammy image build on 2025-10-15",
    },
  }),
  ...imagePair({
    creationDate: "2025-10-06T23:01:44.000Z",
    ownerId: IMAGE_OWNERS.debian,
    platformDetails: "Linux/UNIX",
    distribution: "debian-12",
  }, {
    x86_64: {
      imageId: "ami-0d1e2b3c4d5e6f705",
      name: "debian-12-amd64-20251006-2257",
      description: "Debian 12 (20251006-2257)",
      ssmParameters: ["/aws/service/debian/release/12/latest/amd64"],
    },
    arm64: {
      imageId: "ami-0d1e2b3c4d5e6f706",
      name: "debian-12-arm64-20251006-2257",
      description: "Debian 12 (20251006-2257)",
      ssmParameters: ["/aws/service/debian/release/12/latest/arm64"],
    },
  }),
  ...imagePair({
    creationDate: "2025-09-10T14:20:11.000Z",
    ownerId: IMAGE_OWNERS.redHat,
    platformDetails: "Red Hat Enterprise Linux",
    distribution: "rhel-9",
  }, {
    x86_64: {
      imageId: "ami-0e1f2b3c4d5e6f707",
      name: "RHEL-9.6.0_HVM-20250910-x86_64-0-Hourly2-GP3",
      description: "Provided by Red Hat, Inc.",
    },
    arm64: {
      imageId: "ami-0e1f2b3c4d5e6f708",
      name: "RHEL-9.6.0_HVM-20250910-arm64-0-Hourly2-GP3",
      description: "Provided by Red Hat, Inc.",
    },
  }),
  ...imagePair({
    creationDate: "2025-06-02T17:33:09.000Z",
    ownerId: IMAGE_OWNERS.rocky,
    platformDetails: "Linux/UNIX",
    distribution: "rocky-9",
  }, {
    x86_64: {
      imageId: "ami-0f2a2b3c4d5e6f709",
      name: "Rocky-9-EC2-Base-9.6-20250531.0.x86_64",
      description: "Rocky-9-EC2-Base-9.6-20250531.0.x86_64",
    },
    arm64: {
      imageId: "ami-0f2a2b3c4d5e6f70a",
      name: "Rocky-9-EC2-Base-9.6-20250531.0.aarch64",
      description: "Rocky-9-EC2-Base-9.6-20250531.0.aarch64",
    },
  }),
];

/**
 * The images every region has: first the AL2023 ones (with the SSM parameters
 * naming them), then the other distributions'.
 */
export const SIM_IMAGES: readonly SimImage[] = [
  {
    imageId: "ami-05e6f7a8b9c0d1e2f",
    name: "al2023-ami-2023.9.20251117.1-kernel-6.1-x86_64",
    description: "Amazon Linux 2023 AMI 2023.9.20251117.1 x86_64 HVM kernel-6.1",
    architecture: "x86_64",
    creationDate: "2025-11-17T21:10:43.000Z",
    ownerId: AMAZON_IMAGE_OWNER_ID,
    ownerAlias: "amazon",
    platformDetails: "Linux/UNIX",
    distribution: "amazon-linux-2023",
    ssmParameters: [
      `${AL2023_PARAMETER_PREFIX}al2023-ami-kernel-default-x86_64`,
      `${AL2023_PARAMETER_PREFIX}al2023-ami-kernel-6.1-x86_64`,
    ],
  },
  {
    imageId: "ami-0f1e2d3c4b5a69788",
    name: "al2023-ami-2023.9.20251117.1-kernel-6.1-arm64",
    description: "Amazon Linux 2023 AMI 2023.9.20251117.1 arm64 HVM kernel-6.1",
    architecture: "arm64",
    creationDate: "2025-11-17T21:10:45.000Z",
    ownerId: AMAZON_IMAGE_OWNER_ID,
    ownerAlias: "amazon",
    platformDetails: "Linux/UNIX",
    distribution: "amazon-linux-2023",
    ssmParameters: [
      `${AL2023_PARAMETER_PREFIX}al2023-ami-kernel-default-arm64`,
      `${AL2023_PARAMETER_PREFIX}al2023-ami-kernel-6.1-arm64`,
    ],
  },
  ...OTHER_IMAGES,
];

/** Adds the images every region has. */
export function seedImages(state: RegionState): void {
  for (const image of SIM_IMAGES) state.images.set(image.imageId, { ...image });
}

/** Adds the home region's pre-created network, security groups, placement groups and key pair. */
export function seedHomeRegion(state: RegionState, keyPair: SimKeyPair): void {
  const az = `${state.region}${SIM_SEED.availabilityZone}`;
  state.vpcs.set(SIM_SEED.vpcId, {
    vpcId: SIM_SEED.vpcId,
    cidrBlock: "172.31.0.0/16",
    isDefault: true,
    tags: { Name: "ptp-runner-sim" },
  });
  state.subnets.set(SIM_SEED.subnetId, {
    subnetId: SIM_SEED.subnetId,
    vpcId: SIM_SEED.vpcId,
    availabilityZone: az,
    availabilityZoneId: "use1-az1",
    cidrBlock: "172.31.0.0/20",
    availableIpAddressCount: 4091,
    defaultForAz: true,
    mapPublicIpOnLaunch: true,
    tags: { Name: "ptp-runner-sim" },
  });
  const egressAll = [{ ipProtocol: "-1", cidrIps: ["0.0.0.0/0"], groupIds: [] }];
  state.securityGroups.set(SIM_SEED.sshSecurityGroupId, {
    groupId: SIM_SEED.sshSecurityGroupId,
    groupName: SIM_SEED.sshSecurityGroupName,
    description: "SSH from anywhere (ptp-runner simulator)",
    vpcId: SIM_SEED.vpcId,
    ingress: [{
      ipProtocol: "tcp",
      fromPort: 22,
      toPort: 22,
      cidrIps: ["0.0.0.0/0"],
      groupIds: [],
      description: "SSH",
    }],
    egress: egressAll,
    tags: {},
  });
  state.securityGroups.set(SIM_SEED.closedSecurityGroupId, {
    groupId: SIM_SEED.closedSecurityGroupId,
    groupName: SIM_SEED.closedSecurityGroupName,
    description: "No inbound traffic (ptp-runner simulator)",
    vpcId: SIM_SEED.vpcId,
    ingress: [],
    egress: egressAll,
    tags: {},
  });
  state.securityGroups.set(SIM_SEED.defaultSecurityGroupId, {
    groupId: SIM_SEED.defaultSecurityGroupId,
    groupName: "default",
    description: "default VPC security group",
    vpcId: SIM_SEED.vpcId,
    ingress: [{ ipProtocol: "-1", cidrIps: [], groupIds: [SIM_SEED.defaultSecurityGroupId] }],
    egress: egressAll,
    tags: {},
  });
  state.placementGroups.set(SIM_SEED.precisionTimeGroupName, {
    groupId: SIM_SEED.precisionTimeGroupId,
    groupName: SIM_SEED.precisionTimeGroupName,
    strategy: "precision-time",
    state: "available",
    tags: {},
  });
  state.placementGroups.set(SIM_SEED.clusterGroupName, {
    groupId: SIM_SEED.clusterGroupId,
    groupName: SIM_SEED.clusterGroupName,
    strategy: "cluster",
    state: "available",
    tags: {},
  });
  state.keyPairs.set(keyPair.keyName, keyPair);
}
