/**
 * Polls EC2 until instances reach a state, asking about ALL still-pending
 * instances in ONE `DescribeInstances` request per round (so the number of
 * requests does not grow with the number of instances). Delays go through
 * `ctx.sleep` (scaled by `settings.timeScale`, cancellable).
 * Source: EC2 API Reference "DescribeInstances", "InstanceState" (pending,
 * running, shutting-down, terminated, stopping, stopped).
 * @module
 */
import { DescribeInstancesCommand, type EC2Client, type Instance } from "@aws-sdk/client-ec2";
import type { StepContext } from "../../../runner/types.ts";
import { awsErrorCode, awsErrorMessage, isAbort, isThrottling, toStepError } from "./aws-errors.ts";

/** What one poll saw of an instance. */
export interface InstanceSnapshot {
  instanceId: string;
  /** EC2 state name, or `gone` when EC2 no longer knows the id. */
  state: string;
  instanceType?: string;
  privateIp?: string;
  publicIp?: string;
  /** `StateReason.Message`, e.g. `Server.InsufficientInstanceCapacity: ...`. */
  stateReason?: string;
}

/** Result of a wait. */
export interface WaitResult {
  /** Instances that reached the wanted state. */
  reached: InstanceSnapshot[];
  /** Instances that reached a state from which the wanted one cannot follow. */
  failed: InstanceSnapshot[];
  /** Instances still on their way when the timeout elapsed. */
  timedOut: InstanceSnapshot[];
  /** DescribeInstances requests made. */
  polls: number;
}

/** Options of {@link waitForInstances}. */
export interface WaitOptions {
  /** `running` (after launch) or `terminated` (after TerminateInstances). */
  want: "running" | "terminated";
  /** Upper bound of the simulated/real wait, seconds (sum of the poll delays). */
  timeoutSeconds: number;
  /** Delay between polls, seconds (before `timeScale`). Default 5. */
  intervalSeconds?: number;
  signal: AbortSignal;
  /** Called after each poll with the snapshots seen (e.g. to log progress). */
  onPoll?: (snapshots: InstanceSnapshot[]) => void;
}

/** Converts an SDK `Instance`. */
export function snapshotOf(instance: Instance): InstanceSnapshot {
  return {
    instanceId: instance.InstanceId ?? "",
    state: instance.State?.Name ?? "unknown",
    instanceType: instance.InstanceType,
    privateIp: instance.PrivateIpAddress,
    publicIp: instance.PublicIpAddress,
    stateReason: instance.StateReason?.Message,
  };
}

/** Instance ids named in an `InvalidInstanceID.NotFound` message. */
export function idsInMessage(message: string): string[] {
  return [...message.matchAll(/i-[0-9a-zA-Z]+/g)].map((m) => m[0]);
}

const FAILED_FOR_RUNNING = new Set(["shutting-down", "terminated", "stopping", "stopped", "gone"]);

/**
 * Waits until every instance in `instanceIds` is in `options.want`.
 * For `terminated`, an id EC2 no longer knows counts as terminated (`gone`).
 * For `running`, a not-yet-visible id (eventual consistency) is polled again.
 * @throws the signal's reason when it aborts; StepError for non-throttling AWS errors.
 */
export async function waitForInstances(
  ctx: Pick<StepContext, "sleep">,
  ec2: EC2Client,
  instanceIds: readonly string[],
  options: WaitOptions,
): Promise<WaitResult> {
  const interval = options.intervalSeconds ?? 5;
  const pending = new Map<string, InstanceSnapshot>(
    instanceIds.map((id) => [id, { instanceId: id, state: "unknown" }]),
  );
  const reached: InstanceSnapshot[] = [];
  const failed: InstanceSnapshot[] = [];
  let elapsed = 0;
  let polls = 0;
  while (pending.size > 0) {
    if (options.signal.aborted) throw options.signal.reason;
    polls++;
    try {
      const out = await ec2.send(
        new DescribeInstancesCommand({ InstanceIds: [...pending.keys()] }),
        { abortSignal: options.signal },
      );
      const seen: InstanceSnapshot[] = [];
      for (const reservation of out.Reservations ?? []) {
        for (const instance of reservation.Instances ?? []) {
          const snap = snapshotOf(instance);
          if (!pending.has(snap.instanceId)) continue;
          seen.push(snap);
          pending.set(snap.instanceId, snap);
          if (snap.state === options.want) {
            reached.push(snap);
            pending.delete(snap.instanceId);
          } else if (options.want === "running" && FAILED_FOR_RUNNING.has(snap.state)) {
            failed.push(snap);
            pending.delete(snap.instanceId);
          }
        }
      }
      options.onPoll?.(seen);
    } catch (error) {
      if (isAbort(error, options.signal)) throw options.signal.reason ?? error;
      const code = awsErrorCode(error);
      if (code === "InvalidInstanceID.NotFound" && options.want === "terminated") {
        const gone = idsInMessage(awsErrorMessage(error)).filter((id) => pending.has(id));
        for (const id of gone) {
          reached.push({ instanceId: id, state: "gone" });
          pending.delete(id);
        }
        if (gone.length > 0) continue; // ask again at once about the others
      } else if (code !== "InvalidInstanceID.NotFound" && !isThrottling(error)) {
        throw toStepError(error, "describe the instances", "ec2:DescribeInstances");
      }
    }
    if (pending.size === 0) break;
    if (elapsed >= options.timeoutSeconds) break;
    const delay = Math.min(interval, options.timeoutSeconds - elapsed);
    await ctx.sleep(delay, options.signal);
    elapsed += delay;
  }
  return { reached, failed, timedOut: [...pending.values()], polls };
}
