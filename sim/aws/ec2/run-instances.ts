/**
 * RunInstances: validates the request the way EC2 does (counts, AMI, instance
 * type, AMI/type architecture, subnet, security groups, key pair, placement
 * group and its strategy, metadata options, tag specifications), honours
 * `ClientToken` idempotency, DryRun and capacity faults, then creates the
 * instances and asks the host fleet to boot their operating systems. With the
 * `runInstancesDelaySeconds` fault the answer comes that much later, while the
 * instances exist at once (an aborted request has launched them all the same).
 * Error codes and messages: EC2 API Reference "Error codes"; the architecture
 * and placement-strategy messages are EC2's own wording.
 * @module
 */
import type {
  SimKeyPair,
  SimPlacementGroup,
  SimSecurityGroup,
  SimSubnet,
} from "../../state/account.ts";
import { newResourceId } from "../../state/ids.ts";
import type { SimInstance, SimMetadataOptions } from "../../state/instance.ts";
import { instanceProfileFor } from "./iam-instance-profile.ts";
import { checkDryRun, type Ec2Call, type Ec2Handler } from "../context.ts";
import { AwsApiError, invalidParameterValue, missingParameter } from "../errors.ts";
import { type QueryNode, str, strings } from "../query.ts";
import type { XmlValue } from "../xml.ts";
import { AMI_ID } from "./images.ts";
import { instanceXml } from "./instance-view.ts";
import { unknownPlacementGroup } from "./placement-groups.ts";
import { tagSpecifications } from "./tags.ts";
import { profileForImage } from "../../profile.ts";
import { distributionFacts } from "../../host/model/distribution.ts";

/** Resource types RunInstances accepts in `TagSpecification.N.ResourceType`. */
const TAGGABLE = ["instance", "volume", "network-interface", "spot-instances-request"];

function count(params: Record<string, QueryNode>, name: string): number {
  const text = str(params, name);
  if (text === undefined) throw missingParameter(name);
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw invalidParameterValue(
      `Value (${text}) for parameter ${name} is invalid. Expected a positive integer.`,
    );
  }
  return value;
}

function subnetFor(call: Ec2Call): SimSubnet {
  const subnetId = str(call.params, "SubnetId");
  if (subnetId !== undefined) {
    const subnet = call.state.subnets.get(subnetId);
    if (!subnet) {
      throw new AwsApiError(
        "InvalidSubnetID.NotFound",
        `The subnet ID '${subnetId}' does not exist`,
      );
    }
    return subnet;
  }
  const fallback = [...call.state.subnets.values()].find((s) => s.defaultForAz);
  if (!fallback) {
    throw new AwsApiError(
      "VPCIdNotSpecified",
      "No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.",
    );
  }
  return fallback;
}

function securityGroupsFor(call: Ec2Call, subnet: SimSubnet): SimSecurityGroup[] {
  const groups: SimSecurityGroup[] = [];
  for (const id of strings(call.params, "SecurityGroupId")) {
    const group = call.state.securityGroups.get(id);
    if (!group || group.vpcId !== subnet.vpcId) {
      throw new AwsApiError(
        "InvalidGroup.NotFound",
        `The security group '${id}' does not exist in VPC '${subnet.vpcId}'`,
      );
    }
    groups.push(group);
  }
  for (const name of strings(call.params, "SecurityGroup")) {
    const group = [...call.state.securityGroups.values()].find((g) =>
      g.groupName === name && g.vpcId === subnet.vpcId
    );
    if (!group) {
      throw new AwsApiError(
        "InvalidGroup.NotFound",
        `The security group '${name}' does not exist in VPC '${subnet.vpcId}'`,
      );
    }
    groups.push(group);
  }
  if (groups.length > 0) return groups;
  const fallback = [...call.state.securityGroups.values()].find((g) =>
    g.groupName === "default" && g.vpcId === subnet.vpcId
  );
  return fallback ? [fallback] : [];
}

function keyPairFor(call: Ec2Call): SimKeyPair | undefined {
  const keyName = str(call.params, "KeyName");
  if (keyName === undefined) return undefined;
  const key = call.state.keyPairs.get(keyName);
  if (!key) {
    throw new AwsApiError("InvalidKeyPair.NotFound", `The key pair '${keyName}' does not exist`);
  }
  return key;
}

