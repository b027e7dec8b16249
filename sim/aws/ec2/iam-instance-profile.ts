/**
 * RunInstances' `IamInstanceProfile` (`Name` or `Arn`): resolved against the
 * simulated account's IAM instance profiles (the `ssm.iam_instance_profiles`
 * profile setting), recorded on the instance and reported by
 * DescribeInstances as `iamInstanceProfile` (`arn`, `id`). An unknown name or
 * ARN answers EC2's `InvalidParameterValue` ("Invalid IAM Instance Profile
 * name" / "... ARN").
 * @module
 */
import type { SimInstanceProfileRef } from "../../state/instance.ts";
import type { Ec2Call, SimCore } from "../context.ts";
import { invalidParameterValue } from "../errors.ts";
import { str } from "../query.ts";
import type { XmlValue } from "../xml.ts";

/** ARN of an instance profile of the simulated account. */
export function instanceProfileArn(accountId: string, name: string): string {
  return `arn:aws:iam::${accountId}:instance-profile/${name}`;
}

/** A stable `AIPA…` id for a profile name (IAM unique ids are 21 upper-case characters). */
function instanceProfileId(name: string): string {
  let hash = 0;
  for (const c of name) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  return `AIPA${hash.toString(36).toUpperCase().padStart(17, "0").slice(-17)}`;
}

/**
 * The instance profile a RunInstances request names, if any.
 * @throws AwsApiError `InvalidParameterValue` for an unknown name or ARN.
 */
export function instanceProfileFor(call: Ec2Call): SimInstanceProfileRef | undefined {
  const name = str(call.params, "IamInstanceProfile", "Name");
  const arn = str(call.params, "IamInstanceProfile", "Arn");
  if (name === undefined && arn === undefined) return undefined;
  const profiles = call.core.ssm.iam_instance_profiles;
  const accountId = call.core.account.accountId;
  const byArn = arn === undefined
    ? undefined
    : Object.keys(profiles).find((n) => instanceProfileArn(accountId, n) === arn);
  if (arn !== undefined && byArn === undefined) {
    throw invalidParameterValue(
      `Value (${arn}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN`,
    );
  }
  if (name !== undefined && !Object.hasOwn(profiles, name)) {
    throw invalidParameterValue(
      `Value (${name}) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name`,
    );
  }
  return instanceProfileNamed(call.core, (byArn ?? name)!)!;
}

/**
 * The account's instance profile `name` (one of `ssm.iam_instance_profiles`)
 * as recorded on an instance, or undefined when the account has none of that name.
 */
export function instanceProfileNamed(
  core: SimCore,
  name: string,
): SimInstanceProfileRef | undefined {
  const profile = core.ssm.iam_instance_profiles[name];
  if (!Object.hasOwn(core.ssm.iam_instance_profiles, name)) return undefined;
  return {
    name,
    arn: instanceProfileArn(core.account.accountId, name),
    id: instanceProfileId(name),
    role: profile.role,
    policies: [...profile.policies],
  };
}

/** DescribeInstances' `iamInstanceProfile` element. */
export function instanceProfileXml(ref: SimInstanceProfileRef): Record<string, XmlValue> {
  return { arn: ref.arn, id: ref.id };
}
