/**
 * Waiting for an instance's SSM agent: DescribeInstanceInformation filtered
 * on the instance id, polled with backoff until `PingStatus` is `Online` or
 * the bound runs out. An instance that is not listed at all has no
 * registered agent yet (booting, no instance profile, no route to the SSM
 * endpoints, or an AMI without the agent).
 * Source: SSM API Reference "DescribeInstanceInformation" (`Filters` key
 * `InstanceIds`; `PingStatus`: Online | ConnectionLost | Inactive);
 * Systems Manager User Guide "Troubleshooting managed node availability".
 * @module
 */
import { DescribeInstanceInformationCommand, type InstanceInformation } from "@aws-sdk/client-ssm";
import { CappedBackoff } from "../../runner/capped-backoff.ts";
import { StepError } from "../../runner/errors.ts";
import { toStepError } from "../aws/shared/aws-errors.ts";
import type { InvocationTiming } from "./invocation.ts";
import { sendSsm, type SsmSender } from "./send.ts";

/** Agent facts of an online instance. */
export interface AgentInfo {
  instanceId: string;
  pingStatus: string;
  agentVersion?: string;
  platformName?: string;
  platformVersion?: string;
  /** Simulated seconds waited before it was online (0: online at the first look). */
  waitedSeconds: number;
  /** What the first look saw when it was not online (`ConnectionLost`, `not registered`). */
  firstSeen?: string;
}

/** Options of {@link waitForAgentOnline}. */
export interface AgentWait {
  /** Bound of the wait, simulated seconds. */
  timeoutSeconds: number;
  /** First delay between polls (doubles up to `maxDelaySeconds`). */
  firstDelaySeconds?: number;
  maxDelaySeconds?: number;
  /** What the wait is for, in messages (e.g. `after the driver reload`). */
  purpose?: string;
  /** The instance profile the instance was launched with, named in the timeout message. */
  instanceProfile?: string;
}

/**
 * How a wait looks at an agent: undefined when it is not registered. The
 * run's waits use the region's shared poller (agent-poller.ts `look`), which
 * asks about many instances per call; {@link describeAgent} asks about one.
 */
export type AgentLookup = (
  sender: SsmSender,
  instanceId: string,
  signal?: AbortSignal,
) => Promise<InstanceInformation | undefined>;

/** One DescribeInstanceInformation for `instanceId`; undefined when the agent never registered. */
export async function describeAgent(
  sender: SsmSender,
  instanceId: string,
  signal?: AbortSignal,
): Promise<InstanceInformation | undefined> {
  try {
    const out = await sendSsm(
      sender,
      "DescribeInstanceInformation",
      (client, abortSignal) =>
        client.send(
          new DescribeInstanceInformationCommand({
            Filters: [{ Key: "InstanceIds", Values: [instanceId] }],
          }),
          { abortSignal },
        ),
      signal,
    );
    return (out.InstanceInformationList ?? []).find((i) => i.InstanceId === instanceId);
  } catch (error) {
    if (signal?.aborted) throw signal.reason ?? error;
    throw toStepError(
      error,
      `ask SSM whether the agent of ${instanceId} is online`,
      "ssm:DescribeInstanceInformation",
    );
  }
}

/**
 * Polls until the agent of `instanceId` reports `PingStatus` `Online`, each
 * look through `lookup` (default: one call of its own).
 * @returns the agent's facts.
 * @throws StepError when the bound runs out, naming what was last seen and the
 *   usual causes: `config` when the agent never registered (instance profile,
 *   route or AMI; a retry would wait as long again), `connection` when it
 *   registered but is not online; `auth` when DescribeInstanceInformation is not
 *   allowed; the signal's reason on abort.
 */
export async function waitForAgentOnline(
  sender: SsmSender,
  timing: InvocationTiming,
  instanceId: string,
  wait: AgentWait,
  signal?: AbortSignal,
  lookup: AgentLookup = describeAgent,
): Promise<AgentInfo> {
  let waited = 0;
  const delays = new CappedBackoff(wait.firstDelaySeconds ?? 2, wait.maxDelaySeconds ?? 15);
  let last: InstanceInformation | undefined;
  let firstSeen: string | undefined;
  while (true) {
    last = await lookup(sender, instanceId, signal);
    if (last?.PingStatus === "Online") {
      return {
        instanceId,
        pingStatus: "Online",
        waitedSeconds: waited,
        ...(firstSeen ? { firstSeen } : {}),
        ...(last.AgentVersion ? { agentVersion: last.AgentVersion } : {}),
        ...(last.PlatformName ? { platformName: last.PlatformName } : {}),
        ...(last.PlatformVersion ? { platformVersion: last.PlatformVersion } : {}),
      };
    }
    firstSeen ??= last?.PingStatus ?? "not registered";
    if (waited >= wait.timeoutSeconds) break;
    const step = Math.min(delays.next(), wait.timeoutSeconds - waited);
    await timing.sleep(step, signal);
    waited += step;
  }
  // An agent that never registered points at the setup (instance profile, route,
  // AMI): waiting as long again would not help, so no `connection` retry.
  // One that registered and went away is a connection problem.
  throw new StepError(last ? "connection" : "config", agentTimeoutMessage(instanceId, last, wait));
}

/** The message of a registration wait that ran out: what was seen, and what to check. */
export function agentTimeoutMessage(
  instanceId: string,
  last: InstanceInformation | undefined,
  wait: AgentWait,
): string {
  const purpose = wait.purpose ? ` ${wait.purpose}` : "";
  if (last) {
    return `the SSM agent of ${instanceId} is ${last.PingStatus ?? "not online"}${purpose} ` +
      `after ${wait.timeoutSeconds}s (last ping ${
        last.LastPingDateTime?.toISOString() ?? "unknown"
      }); check that the instance runs and still reaches the SSM endpoints`;
  }
  const profile = wait.instanceProfile
    ? `the instance profile ${wait.instanceProfile} grants AmazonSSMManagedInstanceCore`
    : "the instance has an instance profile granting AmazonSSMManagedInstanceCore (launch's " +
      "iam_instance_profile) or the account enables Default Host Management Configuration";
  return `the SSM agent of ${instanceId} did not register${purpose} within ` +
    `${wait.timeoutSeconds}s (DescribeInstanceInformation does not list it): check that ` +
    `${profile}, that the subnet reaches the ssm, ssmmessages and ec2messages endpoints ` +
    "(internet or NAT route, or VPC endpoints), and that the AMI runs the SSM agent " +
    "(Amazon Linux, Ubuntu and the other AWS-provided AMIs do)";
}
