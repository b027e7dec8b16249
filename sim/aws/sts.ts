/**
 * The STS Query API subset the tool uses: GetCallerIdentity, answering the
 * simulated account (`123456789012`) and an IAM user ARN.
 * @module
 */
import { SIM_ACCOUNT_ID, SIM_USER_NAME } from "../state/account.ts";
import { AwsApiError } from "./errors.ts";
import type { XmlValue } from "./xml.ts";

/** The IAM user ARN the simulator's credentials belong to. */
export const SIM_CALLER_ARN = `arn:aws:iam::${SIM_ACCOUNT_ID}:user/${SIM_USER_NAME}`;

/**
 * Handles one STS action.
 * @returns the members of `<ActionResult>` (the caller wraps them in `<ActionResponse>`).
 * @throws AwsApiError `InvalidAction` for any other action.
 */
export function handleSts(action: string): Record<string, XmlValue> {
  if (action === "GetCallerIdentity") {
    return { Arn: SIM_CALLER_ARN, UserId: "AIDASIMPTPRUNNER00001", Account: SIM_ACCOUNT_ID };
  }
  throw new AwsApiError(
    "InvalidAction",
    `Could not find operation ${action} for version 2011-06-15`,
  );
}
