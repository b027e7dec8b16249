/**
 * Classification of AWS SDK v3 errors into the runner's {@link ErrorKind}s and
 * one-line, actionable messages. SDK exceptions carry the AWS error code as
 * `name` (e.g. `InsufficientInstanceCapacity`) and the HTTP status in
 * `$metadata.httpStatusCode`. Codes: EC2 API Reference "Error codes for the
 * Amazon EC2 API"; STS/SSM API references.
 * @module
 */
import { type ErrorKind, StepError } from "../../../runner/errors.ts";

/** Codes meaning "slow down" (EC2 `RequestLimitExceeded`, STS/SSM `Throttling*`). */
const THROTTLING = new Set([
  "RequestLimitExceeded",
  "Throttling",
  "ThrottlingException",
  "TooManyRequestsException",
  "RequestThrottled",
  "RequestThrottledException",
]);

/** RunInstances codes meaning "no capacity / quota for this type here" (fail that type only). */
const CAPACITY = new Set([
  "InsufficientInstanceCapacity",
  "InsufficientCapacity",
  "InsufficientHostCapacity",
  "InstanceLimitExceeded",
  "VcpuLimitExceeded",
  "Unsupported",
  "InsufficientCapacityOnHost",
]);

/** Codes meaning the credentials themselves are missing, expired or wrong. */
const CREDENTIALS = new Set([
  "CredentialsProviderError",
  "ExpiredToken",
  "ExpiredTokenException",
  "RequestExpired",
  "TokenRefreshRequired",
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "SignatureDoesNotMatch",
  "AuthFailure",
  "InvalidAccessKeyId",
  "IncompleteSignature",
  "MissingAuthenticationToken",
]);

/** Codes meaning the caller lacks an IAM permission. */
const PERMISSION = new Set([
  "UnauthorizedOperation",
  "AccessDenied",
  "AccessDeniedException",
  "Blocked",
  "OptInRequired",
]);

/** Code of an AWS error (`name` of an SDK exception, `code` of a Node error), or `Error`. */
export function awsErrorCode(error: unknown): string {
  if (error && typeof error === "object") {
    const e = error as { name?: unknown; code?: unknown; Code?: unknown };
    if (typeof e.Code === "string") return e.Code;
    if (typeof e.name === "string" && e.name !== "Error") return e.name;
    if (typeof e.code === "string") return e.code;
  }
  return "Error";
}

/** First line of the error's message (AWS messages may carry an encoded authorization blob). */
export function awsErrorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0].slice(0, 500);
}

/** True for throttling codes (`RequestLimitExceeded`, `Throttling`, ...). */
export function isThrottling(error: unknown): boolean {
  return THROTTLING.has(awsErrorCode(error));
}

/** True for capacity/quota codes of RunInstances (`InsufficientInstanceCapacity`, `InstanceLimitExceeded`, `VcpuLimitExceeded`, `Unsupported`). */
export function isCapacityError(error: unknown): boolean {
  return CAPACITY.has(awsErrorCode(error));
}

/** True when credentials are missing, expired or rejected. */
export function isCredentialsError(error: unknown): boolean {
  const code = awsErrorCode(error);
  return CREDENTIALS.has(code) ||
    /could not load credentials|sso session|token is expired|expired token/i.test(
      awsErrorMessage(error),
    );
}

/** True when the caller lacks an IAM permission (`UnauthorizedOperation`, `AccessDenied`). */
export function isPermissionError(error: unknown): boolean {
  return PERMISSION.has(awsErrorCode(error));
}

/** True for `*.NotFound` / `*.Unknown` / `Invalid*` codes: a named resource does not exist or a parameter is wrong. */
export function isNotFoundOrInvalid(error: unknown): boolean {
  const code = awsErrorCode(error);
  return /NotFound$|\.Unknown$|^Invalid|Malformed$/.test(code);
}

/** True when the error is an abort (signal fired or the SDK's `AbortError`). */
export function isAbort(error: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted) return true;
  const code = awsErrorCode(error);
  return code === "AbortError" || code === "TimeoutError";
}

/** True for network failures reaching the endpoint (refused, reset, DNS, socket timeout). */
export function isNetworkError(error: unknown): boolean {
  const code = awsErrorCode(error);
  return /ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|NetworkingError|ConnectionRefused/
    .test(code) || /error sending request|connection refused|tcp connect error/i.test(
      awsErrorMessage(error),
    );
}

