/**
 * Errors of the fake AWS endpoint and their wire shapes: EC2 Query
 * (`<Response><Errors><Error><Code>…`), STS Query (`<ErrorResponse><Error>…`)
 * and SSM JSON (`{"__type": …}`), as the AWS SDK v3 parses them into named
 * exceptions.
 * @module
 */
import { xmlDocument } from "./xml.ts";

/**
 * An AWS API error a handler throws: `code` becomes the SDK exception's `name`,
 * `status` the HTTP status (400 client error, 403 authorization, 412 DryRun,
 * 500 capacity, 503 throttling).
 */
export class AwsApiError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, message: string, status = 400) {
    super(message);
    this.name = "AwsApiError";
    this.code = code;
    this.status = status;
  }
}

/** EC2's answer to a permitted `DryRun=true` request (HTTP 412). */
export function dryRunOperation(): AwsApiError {
  return new AwsApiError(
    "DryRunOperation",
    "Request would have succeeded, but DryRun flag is set.",
    412,
  );
}

/** EC2's answer when the caller may not perform an action (HTTP 403). */
export function unauthorizedOperation(action: string): AwsApiError {
  return new AwsApiError(
    "UnauthorizedOperation",
    `You are not authorized to perform this operation. User: arn:aws:iam::123456789012:user/ptp-runner-sim is not authorized to perform: ec2:${action} because no identity-based policy allows the ec2:${action} action.`,
    403,
  );
}

/** A missing required parameter (`MissingParameter`, HTTP 400). */
export function missingParameter(name: string): AwsApiError {
  return new AwsApiError(
    "MissingParameter",
    `The request must contain the parameter ${name}`,
  );
}

/** An invalid parameter value (`InvalidParameterValue`, HTTP 400). */
export function invalidParameterValue(message: string): AwsApiError {
  return new AwsApiError("InvalidParameterValue", message);
}

/** An unknown filter name on a `Describe*` call. */
export function invalidFilter(name: string): AwsApiError {
  return new AwsApiError("InvalidParameterValue", `The filter '${name}' is invalid`);
}

/** The EC2 Query error body: `<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>`. */
export function ec2ErrorBody(error: AwsApiError, requestId: string): string {
  return xmlDocument("Response", {
    Errors: { Error: { Code: error.code, Message: error.message } },
    RequestID: requestId,
  });
}

/** The STS (awsQuery) error body: `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`. */
export function stsErrorBody(error: AwsApiError, requestId: string): string {
  return xmlDocument("ErrorResponse", {
    Error: {
      Type: error.status >= 500 ? "Receiver" : "Sender",
      Code: error.code,
      Message: error.message,
    },
    RequestId: requestId,
  }, "https://sts.amazonaws.com/doc/2011-06-15/");
}

/** The SSM (awsJson1_1) error body: `{"__type": code, "message": …}`. */
export function ssmErrorBody(error: AwsApiError): string {
  return JSON.stringify({ __type: error.code, message: error.message });
}