function placementGroupFor(call: Ec2Call, instanceType: string): SimPlacementGroup | undefined {
  const name = str(call.params, "Placement", "GroupName");
  const id = str(call.params, "Placement", "GroupId");
  if (!name && !id) return undefined;
  const group = name ? call.state.placementGroups.get(name) : call.state.placementGroupById(id!);
  if (!group) throw unknownPlacementGroup((name || id)!);
  const strategies = call.core.catalogue.get(instanceType)?.placement_strategies ?? [];
  if (!(strategies as string[]).includes(group.strategy)) {
    const label = group.strategy.charAt(0).toUpperCase() + group.strategy.slice(1);
    throw new AwsApiError(
      "InvalidParameterCombination",
      `${label} placement groups are not supported by the '${instanceType}' instance type. Specify a supported instance type or change the placement group strategy, and try again.`,
    );
  }
  return group;
}

/** MetadataOptions with the defaults of an AMI with `ImdsSupport: v2.0` (AL2023: IMDSv2 required, hop limit 2). */
function metadataOptionsFor(call: Ec2Call): SimMetadataOptions {
  const pick = (name: string, allowed: string[], fallback: string) => {
    const value = str(call.params, "MetadataOptions", name) ?? fallback;
    if (!allowed.includes(value)) {
      throw invalidParameterValue(
        `Value (${value}) for parameter MetadataOptions.${name} is invalid. Valid values are: ${
          allowed.join(", ")
        }.`,
      );
    }
    return value;
  };
  const hopText = str(call.params, "MetadataOptions", "HttpPutResponseHopLimit");
  const hops = hopText === undefined ? 2 : Number(hopText);
  if (!Number.isInteger(hops) || hops < 1 || hops > 64) {
    throw invalidParameterValue(
      `Value (${hopText}) for parameter MetadataOptions.HttpPutResponseHopLimit is invalid. Expected 1 to 64.`,
    );
  }
  return {
    httpTokens: pick("HttpTokens", ["required", "optional"], "required"),
    httpEndpoint: pick("HttpEndpoint", ["enabled", "disabled"], "enabled"),
    httpPutResponseHopLimit: hops,
    instanceMetadataTags: pick("InstanceMetadataTags", ["enabled", "disabled"], "disabled"),
    httpProtocolIpv6: pick("HttpProtocolIpv6", ["enabled", "disabled"], "disabled"),
  };
}

function reservationXml(call: Ec2Call, reservationId: string, instances: SimInstance[]) {
  return {
    reservationId,
    ownerId: call.core.account.accountId,
    groupSet: instances[0]?.securityGroups.map((g) => ({
      groupId: g.groupId,
      groupName: g.groupName,
    })) ?? [],
    instancesSet: instances.map((i) => instanceXml(call, i)),
  } satisfies Record<string, XmlValue>;
}

/**
 * RunInstances. Launches `MaxCount` instances (all or nothing), each with its
 * own loopback address as private and public IP, and boots their hosts.
 * @throws AwsApiError for every invalid parameter (see module doc), `DryRunOperation` /
 *   `UnauthorizedOperation` for DryRun, `IdempotentParameterMismatch` for a reused
 *   ClientToken with other parameters, `InsufficientInstanceCapacity` (HTTP 500) when the
 *   type has no capacity (fault or profile).
 */
