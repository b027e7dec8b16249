/**
 * Opening the SSM "session" of the current target (the `connect` step with
 * `transport: ssm`): waits for the instance's agent to report `Online`
 * (DescribeInstanceInformation through the region's shared poller, bounded), then stores an {@link SsmRemoteShell}
 * under the same service key as an SSH session, where host steps find it with
 * `shellFor(ctx)`. No key, address or port is needed: only the instance id
 * and its region.
 * @module
 */
import { StepError } from "../../runner/errors.ts";
import type { TargetStepContext } from "../../runner/types.ts";
import { configuredRegion, ssmClient } from "../aws/shared/clients.ts";
import { shellServiceKey } from "../ssh/shell-registry.ts";
import { type AgentInfo, waitForAgentOnline } from "./agent.ts";
import { regionAgentPoller } from "./agent-poller.ts";
import type {} from "../aws/shared/facts.ts";
import type { PollPolicy } from "./invocation.ts";
import { regionLimiter } from "./rate-limiter.ts";
import { SsmRemoteShell } from "./remote-shell.ts";

/** Options of {@link openSsmShell} (the `connect` step's inputs, resolved). */
export interface OpenSsmShellOptions {
  /** Bound of each wait for the agent (first registration, and after a reload), seconds. */
  waitTimeoutSeconds: number;
  /** Bound of SSM requests per second in the target's region (all targets together). */
  requestsPerSecond: number;
  /** GetCommandInvocation polling (default: invocation.ts DEFAULT_POLL). */
  poll?: PollPolicy;
}

/** What {@link openSsmShell} gives back. */
export interface OpenedSsmShell {
  shell: SsmRemoteShell;
  agent: AgentInfo;
  region: string;
}

/**
 * Waits for the target's agent and stores its SSM shell (reusing one already stored).
 * @throws StepError `config` when the target has no instance id or region;
 *   `connection` when the agent is not online within the wait (the message
 *   names the usual causes); `auth` when the SSM calls are not allowed; the
 *   signal's reason on abort.
 */
export async function openSsmShell(
  ctx: TargetStepContext,
  options: OpenSsmShellOptions,
  signal: AbortSignal,
): Promise<OpenedSsmShell> {
  const target = ctx.target;
  const instanceId = target.instanceId;
  if (!instanceId) {
    throw new StepError(
      "config",
      `target ${target.label} has no instance id: transport ssm reaches EC2 instances only ` +
        "(use transport ssh for hosts given by address)",
    );
  }
  const region = target.region ?? configuredRegion(ctx);
  if (!region) {
    throw new StepError(
      "config",
      `target ${target.label} has no region: set --region or AWS_REGION for transport ssm`,
    );
  }
  const sender = {
    client: await ssmClient(ctx, region),
    limiter: await regionLimiter(ctx, region, options.requestsPerSecond),
    log: ctx.log,
  };
  const poller = await regionAgentPoller(ctx, region);
  const agent = await waitForAgentOnline(
    sender,
    { sleep: (seconds, s) => ctx.sleep(seconds, s) },
    instanceId,
    {
      timeoutSeconds: options.waitTimeoutSeconds,
      instanceProfile: target.facts.instanceProfile,
    },
    signal,
    (s, id, sig) => poller.look(s, id, sig),
  );
  ctx.log.info(
    `SSM agent of ${instanceId} is online` +
      (agent.agentVersion ? ` (agent ${agent.agentVersion})` : ""),
  );
  const shell = await ctx.services.get(shellServiceKey(target.id), () =>
    new SsmRemoteShell(ctx, {
      targetId: target.id,
      instanceId,
      limiter: sender.limiter,
      agentPoller: poller,
      clientFor: (stepCtx) => ssmClient(stepCtx, region),
      agentWaitSeconds: options.waitTimeoutSeconds,
      ...(options.poll ? { poll: options.poll } : {}),
    }));
  if (!(shell instanceof SsmRemoteShell)) {
    throw new StepError(
      "config",
      `${target.label} already has an SSH session: one transport per target`,
    );
  }
  return { shell, agent, region };
}
