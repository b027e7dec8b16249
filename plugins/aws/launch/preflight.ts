/**
 * The launch preflight: everything is checked before anything is created
 * (instance types in one batched call, subnet, security groups, key pair and
 * its fingerprint, placement group, AMIs per architecture). Produces the
 * {@link LaunchPlan} that the dry run prints and the launch executes.
 * Domain source: PTP.md sections 1 and 7.
 * @module
 */
import type { EC2Client } from "@aws-sdk/client-ec2";
import type { SSMClient } from "@aws-sdk/client-ssm";
import { StepError } from "../../../runner/errors.ts";
import type { StepContext } from "../../../runner/types.ts";
import { al2023Parameter, describeImage, resolveAl2023Amis } from "./amis.ts";
import { AL2023_LOGIN_USER, type ImageLoginUser, imageLoginUser } from "./image-login-user.ts";
import {
  amiArchitectureFor,
  describeRequestedTypes,
  type PhcSupportState,
} from "./instance-types.ts";
import { checkKeyPair, type KeyPairCheck } from "./key-pair.ts";
import type { LaunchInput } from "../../../steps/launch.ts";
import {
  checkSecurityGroups,
  checkSecurityGroupsExist,
  checkSubnet,
  type SubnetInfo,
} from "./network.ts";
import { checkPlacementGroup, type PlacementGroupInfo } from "../shared/placement-group.ts";

/** One instance type the launch will start. */
export interface PlannedType {
  instanceType: string;
  count: number;
  /** EC2 architecture of the AMI and the type (`x86_64` | `arm64`). */
  architecture: "x86_64" | "arm64";
  phcSupport: PhcSupportState;
  /** AMI to boot. */
  imageId: string;
  /** Where the AMI id came from (SSM parameter name or `ami_id`). */
  imageSource: string;
  /** The AMI's SSH login user (its cloud-init default user). */
  loginUser: ImageLoginUser;
}

/** One instance type the launch will not start, and why. */
export interface SkippedType {
  instanceType: string;
  count: number;
  phcSupport: PhcSupportState;
  reason: string;
}

/** What the launch will do, once preflight passed. */
export interface LaunchPlan {
  region: string;
  subnet: SubnetInfo;
  securityGroupIds: string[];
  /** The key pair the instances get; absent with transport ssm and no `key_name`. */
  keyPair?: KeyPairCheck;
  /** How host steps reach the instances. */
  transport: "ssh" | "ssm";
  /** Instance profile (name or ARN) the instances get, if any. */
  instanceProfile?: string;
  /** Existing group to launch into (undefined when none or when one is to be created). */
  placementGroup?: PlacementGroupInfo;
  /** True when a temporary precision-time group is created before launching. */
  createPlacementGroup: boolean;
  launch: PlannedType[];
  skipped: SkippedType[];
  /** Warnings found (also logged). */
  warnings: string[];
}

/**
 * Runs every preflight check (independent checks concurrently). A type
 * whose `PlacementGroupInfo.SupportedStrategies` lacks `precision-time` is
 * skipped (verdict `unsupported`, with the reason) when the run uses a
 * precision-time group, instead of failing at RunInstances.
 * @throws StepError `config` for unknown types (with suggestions), a missing
 *   subnet, security group, key pair or placement group, a fingerprint mismatch,
 *   an encrypted private key without (or with a wrong) passphrase,
 *   or an `ami_id` whose architecture does not fit a type; `auth` for missing
 *   permissions.
 */
