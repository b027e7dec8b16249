/**
 * The SSM service's view of an EC2 instance's agent: whether the instance is
 * a managed node, since when, and whether it is online now.
 *
 * An instance registers only when (1) its AMI ships the agent (profile
 * `ssm_agent`), (2) it was launched with an IAM instance profile whose role
 * has `AmazonSSMManagedInstanceCore`, and (3) `ssm.registration_seconds` of
 * simulated time have passed since it entered `running` (instances that ran
 * before the simulator started, `existing_instances`: registered at 0). It is `Online`
 * while its host is booted and its NIC carries traffic, else
 * `ConnectionLost` (reboot, ENA driver reload). Terminated instances are no
 * managed nodes. Source: AWS Systems Manager User Guide, "Setting up
 * Systems Manager for EC2 instances" (instance profile with
 * AmazonSSMManagedInstanceCore, agent installed).
 * @module
 */
import { SSM_CORE_POLICY } from "../../profile.ts";
import type { SimInstance } from "../../state/instance.ts";
import type { SimAgentHost } from "../../types.ts";
import type { SimCore } from "../context.ts";

/** A registered managed node. */
export interface ManagedInstance {
  instance: SimInstance;
  agent: SimAgentHost;
  /** Simulated time the agent registered. */
  registeredAt: number;
}

const lastPings = new WeakMap<SimInstance, number>();

/** Simulated time the agent registers (or registered), or undefined when it never will. */
export function registrationTime(core: SimCore, instance: SimInstance): number | undefined {
  const role = instance.iamInstanceProfile;
  if (!role || !role.policies.includes(SSM_CORE_POLICY)) return undefined;
  if (!core.catalogue.get(instance.instanceType)?.ssm_agent) return undefined;
  if (!instance.host?.agent) return undefined;
  return instance.ssmRegisteredAt ??
    instance.launchedAt + instance.bootSeconds + core.ssm.registration_seconds;
}

/** The instance as a managed node at `now`, or undefined when it is not (yet, or at all) one. */
export function managedInstance(
  core: SimCore,
  instance: SimInstance,
  now: number,
): ManagedInstance | undefined {
  if (instance.terminatedAt !== undefined) return undefined;
  const at = registrationTime(core, instance);
  if (at === undefined || now < at) return undefined;
  return { instance, agent: instance.host!.agent!, registeredAt: at };
}

/** `PingStatus` now (`Online` / `ConnectionLost`), remembering the last time it was seen online. */
export function pingStatus(node: ManagedInstance, now: number): "Online" | "ConnectionLost" {
  if (node.agent.online()) {
    lastPings.set(node.instance, now);
    return "Online";
  }
  return "ConnectionLost";
}

/** Simulated time of the agent's last ping (now when online; registration when never seen). */
export function lastPingTime(node: ManagedInstance, now: number): number {
  if (pingStatus(node, now) === "Online") return now;
  return lastPings.get(node.instance) ?? node.registeredAt;
}
