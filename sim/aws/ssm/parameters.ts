/**
 * SSM parameters: `GetParameter` / `GetParameters` for
 * the public Amazon Linux 2023 AMI parameters
 * (`/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64`,
 * `…-arm64`; PTP.md section 7), resolving to AMIs DescribeImages knows.
 * @module
 */
import type { RegionState } from "../../state/account.ts";
import type { SimCore } from "../context.ts";
import { AwsApiError } from "../errors.ts";

/** One parameter value as SSM returns it (`Parameter` of GetParameter). */
function parameterJson(core: SimCore, region: string, name: string, value: string) {
  return {
    Name: name,
    Type: "String",
    Value: value,
    Version: 1,
    LastModifiedDate: core.startedAt.getTime() / 1000 - 86400,
    ARN: `arn:aws:ssm:${region}::parameter${name}`,
    DataType: "aws:ec2:image",
  };
}

function lookup(state: RegionState, name: string): string | undefined {
  for (const image of state.images.values()) {
    if (image.ssmParameters.includes(name)) return image.imageId;
  }
  return undefined;
}

/**
 * Handles GetParameter / GetParameters.
 * @returns the JSON response body.
 * @throws AwsApiError `ParameterNotFound`, `ValidationException`, `UnknownOperationException`.
 */
export function handleParameters(
  core: SimCore,
  region: string,
  state: RegionState,
  operation: string,
  body: Record<string, unknown>,
): Record<string, unknown> {
  if (operation === "GetParameter") {
    const name = body.Name;
    if (typeof name !== "string" || name === "") {
      throw new AwsApiError(
        "ValidationException",
        "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null",
      );
    }
    const value = lookup(state, name);
    if (value === undefined) throw new AwsApiError("ParameterNotFound", "");
    return { Parameter: parameterJson(core, region, name, value) };
  }
  if (operation === "GetParameters") {
    const names = Array.isArray(body.Names) ? body.Names.map(String) : [];
    const found = names.filter((n) => lookup(state, n) !== undefined);
    return {
      Parameters: found.map((n) => parameterJson(core, region, n, lookup(state, n)!)),
      InvalidParameters: names.filter((n) => !found.includes(n)),
    };
  }
  throw new AwsApiError("UnknownOperationException", `Unknown operation ${operation}`);
}
