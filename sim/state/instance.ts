/**
 * A simulated EC2 instance as the API sees it, and its lifecycle: `pending`
 * until the profile's `boot_seconds` of simulated time have passed, then
 * `running`; after TerminateInstances `shutting-down` for
 * {@link SHUTDOWN_SECONDS}, then `terminated`. States are computed lazily from
 * the simulator clock. State codes: EC2 API Reference, `InstanceState`.
 * @module
 */
import type { SimInstanceHost } from "../types.ts";

/** Simulated seconds an instance stays `shutting-down` before `terminated`. */
export const SHUTDOWN_SECONDS = 8;

/** EC2 instance state names with their API codes (EC2 API Reference, InstanceState). */
export const INSTANCE_STATE_CODES = {
  "pending": 0,
  "running": 16,
  "shutting-down": 32,
  "terminated": 48,
  "stopping": 64,
  "stopped": 80,
} as const;

/** An EC2 instance state name. */
export type InstanceStateName = keyof typeof INSTANCE_STATE_CODES;

/** `MetadataOptions` as requested in RunInstances and reported back (IMDS settings). */
export interface SimMetadataOptions {
  /** `required` (IMDSv2 only) or `optional`. */
  httpTokens: string;
  /** `enabled` or `disabled`. */
  httpEndpoint: string;
  /** Hop limit of IMDSv2 token responses (1-64). */
  httpPutResponseHopLimit: number;
  /** `enabled` or `disabled`. */
  instanceMetadataTags: string;
  /** `enabled` or `disabled`. */
  httpProtocolIpv6: string;
}

/** The IAM instance profile an instance was launched with, and its role. */
export interface SimInstanceProfileRef {
  name: string;
  /** `arn:aws:iam::<account>:instance-profile/<name>`. */
  arn: string;
  /** `AIPA…` unique id. */
  id: string;
  /** The role the profile carries. */
  role: string;
  /** Managed policies attached to the role (e.g. `AmazonSSMManagedInstanceCore`). */
  policies: string[];
}

/** One simulated instance (API view; the operating system is `host`). */
export interface SimInstance {
  instanceId: string;
  reservationId: string;
  instanceType: string;
  architecture: string;
  imageId: string;
  keyName?: string;
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  securityGroups: { groupId: string; groupName: string }[];
  placementGroupName?: string;
  placementGroupId?: string;
  /** Loopback address used as private and public IPv4 address. */
  address: string;
  amiLaunchIndex: number;
  clientToken?: string;
  metadataOptions: SimMetadataOptions;
  /** RunInstances `IamInstanceProfile`, when given. */
  iamInstanceProfile?: SimInstanceProfileRef;
  tags: Record<string, string>;
  /** Simulated time (seconds since start) of RunInstances. */
  launchedAt: number;
  /** Simulated time from which DescribeInstances shows it (default: `launchedAt`). */
  visibleAt?: number;
  /**
   * Simulated time its SSM agent registered, for instances that ran before
   * the simulator started (`existing_instances`: 0); when absent, running
   * time plus `ssm.registration_seconds`.
   */
  ssmRegisteredAt?: number;
  /** Simulated seconds from launch to `running` (profile `boot_seconds`). */
  bootSeconds: number;
  /** Simulated time of TerminateInstances, if terminated. */
  terminatedAt?: number;
  /** The simulated operating system (absent only in unit tests without a fleet). */
  host?: SimInstanceHost;
}

/** The instance's state at simulated time `now` (seconds since start). */
export function instanceStateAt(instance: SimInstance, now: number): InstanceStateName {
  if (instance.terminatedAt !== undefined) {
    return now < instance.terminatedAt + SHUTDOWN_SECONDS ? "shutting-down" : "terminated";
  }
  return now < instance.launchedAt + instance.bootSeconds ? "pending" : "running";
}

/** True while the instance counts as existing (not `shutting-down` or `terminated`). */
export function isLive(instance: SimInstance): boolean {
  return instance.terminatedAt === undefined;
}
