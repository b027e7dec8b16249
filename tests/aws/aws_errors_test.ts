import assert from "node:assert/strict";
import {
  awsErrorKind,
  credentialsFixMessage,
  describeCredentialSource,
  toStepError,
} from "../../plugins/aws/shared/aws-errors.ts";
import { awsError } from "./helpers/fake-aws.ts";

Deno.test("AWS error codes map to the runner's error kinds", () => {
  assert.equal(awsErrorKind(awsError("RequestLimitExceeded")), "throttled");
  assert.equal(awsErrorKind(awsError("InsufficientInstanceCapacity")), "capacity");
  assert.equal(awsErrorKind(awsError("VcpuLimitExceeded")), "capacity");
  assert.equal(awsErrorKind(awsError("ExpiredToken")), "auth");
  assert.equal(awsErrorKind(awsError("UnauthorizedOperation")), "auth");
  assert.equal(awsErrorKind(awsError("InvalidSubnetID.NotFound")), "config");
  assert.equal(awsErrorKind(awsError("InternalError")), "internal");
});

Deno.test("a permission error names the IAM action to add", () => {
  const e = toStepError(awsError("UnauthorizedOperation"), "launch c7i.large", "ec2:RunInstances");
  assert.equal(e.kind, "auth");
  assert.match(e.message, /lacks permission ec2:RunInstances.*docs\/iam-policy\.json/);
});

Deno.test("expired credentials of a profile say to run aws sso login for that profile", () => {
  const message = credentialsFixMessage(
    awsError("ExpiredTokenException", "The security token included in the request is expired"),
    describeCredentialSource("dev"),
  );
  assert.match(message, /profile "dev" \(--profile\)/);
  assert.match(message, /aws sso login --profile dev/);
});

Deno.test("missing credentials say how to provide them and mention reading ~/.aws", () => {
  const message = credentialsFixMessage(
    awsError("CredentialsProviderError", "Could not load credentials from any providers"),
    { kind: "default-chain", description: "the default chain" },
  );
  assert.match(message, /no credentials were found: set AWS_PROFILE or pass --profile/);
  assert.match(message, /~\/\.aws/);
  assert.doesNotMatch(message, /expired/);
});

Deno.test("rejected static keys point at the access key of their source", () => {
  const message = credentialsFixMessage(
    awsError("InvalidClientTokenId", "The security token included in the request is invalid."),
    {
      kind: "environment",
      description: "environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY",
    },
  );
  assert.match(message, /AWS rejected them: check the access key id and secret of environment/);
});
