/**
 * The simulated AWS account: per region, the VPCs, subnets, security groups,
 * key pairs, placement groups, images and instances the fake EC2 endpoint
 * serves. Only plain data and lookups live here; the API semantics are in
 * `sim/aws/ec2/`.
 * @module
 */
import { LoopbackAddressPool } from "./addresses.ts";
import type { SimInstance } from "./instance.ts";
import type { SsmCommandTable } from "./ssm-command.ts";
import type { DistributionId } from "../host/model/distribution.ts";

/** The simulated account id (also what STS GetCallerIdentity returns). */
export const SIM_ACCOUNT_ID = "123456789012";
/** The simulated IAM user name. */
export const SIM_USER_NAME = "ptp-runner-sim";
/** Owner id of Amazon's public images (the AL2023 AMIs). */
export const AMAZON_IMAGE_OWNER_ID = "137112412989";

/** Tags of a resource, key -> value. */
export type SimTags = Record<string, string>;

/** A VPC. */
export interface SimVpc {
  vpcId: string;
  cidrBlock: string;
  isDefault: boolean;
  tags: SimTags;
}

/** A subnet. */
export interface SimSubnet {
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  availabilityZoneId: string;
  cidrBlock: string;
  availableIpAddressCount: number;
  defaultForAz: boolean;
  mapPublicIpOnLaunch: boolean;
  tags: SimTags;
}

/** An ingress or egress rule (`IpPermission`). Ports are TCP/UDP port numbers; `-1` protocol = all. */
export interface SimIpPermission {
  ipProtocol: string;
  fromPort?: number;
  toPort?: number;
  cidrIps: string[];
  groupIds: string[];
  description?: string;
}

/** A security group. */
export interface SimSecurityGroup {
  groupId: string;
  groupName: string;
  description: string;
  vpcId: string;
  ingress: SimIpPermission[];
  egress: SimIpPermission[];
  tags: SimTags;
}

/** A key pair. `fingerprint` as EC2 reports it (ed25519: base64 SHA-256 of the key blob, padded). */
export interface SimKeyPair {
  keyPairId: string;
  keyName: string;
  keyType: "ed25519" | "rsa";
  /** OpenSSH public key line (`ssh-ed25519 AAAA… name`). */
  publicKey: string;
  fingerprint: string;
  createTime: Date;
  tags: SimTags;
}

/** A placement group. Strategies: `cluster`, `spread`, `partition`, `precision-time`. */
export interface SimPlacementGroup {
  groupId: string;
  groupName: string;
  strategy: string;
  partitionCount?: number;
  spreadLevel?: string;
  state: "pending" | "available" | "deleting" | "deleted";
  tags: SimTags;
}

/** A machine image (AMI). */
export interface SimImage {
  imageId: string;
  name: string;
  description: string;
  architecture: "x86_64" | "arm64";
  creationDate: string;
  ownerId: string;
  ownerAlias?: string;
  /** `PlatformDetails` (`Linux/UNIX`; `Red Hat Enterprise Linux` for RHEL). */
  platformDetails: string;
  /** The operating system it boots (a host whose profile names none runs it). */
  distribution: DistributionId;
  /** The SSM public parameters that resolve to this image. */
  ssmParameters: string[];
}

/** A reservation: the instances of one RunInstances call. */
export interface SimReservation {
  reservationId: string;
  instanceIds: string[];
  /** Parameters that must match when the same ClientToken is reused. */
  idempotencyKey?: string;
}

/** Everything in one region of the account. */
export class RegionState {
  readonly region: string;
  readonly vpcs = new Map<string, SimVpc>();
  readonly subnets = new Map<string, SimSubnet>();
  readonly securityGroups = new Map<string, SimSecurityGroup>();
  /** Key pairs by name. */
  readonly keyPairs = new Map<string, SimKeyPair>();
  /** Placement groups by name. */
  readonly placementGroups = new Map<string, SimPlacementGroup>();
  readonly images = new Map<string, SimImage>();
  /** Instances by id, in launch order. */
  readonly instances = new Map<string, SimInstance>();
  readonly reservations = new Map<string, SimReservation>();
  /** RunInstances ClientToken -> reservation id. */
  readonly clientTokens = new Map<string, string>();
  /** SSM Run Command commands by id. */
  readonly ssmCommands: SsmCommandTable = new Map();

  constructor(region: string) {
    this.region = region;
  }

  /** The placement group with this id (`pg-…`), if any. */
  placementGroupById(groupId: string): SimPlacementGroup | undefined {
    for (const group of this.placementGroups.values()) {
      if (group.groupId === groupId) return group;
    }
    return undefined;
  }

  /** The security group with this name (first match), if any. */
  securityGroupByName(groupName: string): SimSecurityGroup | undefined {
    for (const group of this.securityGroups.values()) {
      if (group.groupName === groupName) return group;
    }
    return undefined;
  }

  /** The key pair with this id (`key-…`), if any. */
  keyPairById(keyPairId: string): SimKeyPair | undefined {
    for (const key of this.keyPairs.values()) if (key.keyPairId === keyPairId) return key;
    return undefined;
  }
}

/** A region the simulated account reports in DescribeRegions. */
export interface SimRegionInfo {
  regionName: string;
  /** `opt-in-not-required`, `opted-in` or `not-opted-in`. */
  optInStatus: string;
}

/** The simulated account: regions and the loopback address pool shared by all of them. */
export class SimAccount {
  readonly accountId = SIM_ACCOUNT_ID;
  readonly homeRegion: string;
  readonly addresses = new LoopbackAddressPool();
  readonly #regions = new Map<string, RegionState>();
  readonly #newRegion: (state: RegionState) => void;
  /** Regions DescribeRegions lists (with AllRegions also the not-opted-in ones). */
  readonly regionInfo: SimRegionInfo[];

  /**
   * @param homeRegion the region holding the pre-created resources.
   * @param regionInfo what DescribeRegions answers.
   * @param initRegion fills a region's state when it is first used (images, …).
   */
  constructor(
    homeRegion: string,
    regionInfo: SimRegionInfo[],
    initRegion: (state: RegionState) => void,
  ) {
    this.homeRegion = homeRegion;
    this.regionInfo = regionInfo;
    this.#newRegion = initRegion;
  }

  /** The state of `region`, created (and initialised) on first use. */
  region(region: string): RegionState {
    let state = this.#regions.get(region);
    if (!state) {
      state = new RegionState(region);
      this.#regions.set(region, state);
      this.#newRegion(state);
    }
    return state;
  }

  /** Every region state created so far. */
  regions(): RegionState[] {
    return [...this.#regions.values()];
  }

  /** Every instance in every region, in launch order per region. */
  allInstances(): SimInstance[] {
    return this.regions().flatMap((r) => [...r.instances.values()]);
  }
}
