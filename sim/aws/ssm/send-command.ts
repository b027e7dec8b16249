/**
 * SendCommand with the `AWS-RunShellScript` document: `Parameters.commands`
 * (lines of one script), `workingDirectory`, `executionTimeout` (seconds,
 * 1-172800, default 3600); `InstanceIds` (at most 50, each a managed node:
 * else `InvalidInstanceId`, duplicates `DuplicateInstanceId`) or `Targets`
 * (`InstanceIds`, `tag:<key>`, `tag-key`; resolved among the region's managed
 * nodes); `TimeoutSeconds` (delivery timeout, 30-2592000, default 3600),
 * `Comment` (at most 100 characters), `MaxConcurrency` (default `50`) and
 * `MaxErrors` (default `0`) accepted and echoed. Other documents:
 * `InvalidDocument`; other parameters: `InvalidParameters`.
 *
 * Sources: SSM API Reference, SendCommand (constraints, errors); the
 * AWS-RunShellScript document (parameters, executionTimeout pattern).
 * @module
 */
import type { RegionState } from "../../state/account.ts";
import { isLive } from "../../state/instance.ts";
import type { SimCommand, SimInvocation, SimTarget } from "../../state/ssm-command.ts";
import { inBackground, type SimCore } from "../context.ts";
import { AwsApiError } from "../errors.ts";
import { runInvocation } from "./invocation-run.ts";
import { commandJson } from "./invocation-view.ts";
import { managedInstance } from "./managed-instance.ts";
import {
  optionalInt,
  optionalString,
  requiredString,
  stringList,
  validationError,
} from "./validation.ts";

/** The one document the simulator runs. */
export const RUN_SHELL_SCRIPT = "AWS-RunShellScript";
const DOCUMENT_PARAMETERS = ["commands", "workingDirectory", "executionTimeout"];
/** `executionTimeout` bounds of AWS-RunShellScript, seconds. */
const EXECUTION_TIMEOUT_MAX = 172_800;
const CONCURRENCY = /^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$/;
const ERRORS = /^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$/;

function parametersOf(body: Record<string, unknown>): Record<string, string[]> {
  const raw = body.Parameters ?? {};
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw validationError("parameters", raw, "Member must be a map");
  }
  const out: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!DOCUMENT_PARAMETERS.includes(key)) {
      throw new AwsApiError(
        "InvalidParameters",
        `Parameter "${key}" is not defined in the document.`,
      );
    }
    if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
      throw validationError(`parameters.${key}`, value, "Member must be a list of strings");
    }
    out[key] = value as string[];
  }
  if (!out.commands?.length) {
    throw new AwsApiError("InvalidParameters", `Parameter "commands" is required.`);
  }
  return out;
}

function executionTimeoutOf(parameters: Record<string, string[]>): number {
  const text = parameters.executionTimeout?.[0];
  if (text === undefined || text === "") return 3600;
  const n = Number(text);
  if (!/^[1-9][0-9]*$/.test(text) || n > EXECUTION_TIMEOUT_MAX) {
    throw new AwsApiError(
      "InvalidParameters",
      `Parameter "executionTimeout" "${text}" failed to satisfy constraint: it must be an integer from 1 to ${EXECUTION_TIMEOUT_MAX}.`,
    );
  }
  return n;
}

function targetsOf(body: Record<string, unknown>): SimTarget[] {
  const raw = body.Targets;
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw validationError("targets", raw, "Member must be a list");
  if (raw.length > 5) {
    throw validationError("targets", raw, "Member must have length less than or equal to 5");
  }
  return raw.map((t) => {
    const key = t?.Key;
    const values = t?.Values;
    if (typeof key !== "string" || !Array.isArray(values)) {
      throw validationError("targets", JSON.stringify(t), "Member must have Key and Values");
    }
    if (key !== "InstanceIds" && key !== "tag-key" && !key.startsWith("tag:")) {
      throw new AwsApiError("InvalidTarget", `Target key ${key} is not supported.`);
    }
    return { Key: key, Values: values.map(String) };
  });
}

/** Managed nodes of the region matching every target (a value of any). */
function resolveTargets(core: SimCore, state: RegionState, targets: SimTarget[], now: number) {
  return [...state.instances.values()].filter((i) => {
    if (!isLive(i) || !managedInstance(core, i, now)) return false;
    return targets.every((t) => {
      if (t.Key === "InstanceIds") return t.Values.includes(i.instanceId);
      if (t.Key === "tag-key") return t.Values.some((k) => Object.hasOwn(i.tags, k));
      const tag = t.Key.slice(4);
      return Object.hasOwn(i.tags, tag) && t.Values.includes(i.tags[tag]);
    });
  }).map((i) => i.instanceId);
}

