/**
 * Tags in the EC2 Query protocol: reading `TagSpecification.N` and `Tag.N`
 * request parameters, writing `tagSet`, and CreateTags / DeleteTags.
 * @module
 */
import { checkDryRun, type Ec2Call, type Ec2Handler } from "../context.ts";
import { AwsApiError, invalidParameterValue, missingParameter } from "../errors.ts";
import { list, type QueryNode, str, strings } from "../query.ts";
import type { XmlValue } from "../xml.ts";

/** A `tagSet` value: `[{key, value}]`. */
export function tagSet(tags: Record<string, string>): XmlValue {
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

/** Tags of `Tag.N.Key`/`Tag.N.Value` entries under `node`. */
export function readTags(node: Record<string, QueryNode>, name = "Tag"): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const entry of list(node, name)) {
    const key = str(entry, "Key");
    if (key === undefined) continue;
    if (key.length > 128 || key.toLowerCase().startsWith("aws:")) {
      throw invalidParameterValue(
        `Tag key '${key}' is invalid: keys are 1-128 characters and may not start with 'aws:'`,
      );
    }
    tags[key] = str(entry, "Value") ?? "";
  }
  return tags;
}

/**
 * Tags of `TagSpecification.N` entries for `resourceType` (`instance`,
 * `volume`, `placement-group`, …), merged in order.
 * @param allowed resource types the action accepts; others are refused.
 * @throws AwsApiError `InvalidParameterValue` for a resource type the action does not tag.
 */
export function tagSpecifications(
  params: Record<string, QueryNode>,
  resourceType: string,
  allowed: readonly string[],
): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const spec of list(params, "TagSpecification")) {
    const type = str(spec, "ResourceType");
    if (type === undefined || !allowed.includes(type)) {
      throw invalidParameterValue(
        `'${type ?? ""}' is not a valid taggable resource type for this operation.`,
      );
    }
    if (type === resourceType && typeof spec === "object" && !Array.isArray(spec)) {
      Object.assign(tags, readTags(spec));
    }
  }
  return tags;
}

/** The tags object of the resource with id `id` in the call's region, if it exists. */
function taggable(call: Ec2Call, id: string): Record<string, string> | undefined {
  const s = call.state;
  if (id.startsWith("i-")) return s.instances.get(id)?.tags;
  if (id.startsWith("subnet-")) return s.subnets.get(id)?.tags;
  if (id.startsWith("vpc-")) return s.vpcs.get(id)?.tags;
  if (id.startsWith("sg-")) return s.securityGroups.get(id)?.tags;
  if (id.startsWith("pg-")) return s.placementGroupById(id)?.tags;
  if (id.startsWith("key-")) return s.keyPairById(id)?.tags;
  return undefined;
}

function resourcesOf(call: Ec2Call): Record<string, string>[] {
  const ids = strings(call.params, "ResourceId");
  if (ids.length === 0) throw missingParameter("ResourceId");
  return ids.map((id) => {
    const tags = taggable(call, id);
    if (tags) return tags;
    if (id.startsWith("i-")) {
      throw new AwsApiError("InvalidInstanceID.NotFound", `The instance ID '${id}' does not exist`);
    }
    throw new AwsApiError("InvalidID", `The ID '${id}' is not valid`);
  });
}

/** CreateTags: adds or overwrites tags on instances, subnets, VPCs, security groups, placement groups, key pairs. */
export const createTags: Ec2Handler = (call) => {
  const targets = resourcesOf(call);
  const tags = readTags(call.params);
  if (Object.keys(tags).length === 0) throw missingParameter("Tag");
  checkDryRun(call);
  for (const target of targets) Object.assign(target, tags);
  return { return: true };
};

/** DeleteTags: removes the given keys (any value, or only the given value). */
export const deleteTags: Ec2Handler = (call) => {
  const targets = resourcesOf(call);
  const entries = list(call.params, "Tag").map((t) => ({
    key: str(t, "Key"),
    value: str(t, "Value"),
  }));
  checkDryRun(call);
  for (const target of targets) {
    for (const key of Object.keys(target)) {
      const match = entries.length === 0 ||
        entries.some((e) => e.key === key && (e.value === undefined || e.value === target[key]));
      if (match) delete target[key];
    }
  }
  return { return: true };
};