export async function runPreflight(
  ctx: StepContext,
  clients: { ec2: EC2Client; ssm: SSMClient },
  input: LaunchInput,
  region: string,
  signal: AbortSignal,
): Promise<LaunchPlan> {
  const { ec2, ssm } = clients;
  const warnings: string[] = [];
  if (input.placement_group && input.create_placement_group) {
    throw new StepError(
      "config",
      "give either placement_group (an existing group) or create_placement_group: true, not both",
    );
  }
  const types = input.instance_types.map((r) => r.instanceType);
  const [typeFacts, subnet, groups, keyPair, placement] = await Promise.all([
    describeRequestedTypes(ec2, types, region, signal),
    checkSubnet(ec2, input.subnet_id, region, signal),
    input.transport === "ssh"
      ? checkSecurityGroups(ec2, input.security_group_ids, signal)
      : checkSecurityGroupsExist(ec2, input.security_group_ids, signal),
    input.key_name === undefined
      ? Promise.resolve(undefined)
      : checkKeyPair(ctx, ec2, input.key_name, input.private_key, region, signal),
    input.placement_group
      ? checkPlacementGroup(ec2, input.placement_group, signal)
      : Promise.resolve(undefined),
  ]);
  if (groups.warning) warnings.push(groups.warning);
  if (keyPair?.warning) warnings.push(keyPair.warning);
  if (input.transport === "ssm" && input.iam_instance_profile === undefined) {
    warnings.push(
      "transport ssm without iam_instance_profile: the SSM agent registers only if the account " +
        "enables Default Host Management Configuration; give an instance profile whose role has " +
        "AmazonSSMManagedInstanceCore (--set iam_instance_profile=NAME)",
    );
  }
  if (placement?.warning) warnings.push(placement.warning);
  if (!input.placement_group && !input.create_placement_group) {
    warnings.push(
      "no placement group: since 2026 the PHC is reachable only in a precision-time placement " +
        "group (except legacy access for M7a/M7g/M7i/R7a/R7g/R7i/I8g/I8ge in a few regions); " +
        "pass --set create_placement_group=true or --set placement_group=NAME",
    );
  }

  const launch: Omit<PlannedType, "imageId" | "imageSource" | "loginUser">[] = [];
  const skipped: SkippedType[] = [];
  input.instance_types.forEach((request, i) => {
    const facts = typeFacts[i];
    const architecture = amiArchitectureFor(facts);
    if (!architecture) {
      // e.g. mac1.metal (x86_64_mac): one such type must not abort the others.
      skipped.push({
        instanceType: request.instanceType,
        count: request.count,
        phcSupport: facts.phcSupport,
        reason: `${request.instanceType} supports ${
          facts.architectures.join(", ") || "no listed architecture"
        }; Amazon Linux 2023 needs x86_64 or arm64`,
      });
      return;
    }
    if (facts.phcSupport === "unsupported" && !input.allow_unsupported) {
      skipped.push({
        instanceType: request.instanceType,
        count: request.count,
        phcSupport: "unsupported",
        reason: `DescribeInstanceTypes reports PhcSupport unsupported for ${request.instanceType}`,
      });
      return;
    }
    if (facts.phcSupport === "unknown") {
      warnings.push(
        `${request.instanceType}: DescribeInstanceTypes gives no PhcSupport; launching to find out`,
      );
    }
    const groupStrategy = input.create_placement_group
      ? "precision-time"
      : placement?.group.strategy;
    const lacksStrategy = groupStrategy !== undefined && facts.placementStrategies.length > 0 &&
      !facts.placementStrategies.includes(groupStrategy);
    if (lacksStrategy && groupStrategy === "precision-time") {
      // RunInstances would refuse it (InvalidParameterCombination) and fail the whole type.
      skipped.push({
        instanceType: request.instanceType,
        count: request.count,
        phcSupport: facts.phcSupport,
        reason: `${request.instanceType} does not list the precision-time placement strategy ` +
          `(DescribeInstanceTypes SupportedStrategies: ${facts.placementStrategies.join(", ")}): ` +
          "not launched into the precision-time placement group, where the PHC is reachable",
      });
      return;
    }
    if (lacksStrategy) {
      warnings.push(
        `${request.instanceType} does not list ${groupStrategy} among its placement strategies ` +
          `(${facts.placementStrategies.join(", ")}); RunInstances may refuse it`,
      );
    }
    launch.push({ ...request, architecture, phcSupport: facts.phcSupport });
  });

  let planned: PlannedType[];
  if (input.ami_id) {
    const amiId = input.ami_id;
    const image = launch.length > 0 ? await describeImage(ec2, amiId, signal) : undefined;
    const arch = image?.architecture;
    const loginUser = imageLoginUser(image ?? {});
    if (image && !loginUser.known) {
      warnings.push(
        `ami_id: ${amiId} (${image.name ?? "no name"}) is no image whose login user is known: ` +
          `connect tries ${loginUser.user} unless told otherwise (--set user=NAME)`,
      );
    }
    const misfits = launch.filter((t) => t.architecture !== arch);
    if (misfits.length > 0) {
      throw new StepError(
        "config",
        `ami_id: ${amiId} is ${arch}, but ${
          misfits.map((t) => `${t.instanceType} is ${t.architecture}`).join(", ")
        }; drop ami_id to use the AL2023 AMI per architecture`,
      );
    }
    planned = launch.map((t) => ({ ...t, imageId: amiId, imageSource: "ami_id", loginUser }));
  } else {
    const amis = launch.length > 0
      ? await resolveAl2023Amis(ssm, launch.map((t) => t.architecture), signal)
      : new Map<string, string>();
    planned = launch.map((t) => ({
      ...t,
      imageId: amis.get(t.architecture)!,
      imageSource: al2023Parameter(t.architecture),
      loginUser: AL2023_LOGIN_USER,
    }));
  }
  for (const warning of warnings) ctx.log.warn(warning);
  return {
    region,
    subnet,
    securityGroupIds: [...input.security_group_ids],
    ...(keyPair ? { keyPair } : {}),
    transport: input.transport,
    ...(input.iam_instance_profile ? { instanceProfile: input.iam_instance_profile } : {}),
    placementGroup: placement?.group,
    createPlacementGroup: input.create_placement_group,
    launch: planned,
    skipped,
    warnings,
  };
}
