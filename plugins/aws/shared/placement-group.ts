/**
 * Placement groups for PHC access: since 2026 the ENA PHC is reachable on
 * supported types launched into a group with strategy `precision-time`
 * (PTP.md section 1; EC2 API Reference "CreatePlacementGroup",
 * `PlacementStrategy` = cluster | spread | partition | precision-time).
 * @module
 */
import {
  CreatePlacementGroupCommand,
  DeletePlacementGroupCommand,
  DescribePlacementGroupsCommand,
  type EC2Client,
  type PlacementGroup,
  type Tag,
} from "@aws-sdk/client-ec2";
import { StepError } from "../../../runner/errors.ts";
import { isAbort, isNotFoundOrInvalid, toStepError } from "./aws-errors.ts";

/** A placement group the launch will use. */
export interface PlacementGroupInfo {
  groupName: string;
  groupId?: string;
  /** `precision-time`, `cluster`, ... */
  strategy: string;
}

/**
 * Looks up an existing placement group by name, or by id when it starts with `pg-`.
 * @returns the group and a warning when its strategy is `cluster` (PHC access
 *   needs `precision-time` except the legacy types/regions of PTP.md section 1).
 * @throws StepError `config` when it does not exist or its strategy is neither
 *   `precision-time` nor `cluster`.
 */
export async function checkPlacementGroup(
  ec2: EC2Client,
  nameOrId: string,
  signal: AbortSignal,
): Promise<{ group: PlacementGroupInfo; warning?: string }> {
  const byId = nameOrId.startsWith("pg-");
  let groups: PlacementGroup[];
  try {
    const out = await ec2.send(
      new DescribePlacementGroupsCommand(
        byId ? { GroupIds: [nameOrId] } : { GroupNames: [nameOrId] },
      ),
      { abortSignal: signal },
    );
    groups = out.PlacementGroups ?? [];
  } catch (error) {
    if (isAbort(error, signal)) throw signal.reason ?? error;
    if (isNotFoundOrInvalid(error)) groups = [];
    else {
      throw toStepError(
        error,
        `describe placement group ${nameOrId}`,
        "ec2:DescribePlacementGroups",
      );
    }
  }
  const found = groups[0];
  if (!found) {
    throw new StepError(
      "config",
      `placement_group: ${nameOrId} does not exist in this region; create it with ` +
        "`aws ec2 create-placement-group --strategy precision-time --group-name NAME` or set " +
        "`create_placement_group: true`",
    );
  }
  const group: PlacementGroupInfo = {
    groupName: found.GroupName ?? nameOrId,
    groupId: found.GroupId,
    strategy: found.Strategy ?? "unknown",
  };
  if (group.strategy === "precision-time") return { group };
  if (group.strategy === "cluster") {
    return {
      group,
      warning: `placement group ${group.groupName} has strategy cluster, not precision-time: ` +
        "the PHC is only reachable there on legacy-access types (M7a/M7g/M7i/R7a/R7g/R7i/I8g/" +
        "I8ge) in a few regions (EC2 User Guide, configure-ec2-ntp)",
    };
  }
  throw new StepError(
    "config",
    `placement_group: ${group.groupName} has strategy ${group.strategy}; the PHC needs ` +
      "precision-time (or cluster for legacy access)",
  );
}

/**
 * Creates a `precision-time` placement group named `name`, tagged with `tags`.
 * The caller records it in the journal at once.
 * @throws StepError (auth/config/throttled/...) when EC2 refuses.
 */
export async function createPrecisionTimeGroup(
  ec2: EC2Client,
  name: string,
  tags: Tag[],
  signal: AbortSignal,
): Promise<PlacementGroupInfo> {
  try {
    const out = await ec2.send(
      new CreatePlacementGroupCommand({
        GroupName: name,
        Strategy: "precision-time",
        TagSpecifications: [{ ResourceType: "placement-group", Tags: tags }],
      }),
      { abortSignal: signal },
    );
    return {
      groupName: out.PlacementGroup?.GroupName ?? name,
      groupId: out.PlacementGroup?.GroupId,
      strategy: "precision-time",
    };
  } catch (error) {
    if (isAbort(error, signal)) throw signal.reason ?? error;
    throw toStepError(
      error,
      `create placement group ${name} (precision-time)`,
      "ec2:CreatePlacementGroup",
    );
  }
}

/**
 * Deletes a placement group by name. A group that no longer exists counts as deleted.
 * @returns undefined on success, else the error message (e.g. still in use).
 */
export async function deletePlacementGroup(
  ec2: EC2Client,
  name: string,
  signal: AbortSignal,
): Promise<string | undefined> {
  try {
    await ec2.send(new DeletePlacementGroupCommand({ GroupName: name }), { abortSignal: signal });
    return undefined;
  } catch (error) {
    if (isAbort(error, signal)) throw signal.reason ?? error;
    const stepError = toStepError(
      error,
      `delete placement group ${name}`,
      "ec2:DeletePlacementGroup",
    );
    if (/InvalidPlacementGroup\.Unknown|NotFound/.test(stepError.message)) return undefined;
    return stepError.message;
  }
}
