/**
 * How DescribeInstances, RunInstances and TerminateInstances show an
 * instance (`instancesSet` items; element names from the EC2 API Reference
 * `Instance`), and the instance id format.
 * @module
 */
import { AwsApiError } from "../errors.ts";
import { type Ec2Call, simDate } from "../context.ts";
import {
  INSTANCE_STATE_CODES,
  instanceStateAt,
  type InstanceStateName,
  type SimInstance,
} from "../../state/instance.ts";
import type { XmlValue } from "../xml.ts";
import { instanceProfileXml } from "./iam-instance-profile.ts";
import { tagSet } from "./tags.ts";

/** Instance ids: `i-` and 8 or 17 hex digits. */
export const INSTANCE_ID = /^i-[0-9a-f]{8}([0-9a-f]{9})?$/;

/** An `instanceState` value. */
export function stateXml(name: InstanceStateName): Record<string, XmlValue> {
  return { code: INSTANCE_STATE_CODES[name], name };
}

/**
 * The instances with these ids, in request order.
 * @throws AwsApiError `InvalidInstanceID.Malformed` for a badly formed id,
 *   `InvalidInstanceID.NotFound` listing every unknown id (EC2's wording).
 */
export function findInstances(call: Ec2Call, ids: readonly string[]): SimInstance[] {
  for (const id of ids) {
    if (!INSTANCE_ID.test(id)) {
      throw new AwsApiError("InvalidInstanceID.Malformed", `Invalid id: "${id}"`);
    }
  }
  const missing = ids.filter((id) => !call.state.instances.has(id));
  if (missing.length === 1) {
    throw new AwsApiError(
      "InvalidInstanceID.NotFound",
      `The instance ID '${missing[0]}' does not exist`,
    );
  }
  if (missing.length > 1) {
    throw new AwsApiError(
      "InvalidInstanceID.NotFound",
      `The instance IDs '${missing.join(", ")}' do not exist`,
    );
  }
  return ids.map((id) => call.state.instances.get(id)!);
}

/** The `instancesSet` item describing `instance` at the call's simulated time. */
export function instanceXml(call: Ec2Call, instance: SimInstance): Record<string, XmlValue> {
  const state = instanceStateAt(instance, call.now);
  const gone = state === "terminated";
  const live = state === "pending" || state === "running";
  const dashed = instance.address.replaceAll(".", "-");
  const profile = call.core.catalogue.get(instance.instanceType);
  return {
    instanceId: instance.instanceId,
    imageId: instance.imageId,
    instanceState: stateXml(state),
    privateDnsName: gone ? "" : `ip-${dashed}.ec2.internal`,
    dnsName: "",
    reason: instance.terminatedAt === undefined
      ? ""
      : `User initiated (${simDate(call.core, instance.terminatedAt).toISOString()})`,
    keyName: instance.keyName,
    amiLaunchIndex: instance.amiLaunchIndex,
    productCodes: [],
    instanceType: instance.instanceType,
    launchTime: simDate(call.core, instance.launchedAt),
    placement: {
      availabilityZone: instance.availabilityZone,
      groupName: instance.placementGroupName ?? "",
      groupId: instance.placementGroupId,
      tenancy: "default",
    },
    monitoring: { state: "disabled" },
    subnetId: gone ? undefined : instance.subnetId,
    vpcId: gone ? undefined : instance.vpcId,
    privateIpAddress: gone ? undefined : instance.address,
    ipAddress: live ? instance.address : undefined,
    stateReason: state === "pending"
      ? { code: "pending", message: "pending" }
      : instance.terminatedAt !== undefined
      ? {
        code: "Client.UserInitiatedShutdown",
        message: "Client.UserInitiatedShutdown: User initiated shutdown",
      }
      : undefined,
    architecture: instance.architecture,
    rootDeviceType: "ebs",
    rootDeviceName: "/dev/xvda",
    blockDeviceMapping: gone ? [] : [{
      deviceName: "/dev/xvda",
      ebs: {
        volumeId: `vol-${instance.instanceId.slice(2)}`,
        status: "attached",
        attachTime: simDate(call.core, instance.launchedAt),
        deleteOnTermination: true,
      },
    }],
    virtualizationType: "hvm",
    clientToken: instance.clientToken ?? "",
    tagSet: tagSet(instance.tags),
    groupSet: instance.securityGroups.map((g) => ({ groupId: g.groupId, groupName: g.groupName })),
    sourceDestCheck: true,
    hypervisor: profile?.hypervisor ?? "nitro",
    networkInterfaceSet: gone ? [] : [{
      networkInterfaceId: `eni-${instance.instanceId.slice(2)}`,
      subnetId: instance.subnetId,
      vpcId: instance.vpcId,
      description: "",
      ownerId: call.core.account.accountId,
      status: "in-use",
      privateIpAddress: instance.address,
      privateDnsName: `ip-${dashed}.ec2.internal`,
      sourceDestCheck: true,
      groupSet: instance.securityGroups.map((g) => ({
        groupId: g.groupId,
        groupName: g.groupName,
      })),
      attachment: { deviceIndex: 0, status: "attached", deleteOnTermination: true },
      association: live ? { publicIp: instance.address, ipOwnerId: "amazon" } : undefined,
      interfaceType: "interface",
    }],
    iamInstanceProfile: instance.iamInstanceProfile
      ? instanceProfileXml(instance.iamInstanceProfile)
      : undefined,
    ebsOptimized: false,
    enaSupport: profile ? profile.ena_support !== "unsupported" : true,
    cpuOptions: cpuOptions(profile?.vcpus ?? 2, instance.architecture),
    metadataOptions: {
      state: state === "pending" ? "pending" : "applied",
      httpTokens: instance.metadataOptions.httpTokens,
      httpPutResponseHopLimit: instance.metadataOptions.httpPutResponseHopLimit,
      httpEndpoint: instance.metadataOptions.httpEndpoint,
      httpProtocolIpv6: instance.metadataOptions.httpProtocolIpv6,
      instanceMetadataTags: instance.metadataOptions.instanceMetadataTags,
    },
    bootMode: "uefi",
    platformDetails: "Linux/UNIX",
    usageOperation: "RunInstances",
    currentInstanceBootMode: "uefi",
  };
}

function cpuOptions(vcpus: number, architecture: string): Record<string, XmlValue> {
  const threadsPerCore = architecture === "x86_64" && vcpus > 1 ? 2 : 1;
  return { coreCount: Math.max(1, vcpus / threadsPerCore), threadsPerCore };
}
