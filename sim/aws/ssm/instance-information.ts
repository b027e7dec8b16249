/**
 * DescribeInstanceInformation: the region's managed nodes (see
 * `managed-instance.ts`) with `PingStatus` (`Online` / `ConnectionLost`),
 * `LastPingDateTime`, `AgentVersion`, `PlatformType` `Linux`, `PlatformName`
 * and `PlatformVersion` from the host's `/etc/os-release` (`NAME`,
 * `VERSION_ID`), `IamRole`, `ResourceType` `EC2Instance`, `IPAddress`,
 * `ComputerName`, `SourceId`/`SourceType`.
 *
 * Filters: `InstanceInformationFilterList` (`key`: InstanceIds, AgentVersion,
 * PingStatus, PlatformTypes, ResourceType, IamRole; `valueSet`) and `Filters`
 * (`Key`: the same names, `tag:<key>`, `tag-key`; `Values`). An unknown key
 * answers `InvalidInstanceInformationFilterValue` (list form) or
 * `InvalidFilterKey` (string form); both forms at once answer
 * `InvalidFilterKey`. `MaxResults` 5-50 (default 50), `NextToken`.
 * Source: SSM API Reference, DescribeInstanceInformation.
 * @module
 */
import type { RegionState } from "../../state/account.ts";
import type { SimCore } from "../context.ts";
import { AwsApiError } from "../errors.ts";
import { epochSeconds } from "./invocation-view.ts";
import {
  lastPingTime,
  type ManagedInstance,
  managedInstance,
  pingStatus,
} from "./managed-instance.ts";
import { optionalInt, optionalString } from "./validation.ts";

const KEYS = [
  "InstanceIds",
  "AgentVersion",
  "PingStatus",
  "PlatformTypes",
  "ResourceType",
  "IamRole",
];

/** `KEY="value"` lines of an os-release file. */
function osReleaseField(text: string, key: string): string {
  const line = text.split("\n").find((l) => l.startsWith(`${key}=`));
  return line ? line.slice(key.length + 1).replace(/^"(.*)"$/, "$1") : "";
}

function infoJson(core: SimCore, node: ManagedInstance, now: number): Record<string, unknown> {
  const osRelease = node.agent.osRelease();
  return {
    InstanceId: node.instance.instanceId,
    PingStatus: pingStatus(node, now),
    LastPingDateTime: epochSeconds(core, lastPingTime(node, now)),
    AgentVersion: core.ssm.agent_version,
    IsLatestVersion: false,
    PlatformType: "Linux",
    PlatformName: osReleaseField(osRelease, "NAME"),
    PlatformVersion: osReleaseField(osRelease, "VERSION_ID"),
    IamRole: node.instance.iamInstanceProfile?.role ?? "",
    ResourceType: "EC2Instance",
    IPAddress: node.instance.address,
    ComputerName: node.agent.hostname(),
    AssociationStatus: "Success",
    SourceId: node.instance.instanceId,
    SourceType: "AWS::EC2::Instance",
  };
}

type Check = (info: Record<string, unknown>, node: ManagedInstance) => boolean;

function check(key: string, values: string[]): Check | undefined {
  if (key === "tag-key") return (_i, n) => values.some((k) => Object.hasOwn(n.instance.tags, k));
  if (key.startsWith("tag:")) {
    const tag = key.slice(4);
    return (_i, n) => values.includes(n.instance.tags[tag]);
  }
  if (!KEYS.includes(key)) return undefined;
  const field = key === "InstanceIds"
    ? "InstanceId"
    : key === "PlatformTypes"
    ? "PlatformType"
    : key;
  return (info) => values.includes(String(info[field]));
}

function checksOf(body: Record<string, unknown>): Check[] {
  const list = Array.isArray(body.InstanceInformationFilterList)
    ? body.InstanceInformationFilterList
    : [];
  const strings = Array.isArray(body.Filters) ? body.Filters : [];
  if (list.length > 0 && strings.length > 0) {
    throw new AwsApiError(
      "InvalidFilterKey",
      "InstanceInformationFilterList and Filters cannot be used together.",
    );
  }
  const checks: Check[] = [];
  for (const f of list) {
    const key = String(f?.key);
    const values = Array.isArray(f?.valueSet) ? f.valueSet.map(String) : [];
    const c = key.startsWith("tag") ? undefined : check(key, values);
    if (!c || values.length === 0) {
      throw new AwsApiError("InvalidInstanceInformationFilterValue", `Invalid filter: ${key}`);
    }
    checks.push(c);
  }
  for (const f of strings) {
    const key = String(f?.Key);
    const values = Array.isArray(f?.Values) ? f.Values.map(String) : [];
    const c = check(key, values);
    if (!c) throw new AwsApiError("InvalidFilterKey", `The filter key ${key} is not valid.`);
    checks.push(c);
  }
  return checks;
}

/** DescribeInstanceInformation. @throws AwsApiError as in the module doc. */
export function describeInstanceInformation(
  core: SimCore,
  state: RegionState,
  body: Record<string, unknown>,
  now: number,
): Record<string, unknown> {
  const checks = checksOf(body);
  const maxResults = optionalInt(body, "MaxResults", 5, 50) ?? 50;
  const token = optionalString(body, "NextToken");
  let offset = 0;
  if (token !== undefined) {
    offset = Number(token);
    if (!/^\d+$/.test(token)) {
      throw new AwsApiError("InvalidNextToken", "The specified token isn't valid.");
    }
  }
  const rows = [...state.instances.values()].flatMap((instance) => {
    const node = managedInstance(core, instance, now);
    if (!node) return [];
    const info = infoJson(core, node, now);
    return checks.every((c) => c(info, node)) ? [info] : [];
  });
  return {
    InstanceInformationList: rows.slice(offset, offset + maxResults),
    ...(offset + maxResults < rows.length ? { NextToken: String(offset + maxResults) } : {}),
  };
}
