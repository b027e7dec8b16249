/**
 * The SSM JSON API of the simulator (`x-amz-target: AmazonSSM.<operation>`):
 * the public AMI parameters (`parameters.ts`) and Run Command
 * (`send-command.ts`, `invocations.ts`, `instance-information.ts`), behind
 * the per-region request rate limit (`throttle.ts`).
 * @module
 */
import type { RegionState } from "../../state/account.ts";
import type { SimCore } from "../context.ts";
import { AwsApiError } from "../errors.ts";
import { describeInstanceInformation } from "./instance-information.ts";
import { cancelCommand, getCommandInvocation, listCommandInvocations } from "./invocations.ts";
import { handleParameters } from "./parameters.ts";
import { sendCommand } from "./send-command.ts";
import { takeRequestToken } from "./throttle.ts";

/**
 * Handles one SSM JSON call.
 * @returns the JSON response body.
 * @throws AwsApiError `ThrottlingException` over the region's request rate or while
 *   `faults.ssmThrottleNext` counts down;
 *   each operation's errors; `UnknownOperationException` for other operations.
 */
export function handleSsm(
  core: SimCore,
  region: string,
  state: RegionState,
  operation: string,
  body: Record<string, unknown>,
): Record<string, unknown> {
  const now = core.clock.now();
  if ((core.faults.ssmThrottleNext ?? 0) > 0) {
    core.faults.ssmThrottleNext!--;
    throw new AwsApiError("ThrottlingException", "Rate exceeded", 400);
  }
  takeRequestToken(core, region, now);
  switch (operation) {
    case "GetParameter":
    case "GetParameters":
      return handleParameters(core, region, state, operation, body);
    case "SendCommand":
      return sendCommand(core, region, state, body, now);
    case "GetCommandInvocation":
      return getCommandInvocation(core, state, body, now);
    case "ListCommandInvocations":
      return listCommandInvocations(core, region, state, body, now);
    case "CancelCommand":
      return cancelCommand(state, body);
    case "DescribeInstanceInformation":
      return describeInstanceInformation(core, state, body, now);
  }
  throw new AwsApiError("UnknownOperationException", `Unknown operation ${operation}`);
}
