/**
 * Proves the invocation's AWS credentials with STS `GetCallerIdentity` (needs
 * no IAM permission) and says where they came from, never what they are.
 * Source: AWS STS API Reference "GetCallerIdentity".
 * @module
 */
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { StepError } from "../../../runner/errors.ts";
import {
  credentialsFixMessage,
  describeCredentialSource,
  isAbort,
  isCredentialsError,
  toStepError,
} from "./aws-errors.ts";
import { stsClient } from "./clients.ts";
import type { AwsContext } from "./aws-context.ts";

/** The caller the credentials belong to. */
export interface CallerIdentity {
  /** IAM ARN, e.g. `arn:aws:iam::123456789012:user/alice` or an assumed-role ARN. */
  arn: string;
  /** 12-digit account id. */
  account: string;
  /** Where the credentials came from (profile / environment / role), for logs. */
  source: string;
}

/**
 * Calls `GetCallerIdentity` in `region` and logs the caller and the credential source.
 * @throws StepError `auth` with one message saying how to fix missing or expired
 *   credentials; `cancelled` when `signal` aborts; other kinds for network errors.
 */
export async function verifyCredentials(
  ctx: AwsContext,
  region: string,
  signal: AbortSignal,
): Promise<CallerIdentity> {
  const source = describeCredentialSource(ctx.settings.profile);
  const sts = await stsClient(ctx, region);
  try {
    const out = await sts.send(new GetCallerIdentityCommand({}), { abortSignal: signal });
    const identity = {
      arn: out.Arn ?? "unknown",
      account: out.Account ?? "unknown",
      source: source.description,
    };
    ctx.log.info(`AWS credentials from ${source.description}: ${identity.arn}`, {
      account: identity.account,
    });
    return identity;
  } catch (error) {
    if (isAbort(error, signal)) throw signal.reason ?? error;
    if (isCredentialsError(error)) {
      throw new StepError("auth", credentialsFixMessage(error, source), { cause: error });
    }
    throw toStepError(error, "verify AWS credentials with sts:GetCallerIdentity");
  }
}
