/**
 * DescribeInstances, TerminateInstances, RebootInstances and GetConsoleOutput
 * over the simulated instances. States follow the simulator clock
 * (`sim/state/instance.ts`); terminating stops the instance's host at once.
 * @module
 */
import { INSTANCE_STATE_CODES, instanceStateAt, type SimInstance } from "../../state/instance.ts";
import { checkDryRun, type Ec2Call, type Ec2Handler, inBackground, simDate } from "../context.ts";
import { AwsApiError, missingParameter } from "../errors.ts";
import { str, strings } from "../query.ts";
import { applyFilters, type FilterResolvers } from "./filters.ts";
import { findInstances, instanceXml, stateXml } from "./instance-view.ts";
import { paginate } from "./pagination.ts";

function resolvers(call: Ec2Call): FilterResolvers<SimInstance> {
  const state = (i: SimInstance) => instanceStateAt(i, call.now);
  return {
    "instance-id": (i) => [i.instanceId],
    "instance-state-name": (i) => [state(i)],
    "instance-state-code": (i) => [String(INSTANCE_STATE_CODES[state(i)])],
    "instance-type": (i) => [i.instanceType],
    "image-id": (i) => [i.imageId],
    "key-name": (i) => [i.keyName],
    "architecture": (i) => [i.architecture],
    "availability-zone": (i) => [i.availabilityZone],
    "placement-group-name": (i) => [i.placementGroupName],
    "subnet-id": (i) => [i.subnetId],
    "vpc-id": (i) => [i.vpcId],
    "private-ip-address": (i) => [i.address],
    "ip-address": (i) => [i.address],
    "reservation-id": (i) => [i.reservationId],
    "client-token": (i) => [i.clientToken],
    "instance.group-id": (i) => i.securityGroups.map((g) => g.groupId),
    "metadata-options.http-tokens": (i) => [i.metadataOptions.httpTokens],
  };
}

/**
 * DescribeInstances: `InstanceId.N`, filters (`instance-id`, `instance-state-name`,
 * `tag:<key>`, `tag-key`, `instance-type`, `client-token`, …), grouped into reservations;
 * an instance younger than the `instanceVisibilitySeconds` fault is not shown yet;
 * `MaxResults` (5-1000) / `NextToken` page over reservations.
 * @throws AwsApiError `InvalidInstanceID.Malformed` / `InvalidInstanceID.NotFound`.
 */
export const describeInstances: Ec2Handler = (call) => {
  const ids = strings(call.params, "InstanceId");
  const visible = (i: SimInstance) => (i.visibleAt ?? i.launchedAt) <= call.now;
  const chosen = ids.length > 0
    ? findInstances(call, ids)
    : [...call.state.instances.values()].filter(visible);
  const unseen = chosen.filter((i) => !visible(i)).map((i) => i.instanceId);
  if (unseen.length > 0) {
    throw new AwsApiError(
      "InvalidInstanceID.NotFound",
      unseen.length === 1
        ? `The instance ID '${unseen[0]}' does not exist`
        : `The instance IDs '${unseen.join(", ")}' do not exist`,
    );
  }
  const matching = new Set(applyFilters(chosen, call.params, resolvers(call), (i) => i.tags));
  checkDryRun(call);
  const reservations: { id: string; instances: SimInstance[] }[] = [];
  for (const instance of call.state.instances.values()) {
    if (!matching.has(instance)) continue;
    let entry = reservations.find((r) => r.id === instance.reservationId);
    if (!entry) reservations.push(entry = { id: instance.reservationId, instances: [] });
    entry.instances.push(instance);
  }
  const { page, nextToken } = paginate(reservations, call.params, "DescribeInstances", {
    defaultSize: Infinity,
    min: 5,
    max: 1000,
  });
  return {
    reservationSet: page.map((r) => ({
      reservationId: r.id,
      ownerId: call.core.account.accountId,
      groupSet: [],
      instancesSet: r.instances.map((i) => instanceXml(call, i)),
    })),
    nextToken,
  };
};

/**
 * TerminateInstances: each instance goes `shutting-down` now and `terminated`
 * a few simulated seconds later; its host stops (SSH sessions close) at once.
 * Terminating a terminated instance is a no-op, as on EC2.
 * @throws AwsApiError `MissingParameter`, `InvalidInstanceID.*`, DryRun answers.
 */
export const terminateInstances: Ec2Handler = (call) => {
  const ids = strings(call.params, "InstanceId");
  if (ids.length === 0) throw missingParameter("InstanceId");
  const instances = findInstances(call, ids);
  checkDryRun(call);
  return {
    instancesSet: instances.map((instance) => {
      const previous = instanceStateAt(instance, call.now);
      if (instance.terminatedAt === undefined) {
        instance.terminatedAt = call.now;
        const host = instance.host;
        if (host) inBackground(call.core, host.stop());
      }
      return {
        instanceId: instance.instanceId,
        currentState: stateXml(instanceStateAt(instance, call.now)),
        previousState: stateXml(previous),
      };
    }),
  };
};

/**
 * RebootInstances: reboots the hosts of running instances (SSH drops, sshd
 * refuses connections while the host boots again); pending instances are
 * left to finish booting.
 * @throws AwsApiError `IncorrectState` for a shutting-down or terminated instance.
 */
export const rebootInstances: Ec2Handler = (call) => {
  const ids = strings(call.params, "InstanceId");
  if (ids.length === 0) throw missingParameter("InstanceId");
  const instances = findInstances(call, ids);
  for (const instance of instances) {
    const state = instanceStateAt(instance, call.now);
    if (state === "shutting-down" || state === "terminated") {
      throw new AwsApiError(
        "IncorrectState",
        `The instance '${instance.instanceId}' is not in a state from which it can be rebooted.`,
      );
    }
  }
  checkDryRun(call);
  for (const instance of instances) {
    if (instanceStateAt(instance, call.now) === "running") instance.host?.reboot();
  }
  return { return: true };
};

/**
 * GetConsoleOutput: the host's console text, base64-encoded (UTF-8) as EC2
 * returns it; no `output` element while nothing has been printed (before boot,
 * or without a host).
 * @throws AwsApiError `MissingParameter`, `InvalidInstanceID.*`, DryRun answers.
 */
export const getConsoleOutput: Ec2Handler = (call) => {
  const id = str(call.params, "InstanceId");
  if (!id) throw missingParameter("InstanceId");
  const [instance] = findInstances(call, [id]);
  checkDryRun(call);
  const text = instanceStateAt(instance, call.now) === "pending"
    ? ""
    : instance.host?.consoleOutput() ?? "";
  return {
    instanceId: instance.instanceId,
    timestamp: simDate(call.core, call.now),
    output: text === "" ? undefined : base64Utf8(text),
  };
};

function base64Utf8(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
