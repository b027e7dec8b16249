/**
 * Placement groups: DescribePlacementGroups, CreatePlacementGroup and
 * DeletePlacementGroup. Strategies `cluster`, `spread`, `partition` and
 * `precision-time` (botocore's EC2 model `PlacementStrategy`; PTP.md section 1).
 * @module
 */
import type { SimPlacementGroup } from "../../state/account.ts";
import { newResourceId } from "../../state/ids.ts";
import { instanceStateAt } from "../../state/instance.ts";
import { checkDryRun, type Ec2Handler } from "../context.ts";
import { AwsApiError, invalidParameterValue, missingParameter } from "../errors.ts";
import { str, strings } from "../query.ts";
import type { XmlValue } from "../xml.ts";
import { applyFilters } from "./filters.ts";
import { tagSet, tagSpecifications } from "./tags.ts";

/** Placement strategies EC2 accepts. */
export const PLACEMENT_STRATEGIES = ["cluster", "spread", "partition", "precision-time"] as const;

/** The `placementGroupSet` item of one group. */
export function placementGroupInfo(
  group: SimPlacementGroup,
  region: string,
  accountId: string,
): Record<string, XmlValue> {
  return {
    groupName: group.groupName,
    state: group.state,
    strategy: group.strategy,
    partitionCount: group.partitionCount,
    groupId: group.groupId,
    tagSet: tagSet(group.tags),
    groupArn: `arn:aws:ec2:${region}:${accountId}:placement-group/${group.groupName}`,
    spreadLevel: group.spreadLevel,
  };
}

/** The error EC2 gives for a placement group name or id that does not exist. */
export function unknownPlacementGroup(nameOrId: string): AwsApiError {
  return new AwsApiError(
    "InvalidPlacementGroup.Unknown",
    `The Placement Group '${nameOrId}' is unknown.`,
  );
}

/**
 * DescribePlacementGroups (`GroupName.N`, `GroupId.N`, filters `group-name`,
 * `group-id`, `strategy`, `state`, `spread-level`, tags).
 * @throws AwsApiError `InvalidPlacementGroup.Unknown` for an unknown name or id.
 */
export const describePlacementGroups: Ec2Handler = (call) => {
  const names = strings(call.params, "GroupName");
  const ids = strings(call.params, "GroupId");
  const selected: SimPlacementGroup[] = [];
  for (const name of names) {
    const group = call.state.placementGroups.get(name);
    if (!group) throw unknownPlacementGroup(name);
    selected.push(group);
  }
  for (const id of ids) {
    const group = call.state.placementGroupById(id);
    if (!group) throw unknownPlacementGroup(id);
    selected.push(group);
  }
  const groups = applyFilters(
    names.length || ids.length ? selected : [...call.state.placementGroups.values()],
    call.params,
    {
      "group-name": (g) => [g.groupName],
      "group-id": (g) => [g.groupId],
      "group-arn": (g) => [
        `arn:aws:ec2:${call.region}:${call.core.account.accountId}:placement-group/${g.groupName}`,
      ],
      "strategy": (g) => [g.strategy],
      "state": (g) => [g.state],
      "spread-level": (g) => [g.spreadLevel],
    },
    (g) => g.tags,
  );
  checkDryRun(call);
  return {
    placementGroupSet: groups.map((g) =>
      placementGroupInfo(g, call.region, call.core.account.accountId)
    ),
  };
};

/**
 * CreatePlacementGroup (`GroupName`, `Strategy`, `PartitionCount`, `SpreadLevel`,
 * `TagSpecification.N` for `placement-group`).
 * @throws AwsApiError `MissingParameter`, `InvalidParameterValue` (strategy, partition count),
 *   `InvalidPlacementGroup.Duplicate`.
 */
export const createPlacementGroup: Ec2Handler = (call) => {
  const groupName = str(call.params, "GroupName");
  if (!groupName) throw missingParameter("GroupName");
  if (groupName.length > 255) {
    throw invalidParameterValue("Placement group names may contain at most 255 characters.");
  }
  const strategy = str(call.params, "Strategy") ?? "cluster";
  if (!(PLACEMENT_STRATEGIES as readonly string[]).includes(strategy)) {
    throw invalidParameterValue(
      `Value (${strategy}) for parameter strategy is invalid. Valid values are: ${
        PLACEMENT_STRATEGIES.join(", ")
      }.`,
    );
  }
  const partitionText = str(call.params, "PartitionCount");
  let partitionCount: number | undefined;
  if (strategy === "partition") {
    partitionCount = partitionText === undefined ? 2 : Number(partitionText);
    if (!Number.isInteger(partitionCount) || partitionCount < 1 || partitionCount > 7) {
      throw invalidParameterValue(`Partition count must be between 1 and 7, got ${partitionText}.`);
    }
  } else if (partitionText !== undefined) {
    throw new AwsApiError(
      "InvalidParameterCombination",
      "PartitionCount can only be specified with the partition strategy.",
    );
  }
  const tags = tagSpecifications(call.params, "placement-group", ["placement-group"]);
  if (call.state.placementGroups.has(groupName)) {
    throw new AwsApiError(
      "InvalidPlacementGroup.Duplicate",
      `The Placement Group '${groupName}' already exists.`,
    );
  }
  checkDryRun(call);
  const group: SimPlacementGroup = {
    groupId: newResourceId("pg"),
    groupName,
    strategy,
    partitionCount,
    spreadLevel: strategy === "spread" ? (str(call.params, "SpreadLevel") ?? "rack") : undefined,
    state: "available",
    tags,
  };
  call.state.placementGroups.set(groupName, group);
  return {
    placementGroup: placementGroupInfo(group, call.region, call.core.account.accountId),
  };
};

/**
 * DeletePlacementGroup (`GroupName`). Refused while an instance in the group
 * is not yet `terminated` (pending, running or shutting-down).
 * @throws AwsApiError `MissingParameter`, `InvalidPlacementGroup.Unknown`, `InvalidPlacementGroup.InUse`.
 */
export const deletePlacementGroup: Ec2Handler = (call) => {
  const groupName = str(call.params, "GroupName");
  if (!groupName) throw missingParameter("GroupName");
  const group = call.state.placementGroups.get(groupName);
  if (!group) throw unknownPlacementGroup(groupName);
  const inUse = [...call.state.instances.values()].some((i) =>
    i.placementGroupName === groupName && instanceStateAt(i, call.now) !== "terminated"
  );
  if (inUse) {
    throw new AwsApiError(
      "InvalidPlacementGroup.InUse",
      `The placement group '${groupName}' is in use and may not be deleted.`,
    );
  }
  checkDryRun(call);
  call.state.placementGroups.delete(groupName);
  return { return: true };
};