export const runInstances: Ec2Handler = (call) => {
  const { params, state, core } = call;
  const minCount = count(params, "MinCount");
  const maxCount = count(params, "MaxCount");
  if (minCount > maxCount) {
    throw invalidParameterValue(
      `Value (${minCount}) for parameter MinCount is invalid. MinCount must be less than or equal to MaxCount (${maxCount}).`,
    );
  }
  const imageId = str(params, "ImageId");
  if (!imageId) throw missingParameter("ImageId");
  if (!AMI_ID.test(imageId)) {
    throw new AwsApiError(
      "InvalidAMIID.Malformed",
      `Invalid id: "${imageId}" (expecting "ami-...")`,
    );
  }
  const image = state.images.get(imageId);
  if (!image) {
    throw new AwsApiError("InvalidAMIID.NotFound", `The image id '[${imageId}]' does not exist`);
  }
  const instanceType = str(params, "InstanceType") ?? "m1.small";
  const profile = core.catalogue.get(instanceType);
  if (!profile) throw invalidParameterValue(`Invalid value '${instanceType}' for InstanceType.`);
  if (profile.architecture !== image.architecture) {
    throw invalidParameterValue(
      `The architecture '${profile.architecture}' of the specified instance type does not match the architecture '${image.architecture}' of the specified AMI. Specify an instance type and an AMI that have matching architectures, and try again. You can use 'describe-instance-types' or 'describe-images' to discover the architecture of the instance type or AMI.`,
    );
  }
  const subnet = subnetFor(call);
  const securityGroups = securityGroupsFor(call, subnet);
  const keyPair = keyPairFor(call);
  const placementGroup = placementGroupFor(call, instanceType);
  const metadataOptions = metadataOptionsFor(call);
  const iamInstanceProfile = instanceProfileFor(call);
  const tags = tagSpecifications(params, "instance", TAGGABLE);

  const clientToken = str(params, "ClientToken");
  const idempotencyKey = JSON.stringify([
    instanceType,
    imageId,
    minCount,
    maxCount,
    subnet.subnetId,
  ]);
  if (clientToken !== undefined && clientToken.length > 64) {
    throw invalidParameterValue("ClientToken may contain at most 64 ASCII characters.");
  }
  const previous = clientToken === undefined ? undefined : state.clientTokens.get(clientToken);
  if (previous !== undefined) {
    const reservation = state.reservations.get(previous)!;
    if (reservation.idempotencyKey !== idempotencyKey) {
      throw new AwsApiError(
        "IdempotentParameterMismatch",
        "Arguments on this idempotent request are inconsistent with arguments used in previous request(s).",
      );
    }
    checkDryRun(call);
    const instances = reservation.instanceIds.map((id) => state.instances.get(id)!);
    return reservationXml(call, reservation.reservationId, instances);
  }

  checkDryRun(call);
  if (core.faults.capacity.has(instanceType) || profile.faults.capacity) {
    const az = subnet.availabilityZone;
    const others = ["a", "b", "c", "d", "f"].map((s) => `${call.region}${s}`).filter((z) =>
      z !== az
    );
    throw new AwsApiError(
      "InsufficientInstanceCapacity",
      `We currently do not have sufficient ${instanceType} capacity in the Availability Zone you requested (${az}). Our system will be working on provisioning additional capacity. You can currently get ${instanceType} capacity by not specifying an Availability Zone in your request or choosing ${
        others.join(", ")
      }.`,
      500,
    );
  }

  const reservationId = newResourceId("r");
  const instances: SimInstance[] = [];
  for (let index = 0; index < maxCount; index++) {
    const instance: SimInstance = {
      instanceId: newResourceId("i"),
      reservationId,
      instanceType,
      architecture: image.architecture,
      imageId,
      keyName: keyPair?.keyName,
      subnetId: subnet.subnetId,
      vpcId: subnet.vpcId,
      availabilityZone: subnet.availabilityZone,
      securityGroups: securityGroups.map((g) => ({ groupId: g.groupId, groupName: g.groupName })),
      placementGroupName: placementGroup?.groupName,
      placementGroupId: placementGroup?.groupId,
      address: core.account.addresses.allocate(),
      amiLaunchIndex: index,
      clientToken,
      metadataOptions,
      ...(iamInstanceProfile ? { iamInstanceProfile } : {}),
      tags: { ...tags },
      launchedAt: call.now,
      visibleAt: call.now + core.faults.instanceVisibilitySeconds,
      bootSeconds: profile.boot_seconds,
    };
    instance.host = core.fleet?.launch({
      instanceId: instance.instanceId,
      instanceType,
      address: instance.address,
      // The image's operating system, unless the type's profile names its own.
      profile: profileForImage(profile, image.distribution),
      authorizedKey: keyPair?.publicKey ?? "",
      // cloud-init of the image creates its default user for the key pair.
      loginUser: distributionFacts(image.distribution).loginUser,
    });
    state.instances.set(instance.instanceId, instance);
    instances.push(instance);
  }
  state.reservations.set(reservationId, {
    reservationId,
    instanceIds: instances.map((i) => i.instanceId),
    idempotencyKey,
  });
  if (clientToken !== undefined) state.clientTokens.set(clientToken, reservationId);
  const delay = core.faults.runInstancesDelaySeconds;
  if (delay > 0) {
    return core.clock.sleep(delay).then(() => reservationXml(call, reservationId, instances));
  }
  return reservationXml(call, reservationId, instances);
};