/**
 * SendCommand: validates, creates one invocation per target and starts them
 * in the background (see `invocation-run.ts`).
 * @returns `{ Command }` with status `Pending`.
 * @throws AwsApiError as listed in the module doc.
 */
export function sendCommand(
  core: SimCore,
  region: string,
  state: RegionState,
  body: Record<string, unknown>,
  now: number,
): Record<string, unknown> {
  const documentName = requiredString(body, "DocumentName");
  if (documentName !== RUN_SHELL_SCRIPT) {
    throw new AwsApiError("InvalidDocument", `Document with name ${documentName} does not exist.`);
  }
  const documentVersion = optionalString(body, "DocumentVersion");
  if (documentVersion !== undefined && !["$DEFAULT", "$LATEST", "1"].includes(documentVersion)) {
    throw new AwsApiError(
      "InvalidDocumentVersion",
      "The document version is not valid or does not exist.",
    );
  }
  const parameters = parametersOf(body);
  const executionTimeoutSeconds = executionTimeoutOf(parameters);
  const timeoutSeconds = optionalInt(body, "TimeoutSeconds", 30, 2_592_000) ?? 3600;
  const comment = optionalString(body, "Comment") ?? "";
  if (comment.length > 100) {
    throw validationError("comment", comment, "Member must have length less than or equal to 100");
  }
  const maxConcurrency = optionalString(body, "MaxConcurrency") ?? "50";
  if (!CONCURRENCY.test(maxConcurrency)) {
    throw validationError(
      "maxConcurrency",
      maxConcurrency,
      `Member must satisfy regular expression pattern: ${CONCURRENCY.source}`,
    );
  }
  const maxErrors = optionalString(body, "MaxErrors") ?? "0";
  if (!ERRORS.test(maxErrors)) {
    throw validationError(
      "maxErrors",
      maxErrors,
      `Member must satisfy regular expression pattern: ${ERRORS.source}`,
    );
  }
  const instanceIds = stringList(body, "InstanceIds");
  const targets = targetsOf(body);
  if (instanceIds.length > 50) {
    throw validationError(
      "instanceIds",
      `[${instanceIds.join(", ")}]`,
      "Member must have length less than or equal to 50",
    );
  }
  if (instanceIds.length === 0 && targets.length === 0) {
    throw new AwsApiError(
      "ValidationException",
      "Either InstanceIds or Targets must be specified.",
    );
  }
  if (instanceIds.length > 0 && targets.length > 0) {
    throw new AwsApiError(
      "ValidationException",
      "InstanceIds and Targets cannot both be specified.",
    );
  }
  if (new Set(instanceIds).size !== instanceIds.length) {
    throw new AwsApiError("DuplicateInstanceId", "Instance Id is duplicated in the request.");
  }
  const invalid = instanceIds.filter((id) => {
    const instance = state.instances.get(id);
    return !instance || !managedInstance(core, instance, now);
  });
  if (invalid.length > 0) {
    throw new AwsApiError(
      "InvalidInstanceId",
      `Instances [[${
        invalid.join(", ")
      }]] not in a valid state for account ${core.account.accountId}`,
    );
  }
  const chosen = instanceIds.length > 0 ? instanceIds : resolveTargets(core, state, targets, now);

  const command: SimCommand = {
    commandId: crypto.randomUUID(),
    documentName,
    documentVersion: documentVersion ?? "$DEFAULT",
    comment,
    parameters,
    instanceIds,
    targets,
    requestedAt: now,
    timeoutSeconds,
    executionTimeoutSeconds,
    maxConcurrency,
    maxErrors,
    invocations: new Map(),
  };
  for (const instanceId of chosen) {
    const inv: SimInvocation = {
      commandId: command.commandId,
      instanceId,
      requestedAt: now,
      visibleAt: now + core.ssm.invocation_visible_seconds,
      status: "Pending",
      statusDetails: "Pending",
      responseCode: -1,
      stdout: "",
      stderr: "",
      cancelRequested: false,
      abort: new AbortController(),
    };
    command.invocations.set(instanceId, inv);
  }
  state.ssmCommands.set(command.commandId, command);
  for (const inv of command.invocations.values()) {
    inBackground(core, runInvocation(core, command, inv, state.instances.get(inv.instanceId)!));
  }
  return { Command: commandJson(core, region, command) };
}
