/**
 * Preflight checks of where instances go: the subnet (and its availability
 * zone) and the security groups, one of which should allow inbound TCP 22 so
 * the connect step can reach the hosts.
 * Source: EC2 API Reference "DescribeSubnets", "DescribeSecurityGroups", "IpPermission".
 * @module
 */
import {
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  type EC2Client,
  type IpPermission,
  type SecurityGroup,
} from "@aws-sdk/client-ec2";
import { StepError } from "../../../runner/errors.ts";
import {
  awsErrorMessage,
  isAbort,
  isNotFoundOrInvalid,
  toStepError,
} from "../shared/aws-errors.ts";

/** The subnet instances are launched into. */
export interface SubnetInfo {
  subnetId: string;
  availabilityZone: string;
  vpcId?: string;
}

/**
 * Checks that the subnet exists.
 * @throws StepError `config` naming `subnet_id` when it does not exist in `region`.
 */
export async function checkSubnet(
  ec2: EC2Client,
  subnetId: string,
  region: string,
  signal: AbortSignal,
): Promise<SubnetInfo> {
  try {
    const out = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }), {
      abortSignal: signal,
    });
    const subnet = out.Subnets?.[0];
    if (subnet) {
      return {
        subnetId,
        availabilityZone: subnet.AvailabilityZone ?? "unknown",
        vpcId: subnet.VpcId,
      };
    }
  } catch (error) {
    if (isAbort(error, signal)) throw signal.reason ?? error;
    if (!isNotFoundOrInvalid(error)) {
      throw toStepError(error, `describe subnet ${subnetId}`, "ec2:DescribeSubnets");
    }
  }
  throw new StepError(
    "config",
    `subnet_id: ${subnetId} does not exist in ${region}; check the id or the region`,
  );
}

/** True when the rule admits TCP port 22 (protocol `tcp`/`6` covering 22, or all traffic `-1`). */
export function allowsSsh(rule: IpPermission): boolean {
  const protocol = rule.IpProtocol ?? "";
  if (protocol === "-1") return true;
  if (protocol !== "tcp" && protocol !== "6") return false;
  const from = rule.FromPort ?? 0;
  const to = rule.ToPort ?? 65535;
  const hasSource = (rule.IpRanges?.length ?? 0) + (rule.Ipv6Ranges?.length ?? 0) +
      (rule.UserIdGroupPairs?.length ?? 0) + (rule.PrefixListIds?.length ?? 0) > 0;
  return from <= 22 && 22 <= to && hasSource;
}

/**
 * Checks that every security group exists (transport ssm: no inbound rule is
 * needed, the agent connects out).
 * @throws StepError `config` naming the missing group ids.
 */
export async function checkSecurityGroupsExist(
  ec2: EC2Client,
  groupIds: readonly string[],
  signal: AbortSignal,
): Promise<{ warning?: string }> {
  if (groupIds.length > 0) await describeGroups(ec2, groupIds, signal);
  return {};
}

async function describeGroups(
  ec2: EC2Client,
  groupIds: readonly string[],
  signal: AbortSignal,
): Promise<SecurityGroup[]> {
  let groups: SecurityGroup[];
  try {
    const out = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [...groupIds] }), {
      abortSignal: signal,
    });
    groups = out.SecurityGroups ?? [];
  } catch (error) {
    if (isAbort(error, signal)) throw signal.reason ?? error;
    if (isNotFoundOrInvalid(error)) {
      throw new StepError(
        "config",
        `security_group_ids: ${awsErrorMessage(error)} (given: ${groupIds.join(", ")})`,
        { cause: error },
      );
    }
    throw toStepError(error, "describe the security groups", "ec2:DescribeSecurityGroups");
  }
  const found = new Set(groups.map((g) => g.GroupId));
  const missing = groupIds.filter((id) => !found.has(id));
  if (missing.length > 0) {
    throw new StepError("config", `security_group_ids: ${missing.join(", ")} do not exist`);
  }
  return groups;
}

/**
 * Checks that every security group exists; returns a warning when none admits
 * inbound TCP 22 (or when no group is given, so the VPC's default group applies).
 * @throws StepError `config` naming the missing group ids.
 */
export async function checkSecurityGroups(
  ec2: EC2Client,
  groupIds: readonly string[],
  signal: AbortSignal,
): Promise<{ warning?: string }> {
  if (groupIds.length === 0) {
    return {
      warning: "no security_group_ids given: the VPC's default security group applies; " +
        "make sure it allows inbound TCP 22 from this machine",
    };
  }
  const groups = await describeGroups(ec2, groupIds, signal);
  const ssh = groups.some((g) => (g.IpPermissions ?? []).some(allowsSsh));
  return ssh ? {} : {
    warning: `none of the security groups ${groupIds.join(", ")} allows inbound TCP 22: ` +
      "the connect step will not reach the instances",
  };
}
