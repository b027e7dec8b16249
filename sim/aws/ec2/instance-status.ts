/**
 * DescribeInstanceStatus: status checks of the simulated instances. Both the
 * system and the instance reachability checks are `initializing` until the
 * host's sshd accepts connections, then `ok` (what the SDK's
 * `waitUntilInstanceStatusOk` waits for).
 * @module
 */
import { instanceStateAt, type SimInstance } from "../../state/instance.ts";
import { checkDryRun, type Ec2Call, type Ec2Handler } from "../context.ts";
import { bool, strings } from "../query.ts";
import type { XmlValue } from "../xml.ts";
import { applyFilters } from "./filters.ts";
import { findInstances, stateXml } from "./instance-view.ts";
import { paginate } from "./pagination.ts";

function checksOk(call: Ec2Call, instance: SimInstance): boolean {
  if (instance.host) return instance.host.sshReady;
  const profile = call.core.catalogue.get(instance.instanceType);
  return call.now >= instance.launchedAt + instance.bootSeconds + (profile?.ssh_delay_seconds ?? 0);
}

function check(status: "ok" | "initializing"): Record<string, XmlValue> {
  return {
    status,
    details: [{ name: "reachability", status: status === "ok" ? "passed" : "initializing" }],
  };
}

/**
 * DescribeInstanceStatus (`InstanceId.N`, `IncludeAllInstances`, filters
 * `instance-state-name`, `instance-status.status`, `system-status.status`).
 * Without `IncludeAllInstances` only running instances are listed, as on EC2.
 * @throws AwsApiError `InvalidInstanceID.*`, DryRun answers.
 */
export const describeInstanceStatus: Ec2Handler = (call) => {
  const ids = strings(call.params, "InstanceId");
  const all = bool(call.params, "IncludeAllInstances");
  let instances = ids.length > 0 ? findInstances(call, ids) : [...call.state.instances.values()];
  if (!all) instances = instances.filter((i) => instanceStateAt(i, call.now) === "running");
  const status = (i: SimInstance) =>
    instanceStateAt(i, call.now) === "running" && checksOk(call, i) ? "ok" : "initializing";
  instances = applyFilters(instances, call.params, {
    "instance-state-name": (i) => [instanceStateAt(i, call.now)],
    "instance-status.status": (i) => [status(i)],
    "system-status.status": (i) => [status(i)],
    "availability-zone": (i) => [i.availabilityZone],
  });
  checkDryRun(call);
  const { page, nextToken } = paginate(instances, call.params, "DescribeInstanceStatus", {
    defaultSize: Infinity,
    min: 5,
    max: 1000,
  });
  return {
    instanceStatusSet: page.map((i) => ({
      instanceId: i.instanceId,
      availabilityZone: i.availabilityZone,
      instanceState: stateXml(instanceStateAt(i, call.now)),
      systemStatus: check(status(i)),
      instanceStatus: check(status(i)),
      eventsSet: [],
    })),
    nextToken,
  };
};