/** Error kind of an AWS error, for retry policies and the report. */
export function awsErrorKind(error: unknown): ErrorKind {
  if (error instanceof StepError) return error.kind;
  if (isThrottling(error)) return "throttled";
  if (isCapacityError(error)) return "capacity";
  if (isCredentialsError(error) || isPermissionError(error)) return "auth";
  if (isNotFoundOrInvalid(error)) return "config";
  if (isNetworkError(error)) return "connection";
  if (awsErrorCode(error) === "AbortError") return "cancelled";
  return "internal";
}

/** Where the credentials of this invocation come from, for messages (never a secret). */
export interface CredentialSource {
  /** `profile`, `environment`, `web-identity`, `default-chain`. */
  kind: "profile" | "environment" | "web-identity" | "default-chain";
  /** Human description, e.g. `profile "dev" (--profile)`. */
  description: string;
  /** Profile name when a profile is used. */
  profile?: string;
}

/**
 * Describes where the SDK's default chain (or `--profile`) takes credentials
 * from, looking only at names (never values) of the environment.
 */
export function describeCredentialSource(profileFlag?: string): CredentialSource {
  const env = (name: string) => Deno.env.get(name);
  if (profileFlag) {
    return {
      kind: "profile",
      profile: profileFlag,
      description: `profile "${profileFlag}" (--profile)`,
    };
  }
  if (env("AWS_ACCESS_KEY_ID")) {
    return {
      kind: "environment",
      description: `environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY${
        env("AWS_SESSION_TOKEN") ? " with a session token" : ""
      }`,
    };
  }
  if (env("AWS_PROFILE")) {
    const profile = env("AWS_PROFILE")!;
    return { kind: "profile", profile, description: `profile "${profile}" (AWS_PROFILE)` };
  }
  if (env("AWS_WEB_IDENTITY_TOKEN_FILE")) {
    return {
      kind: "web-identity",
      description: `web identity role ${env("AWS_ROLE_ARN") ?? "(AWS_ROLE_ARN unset)"}`,
    };
  }
  return {
    kind: "default-chain",
    description: "the default chain (~/.aws default profile, container or instance role)",
  };
}

/**
 * One message for refused credentials that says what to do.
 * @param error the SDK error (`ExpiredToken`, `CredentialsProviderError`, ...).
 * @param source where the credentials were taken from.
 */
export function credentialsFixMessage(error: unknown, source: CredentialSource): string {
  const code = awsErrorCode(error);
  const reason = awsErrorMessage(error);
  const profile = source.profile ?? "<name>";
  const sso = `run \`aws sso login --profile ${profile}\``;
  let fix: string;
  if (/expired|RequestExpired|TokenRefreshRequired|sso session/i.test(`${code} ${reason}`)) {
    fix = source.kind === "environment"
      ? "the temporary credentials in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN " +
        "have expired: export fresh ones, or use a profile with --profile"
      : `they have expired: ${sso} (SSO profiles) or refresh the session credentials of the profile`;
  } else if (/could not load credentials/i.test(reason) || code === "CredentialsProviderError") {
    fix = source.kind === "profile"
      ? `profile "${profile}" gave no credentials: check it exists in ~/.aws/config or ` +
        `~/.aws/credentials and that ptp-runner may read ~/.aws (Deno --allow-read); for SSO ${sso}`
      : "no credentials were found: set AWS_PROFILE or pass --profile (then " +
        "`aws sso login --profile <name>` for SSO profiles), or export AWS_ACCESS_KEY_ID and " +
        "AWS_SECRET_ACCESS_KEY; if ~/.aws exists, check that ptp-runner may read it " +
        "(Deno --allow-read)";
  } else {
    fix = "AWS rejected them: check the access key id and secret of " + source.description +
      ", or use another profile with --profile";
  }
  return `AWS credentials from ${source.description} are not usable (${code}: ${reason}); ${fix}.`;
}

/**
 * Wraps an AWS error in a {@link StepError} with the right kind and a message
 * naming what was attempted. Permission errors name the IAM action.
 * @param what what was attempted, e.g. `describe subnet subnet-123`.
 * @param action IAM action, e.g. `ec2:DescribeSubnets`.
 */
export function toStepError(error: unknown, what: string, action?: string): StepError {
  if (error instanceof StepError) return error;
  const code = awsErrorCode(error);
  const message = awsErrorMessage(error);
  if (isPermissionError(error) && action) {
    return new StepError(
      "auth",
      `cannot ${what}: the caller lacks permission ${action} (${code}); add it to the IAM ` +
        `policy (see docs/iam-policy.json)`,
      { cause: error },
    );
  }
  return new StepError(awsErrorKind(error), `cannot ${what}: ${code}: ${message}`, {
    cause: error,
  });
}
