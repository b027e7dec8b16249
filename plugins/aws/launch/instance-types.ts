/**
 * What EC2 says about the requested instance types, in ONE batched
 * `DescribeInstanceTypes` call: architecture (`ProcessorInfo.SupportedArchitectures`),
 * `PhcSupport` (`supported` | `unsupported`, or absent = unknown: PTP.md section 1,
 * never a hard-coded family list) and placement strategies. Unknown names are
 * reported with the nearest valid names.
 * Source: EC2 API Reference "DescribeInstanceTypes", "InstanceTypeInfo".
 * @module
 */
import {
  type _InstanceType,
  DescribeInstanceTypesCommand,
  type DescribeInstanceTypesCommandOutput,
  type EC2Client,
  type InstanceTypeInfo,
} from "@aws-sdk/client-ec2";
import { StepError } from "../../../runner/errors.ts";
import { awsErrorCode, awsErrorMessage, isAbort, toStepError } from "../shared/aws-errors.ts";
import { nearestNames } from "./nearest-names.ts";

/** PHC support of a type: `unknown` when `PhcSupport` is absent from the answer. */
export type PhcSupportState = "supported" | "unsupported" | "unknown";

/** Facts about one instance type. */
export interface InstanceTypeFacts {
  instanceType: string;
  /** EC2 architectures, e.g. [`x86_64`] or [`arm64`]. */
  architectures: string[];
  /** `InstanceTypeInfo.PhcSupport`, `unknown` when absent. */
  phcSupport: PhcSupportState;
  /** `PlacementGroupInfo.SupportedStrategies`, e.g. [`cluster`, `precision-time`]. */
  placementStrategies: string[];
}

/** Converts an `InstanceTypeInfo` to {@link InstanceTypeFacts}. */
export function instanceTypeFacts(info: InstanceTypeInfo): InstanceTypeFacts {
  const phc = info.PhcSupport;
  return {
    instanceType: info.InstanceType ?? "",
    architectures: [...(info.ProcessorInfo?.SupportedArchitectures ?? [])],
    phcSupport: phc === "supported" || phc === "unsupported" ? phc : "unknown",
    placementStrategies: [...(info.PlacementGroupInfo?.SupportedStrategies ?? [])],
  };
}

/**
 * The architecture the AL2023 AMI must have for a type: `arm64` when it is the
 * only one supported, `x86_64` when supported (AL2023 has no i386 image).
 * Undefined when neither is supported.
 */
export function amiArchitectureFor(facts: InstanceTypeFacts): "x86_64" | "arm64" | undefined {
  if (facts.architectures.includes("x86_64")) return "x86_64";
  if (facts.architectures.includes("arm64")) return "arm64";
  return undefined;
}

/** Names inside `[...]` of EC2's `InvalidInstanceType` message ("... do not exist: [a, b]"). */
export function unknownTypesFromMessage(message: string, requested: readonly string[]): string[] {
  const inBrackets = message.match(/\[([^\]]*)\]/)?.[1];
  const named = inBrackets
    ? inBrackets.split(",").map((s) => s.trim().replace(/^['"]|['"]$/g, ""))
    : requested.filter((t) => message.includes(t));
  return named.filter((t) => requested.includes(t));
}

async function describeAll(
  ec2: EC2Client,
  input: { InstanceTypes?: string[]; MaxResults?: number },
  signal: AbortSignal,
  maxPages = 50,
): Promise<InstanceTypeInfo[]> {
  const infos: InstanceTypeInfo[] = [];
  let token: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const out: DescribeInstanceTypesCommandOutput = await ec2.send(
      new DescribeInstanceTypesCommand({
        ...(input.InstanceTypes ? { InstanceTypes: input.InstanceTypes as _InstanceType[] } : {}),
        ...(input.MaxResults ? { MaxResults: input.MaxResults } : {}),
        ...(token ? { NextToken: token } : {}),
      }),
      { abortSignal: signal },
    );
    infos.push(...(out.InstanceTypes ?? []));
    token = out.NextToken;
    if (!token) break;
  }
  return infos;
}

/** Finds which of `types` EC2 does not know, one call per type (error path only). */
async function findUnknownOneByOne(
  ec2: EC2Client,
  types: readonly string[],
  signal: AbortSignal,
): Promise<string[]> {
  const results = await Promise.all(types.map(async (t) => {
    try {
      const infos = await describeAll(ec2, { InstanceTypes: [t] }, signal, 1);
      return infos.length === 0 ? t : undefined;
    } catch (error) {
      if (isAbort(error, signal)) throw signal.reason ?? error;
      return awsErrorCode(error) === "InvalidInstanceType" ? t : undefined;
    }
  }));
  return results.filter((t): t is string => t !== undefined);
}

/** Every instance type name offered in the client's region (paginated listing; for suggestions). */
async function offeredTypeNames(ec2: EC2Client, signal: AbortSignal): Promise<string[]> {
  try {
    const infos = await describeAll(ec2, { MaxResults: 100 }, signal, 20);
    return infos.map((i) => i.InstanceType ?? "").filter((n) => n !== "");
  } catch (error) {
    if (isAbort(error, signal)) throw signal.reason ?? error;
    return [];
  }
}

/**
 * Describes `types` with ONE `DescribeInstanceTypes` request (more only if EC2
 * pages the answer).
 * @returns facts per requested type, in request order.
 * @throws StepError `config` naming every unknown type with up to 3 nearest valid
 *   names; `auth`/`throttled`/... for other AWS errors.
 */
export async function describeRequestedTypes(
  ec2: EC2Client,
  types: readonly string[],
  region: string,
  signal: AbortSignal,
): Promise<InstanceTypeFacts[]> {
  let infos: InstanceTypeInfo[] = [];
  let unknown: string[] = [];
  try {
    infos = await describeAll(ec2, { InstanceTypes: [...types] }, signal);
    const known = new Set<string>(infos.map((i) => i.InstanceType ?? ""));
    unknown = types.filter((t) => !known.has(t));
  } catch (error) {
    if (isAbort(error, signal)) throw signal.reason ?? error;
    if (awsErrorCode(error) !== "InvalidInstanceType") {
      throw toStepError(error, "describe the instance types", "ec2:DescribeInstanceTypes");
    }
    unknown = unknownTypesFromMessage(awsErrorMessage(error), types);
    if (unknown.length === 0) unknown = await findUnknownOneByOne(ec2, types, signal);
    if (unknown.length === 0) {
      throw toStepError(error, "describe the instance types", "ec2:DescribeInstanceTypes");
    }
  }
  if (unknown.length > 0) {
    const offered = await offeredTypeNames(ec2, signal);
    const parts = unknown.map((t) => {
      const near = nearestNames(t, offered);
      return near.length > 0 ? `${t} (did you mean ${near.join(", ")}?)` : t;
    });
    throw new StepError(
      "config",
      `unknown instance type${unknown.length > 1 ? "s" : ""} in ${region}: ${parts.join("; ")}`,
    );
  }
  const byName = new Map(infos.map((i) => [i.InstanceType ?? "", instanceTypeFacts(i)]));
  return types.map((t) => byName.get(t)!);
}
