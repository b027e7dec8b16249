/**
 * The `iam_instance_profile` input of `launch`: an instance profile name or
 * ARN, and the RunInstances `IamInstanceProfile` it becomes. Light (no SDK):
 * the step definition imports it.
 * Source: IAM API Reference "InstanceProfile" (name: `[\w+=,.@-]+`, 1-128
 * characters); EC2 API Reference "IamInstanceProfileSpecification" (`Arn` or `Name`).
 * @module
 */
import { z } from "zod";

const NAME = /^[\w+=,.@-]{1,128}$/;
const ARN = /^arn:aws[a-z-]*:iam::\d{12}:instance-profile\/(?:[\x21-\x7e]+\/)?[\w+=,.@-]{1,128}$/;

/** Schema of an instance profile name or ARN. */
export const InstanceProfileSchema = z.string().refine(
  (v) => NAME.test(v) || ARN.test(v),
  "expected an instance profile name (letters, digits, + = , . @ _ -) or an ARN such as " +
    "arn:aws:iam::123456789012:instance-profile/ptp-runner-ssm",
);

/** RunInstances `IamInstanceProfile` of a name or ARN. */
export function instanceProfileSpec(profile: string): { Arn: string } | { Name: string } {
  return profile.startsWith("arn:") ? { Arn: profile } : { Name: profile };
}
