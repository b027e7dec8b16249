/**
 * GetCommandInvocation, ListCommandInvocations and CancelCommand.
 *
 * - GetCommandInvocation (`CommandId`, `InstanceId`, optional `PluginName`
 *   = `aws:runShellScript`): `InvocationDoesNotExist` for an unknown pair and
 *   for a new invocation until `ssm.invocation_visible_seconds` after
 *   SendCommand, as AWS answers right after SendCommand; `InvalidPluginName`.
 * - ListCommandInvocations (`CommandId`, `InstanceId`, `Details`,
 *   `MaxResults` 1-50 default 50, `NextToken`, `Filters` keys `Status`,
 *   `DocumentName`): newest commands first; an invalid token answers
 *   `InvalidNextToken`.
 * - CancelCommand (`CommandId`, optional `InstanceIds`): an unknown command
 *   answers `InvalidCommandId`; pending invocations become `Cancelled`,
 *   running ones `Cancelling` until the agent kills the script.
 *
 * Source: SSM API Reference for these operations.
 * @module
 */
import type { RegionState } from "../../state/account.ts";
import type { SimCommand } from "../../state/ssm-command.ts";
import { TERMINAL_STATUSES } from "../../state/ssm-command.ts";
import type { SimCore } from "../context.ts";
import { AwsApiError } from "../errors.ts";
import {
  commandInvocationJson,
  getCommandInvocationJson,
  RUN_SHELL_SCRIPT_PLUGIN,
} from "./invocation-view.ts";
import {
  commandIdOf,
  optionalInt,
  optionalString,
  requiredString,
  stringList,
  validationError,
} from "./validation.ts";

const DOES_NOT_EXIST = new AwsApiError("InvocationDoesNotExist", "");

/** GetCommandInvocation. @throws AwsApiError as in the module doc. */
export function getCommandInvocation(
  core: SimCore,
  state: RegionState,
  body: Record<string, unknown>,
  now: number,
): Record<string, unknown> {
  const commandId = commandIdOf(body);
  const instanceId = requiredString(body, "InstanceId");
  const plugin = optionalString(body, "PluginName");
  const command = state.ssmCommands.get(commandId);
  const inv = command?.invocations.get(instanceId);
  if (!command || !inv || now < inv.visibleAt) {
    throw new AwsApiError(DOES_NOT_EXIST.code, DOES_NOT_EXIST.message);
  }
  if (plugin !== undefined && plugin !== RUN_SHELL_SCRIPT_PLUGIN) {
    throw new AwsApiError("InvalidPluginName", "The plugin name is not valid.");
  }
  return getCommandInvocationJson(core, command, inv, now);
}

function encodeToken(offset: number): string {
  return btoa(JSON.stringify({ offset }));
}

function decodeToken(token: string | undefined): number {
  if (token === undefined) return 0;
  try {
    const offset = JSON.parse(atob(token)).offset;
    if (Number.isInteger(offset) && offset >= 0) return offset;
  } catch { /* below */ }
  throw new AwsApiError("InvalidNextToken", "The specified token isn't valid.");
}

/** ListCommandInvocations. @throws AwsApiError as in the module doc. */
export function listCommandInvocations(
  core: SimCore,
  region: string,
  state: RegionState,
  body: Record<string, unknown>,
  now: number,
): Record<string, unknown> {
  const commandId = body.CommandId === undefined ? undefined : commandIdOf(body);
  const instanceId = optionalString(body, "InstanceId");
  const details = body.Details === true;
  const maxResults = optionalInt(body, "MaxResults", 1, 50) ?? 50;
  const offset = decodeToken(optionalString(body, "NextToken"));
  const filters = Array.isArray(body.Filters) ? body.Filters : [];
  const checks = filters.map((f) => {
    const key = f?.key;
    const value = f?.value;
    if (typeof value !== "string") {
      throw validationError("filters", JSON.stringify(f), "value must not be null");
    }
    if (key === "Status") return (_c: SimCommand, s: string) => s === value;
    if (key === "DocumentName") return (c: SimCommand) => c.documentName === value;
    if (key === "InvokedAfter" || key === "InvokedBefore" || key === "ExecutionStage") {
      return () => true;
    }
    throw new AwsApiError("InvalidFilterKey", `The filter key ${String(key)} is not valid.`);
  });
  const commands: SimCommand[] = commandId === undefined
    ? [...state.ssmCommands.values()].reverse()
    : [state.ssmCommands.get(commandId)].filter((c): c is SimCommand => c !== undefined);
  const rows = commands.flatMap((command) =>
    [...command.invocations.values()].filter((inv) =>
      now >= inv.visibleAt && (instanceId === undefined || inv.instanceId === instanceId) &&
      checks.every((check) => check(command, inv.status))
    ).map((inv) => ({ command, inv }))
  );
  const page = rows.slice(offset, offset + maxResults);
  return {
    CommandInvocations: page.map(({ command, inv }) =>
      commandInvocationJson(core, region, command, inv, details)
    ),
    ...(offset + maxResults < rows.length ? { NextToken: encodeToken(offset + maxResults) } : {}),
  };
}

/** CancelCommand. @throws AwsApiError `InvalidCommandId`, `InvalidInstanceId`. */
export function cancelCommand(
  state: RegionState,
  body: Record<string, unknown>,
): Record<string, unknown> {
  const commandId = commandIdOf(body);
  const instanceIds = stringList(body, "InstanceIds");
  const command = state.ssmCommands.get(commandId);
  if (!command) throw new AwsApiError("InvalidCommandId", "");
  if (new Set(instanceIds).size !== instanceIds.length) {
    throw new AwsApiError("DuplicateInstanceId", "Instance Id is duplicated in the request.");
  }
  const unknown = instanceIds.filter((id) => !command.invocations.has(id));
  if (unknown.length > 0) throw new AwsApiError("InvalidInstanceId", "");
  const chosen = instanceIds.length > 0
    ? instanceIds.map((id) => command.invocations.get(id)!)
    : [...command.invocations.values()];
  for (const inv of chosen) {
    if (TERMINAL_STATUSES.has(inv.status) || inv.cancelRequested) continue;
    inv.cancelRequested = true;
    if (inv.status === "InProgress") {
      inv.status = "Cancelling";
      inv.statusDetails = "Cancelling";
    }
    inv.abort.abort("cancel");
  }
  return {};
}
