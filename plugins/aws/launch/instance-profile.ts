/**
 * Preflight of the instance profile (`iam_instance_profile`) before anything
 * is launched: one `DryRun` RunInstances of the first planned type with the
 * profile. EC2 answers `DryRunOperation` when the profile exists and the
 * caller may pass its role (`iam:PassRole`), `UnauthorizedOperation` when
 * PassRole (or RunInstances) is not allowed, and `InvalidParameterValue`
 * naming `iamInstanceProfile` when no such profile exists.
 * Whether the role carries AmazonSSMManagedInstanceCore shows only once the
 * agent registers (or not): see plugins/ssm/agent.ts.
 * Source: EC2 API Reference "RunInstances" (IamInstanceProfile, DryRun), "Error codes";
 * IAM User Guide "Using an IAM role to grant permissions to applications
 * running on Amazon EC2 instances" (iam:PassRole).
 * @module
 */
import type { EC2Client } from "@aws-sdk/client-ec2";
import { StepError } from "../../../runner/errors.ts";
import type { StepContext } from "../../../runner/types.ts";
import type { CallerIdentity } from "../shared/credentials.ts";
import { dryRunLaunch } from "./dry-run.ts";
import type { LaunchPlan } from "./preflight.ts";

/**
 * Proves that the plan's instance profile can be attached.
 * @throws StepError `auth` when iam:PassRole (or RunInstances) is refused,
 *   `config` when EC2 refuses the profile; the signal's reason on abort.
 */
export async function checkInstanceProfile(
  ctx: StepContext,
  ec2: EC2Client,
  plan: LaunchPlan,
  identity: CallerIdentity,
  namePrefix: string,
  signal: AbortSignal,
): Promise<void> {
  const profile = plan.instanceProfile;
  const type = plan.launch[0];
  if (!profile || !type) return;
  const check = await dryRunLaunch(
    { ctx, ec2, plan, identity, namePrefix, signal },
    { ...type, count: 1 },
    `RunInstances ${type.instanceType} with instance profile ${profile}`,
  );
  if (check.result === "permitted") {
    ctx.log.info(`instance profile ${profile}: EC2 accepts it (DryRun)`);
    return;
  }
  if (check.result === "denied") {
    throw new StepError(
      "auth",
      `iam_instance_profile ${profile} cannot be attached: ${check.detail}; the caller needs ` +
        "iam:PassRole on the profile's role (and ec2:RunInstances)",
    );
  }
  throw new StepError(
    "config",
    `iam_instance_profile ${profile} cannot be used: ${check.detail}; give an existing ` +
      "instance profile (name or ARN) whose role has AmazonSSMManagedInstanceCore",
  );
}
