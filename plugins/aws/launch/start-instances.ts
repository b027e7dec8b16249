/**
 * One `RunInstances` request per instance type: IMDSv2 required (AL2023
 * requires it, PTP.md §7), the key pair (transport ssh) and the instance
 * profile (`IamInstanceProfile`, transport ssm) when given, tags that let `sweep` find what a killed run left,
 * the placement group, and a `ClientToken` so a retried request never launches
 * twice. Source: EC2 API Reference "RunInstances", "InstanceMetadataOptionsRequest",
 * "TagSpecification"; "Ensure idempotency" (ClientToken up to 64 ASCII characters).
 * @module
 */
import {
  type _InstanceType,
  CreateTagsCommand,
  type EC2Client,
  type Instance,
  RunInstancesCommand,
  type RunInstancesCommandInput,
  type Tag,
} from "@aws-sdk/client-ec2";
import type { StepContext } from "../../../runner/types.ts";
import { isAbort, isThrottling } from "../shared/aws-errors.ts";
import type { LaunchPlan, PlannedType } from "./preflight.ts";
import { instanceProfileSpec } from "./instance-profile-name.ts";

/** Tag keys every resource of a run carries. */
export const TAG_RUN_ID = "ptp-runner:run-id";
/** Tag key naming the caller who launched it (IAM ARN). */
export const TAG_OWNER = "ptp-runner:owner";
/** Tag key whose value is always `ptp-runner` (what `sweep` filters on). */
export const TAG_TOOL = "ptp-runner:tool";
/** Tag key of the purpose, `phc-test`. */
export const TAG_PURPOSE = "ptp-runner:purpose";
/** Value of {@link TAG_TOOL}. */
export const TOOL_NAME = "ptp-runner";

/** The run tags (without `Name`). */
export function runTags(runId: string, ownerArn: string): Tag[] {
  return [
    { Key: TAG_RUN_ID, Value: runId },
    { Key: TAG_OWNER, Value: ownerArn },
    { Key: TAG_TOOL, Value: TOOL_NAME },
    { Key: TAG_PURPOSE, Value: "phc-test" },
  ];
}

/** `Name` tag value of instance `n` (1-based) of a type: `<prefix>-<type>-<n>`. */
export function instanceName(prefix: string, instanceType: string, n: number): string {
  return `${prefix}-${instanceType}-${n}`;
}

/** Idempotency token: run id + type, at most 64 characters. */
export function clientToken(runId: string, instanceType: string): string {
  return `${runId}-${instanceType}`.slice(0, 64);
}

/**
 * The RunInstances request for one planned type.
 * @param placementGroupName group to launch into, if any.
 * @param dryRun sets `DryRun: true` (permission check only).
 */
export function runInstancesInput(options: {
  plan: Pick<LaunchPlan, "subnet" | "securityGroupIds" | "keyPair" | "instanceProfile">;
  type: PlannedType;
  placementGroupName?: string;
  runId: string;
  ownerArn: string;
  namePrefix: string;
  dryRun?: boolean;
}): RunInstancesCommandInput {
  const { plan, type } = options;
  // With one instance the Name tag is final; with several, each instance gets
  // its own `-<n>` Name right after launch (CreateTags).
  const name = type.count === 1
    ? instanceName(options.namePrefix, type.instanceType, 1)
    : `${options.namePrefix}-${type.instanceType}`;
  const tags = [{ Key: "Name", Value: name }, ...runTags(options.runId, options.ownerArn)];
  return {
    ImageId: type.imageId,
    InstanceType: type.instanceType as _InstanceType,
    MinCount: type.count,
    MaxCount: type.count,
    ...(plan.keyPair ? { KeyName: plan.keyPair.keyName } : {}),
    ...(plan.instanceProfile
      ? { IamInstanceProfile: instanceProfileSpec(plan.instanceProfile) }
      : {}),
    SubnetId: plan.subnet.subnetId,
    ...(plan.securityGroupIds.length > 0 ? { SecurityGroupIds: plan.securityGroupIds } : {}),
    ...(options.placementGroupName ? { Placement: { GroupName: options.placementGroupName } } : {}),
    MetadataOptions: { HttpTokens: "required", HttpEndpoint: "enabled" },
    TagSpecifications: [
      { ResourceType: "instance", Tags: tags },
      { ResourceType: "volume", Tags: tags },
    ],
    ...(options.dryRun
      ? { DryRun: true }
      : { ClientToken: clientToken(options.runId, type.instanceType) }),
  };
}

/**
 * Sends RunInstances, retrying `RequestLimitExceeded`/throttling (beyond the
 * SDK's own retries) up to `retries` times with delays of 2, 4, 8... seconds
 * (through `ctx.sleep`). The ClientToken makes the retries idempotent.
 * @returns the launched instances sorted by `AmiLaunchIndex`.
 * @throws the AWS error (capacity, permission, ...) or the signal's reason.
 */
export async function sendRunInstances(
  ctx: Pick<StepContext, "sleep" | "log">,
  ec2: EC2Client,
  input: RunInstancesCommandInput,
  signal: AbortSignal,
  retries = 3,
): Promise<Instance[]> {
  for (let attempt = 0;; attempt++) {
    try {
      const out = await ec2.send(new RunInstancesCommand(input), { abortSignal: signal });
      return [...(out.Instances ?? [])].sort((a, b) =>
        (a.AmiLaunchIndex ?? 0) - (b.AmiLaunchIndex ?? 0)
      );
    } catch (error) {
      if (isAbort(error, signal)) throw signal.reason ?? error;
      if (!isThrottling(error) || attempt >= retries) throw error;
      const delay = 2 ** (attempt + 1);
      ctx.log.warn(
        `RunInstances for ${input.InstanceType} throttled; retrying in ${delay}s ` +
          `(attempt ${attempt + 2} of ${retries + 1})`,
      );
      await ctx.sleep(delay, signal);
    }
  }
}

/**
 * Gives each instance of a multi-instance launch its own `Name` (`<prefix>-<type>-<n>`).
 * Failures are returned as warnings (the run tags are already on the instances).
 */
export async function nameInstances(
  ec2: EC2Client,
  named: { instanceId: string; name: string }[],
  signal: AbortSignal,
): Promise<string[]> {
  const warnings: string[] = [];
  await Promise.all(named.map(async ({ instanceId, name }) => {
    try {
      await ec2.send(
        new CreateTagsCommand({ Resources: [instanceId], Tags: [{ Key: "Name", Value: name }] }),
        { abortSignal: signal },
      );
    } catch (error) {
      if (isAbort(error, signal)) throw signal.reason ?? error;
      warnings.push(`could not set Name=${name} on ${instanceId}: ${(error as Error).message}`);
    }
  }));
  return warnings;
}
