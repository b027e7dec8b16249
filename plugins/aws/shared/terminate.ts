/**
 * Terminates instances in ONE batched `TerminateInstances` request (EC2 API
 * Reference "TerminateInstances"; up to 1000 ids per request). Ids EC2 no
 * longer knows (`InvalidInstanceID.NotFound`, which fails the whole batch) are
 * set aside and the batch is sent again without them.
 * @module
 */
import {
  DescribeInstancesCommand,
  type EC2Client,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import type { StepContext } from "../../../runner/types.ts";
import { awsErrorCode, awsErrorMessage, isAbort, isThrottling, toStepError } from "./aws-errors.ts";
import { idsInMessage } from "./wait-instances.ts";

/** Outcome of a terminate request. */
export interface TerminateResult {
  /** Ids EC2 accepted (now shutting-down or terminated). */
  accepted: string[];
  /**
   * Ids EC2 does not know (`InvalidInstanceID.NotFound`): gone long ago, or in
   * another account, region or endpoint than the one asked.
   */
  gone: string[];
  /** Ids that could not be terminated, with the error message. */
  failed: { instanceId: string; error: string }[];
}

/** Largest batch EC2 accepts. */
const MAX_BATCH = 1000;

/**
 * Sends TerminateInstances for `instanceIds` (one request per 1000 ids), retrying
 * throttling up to `throttleRetries` times with a doubling delay from 1 s.
 * @throws the signal's reason when it aborts. Other errors land in `failed`.
 */
export async function terminateInstances(
  ctx: Pick<StepContext, "sleep">,
  ec2: EC2Client,
  instanceIds: readonly string[],
  signal: AbortSignal,
  throttleRetries = 4,
): Promise<TerminateResult> {
  const result: TerminateResult = { accepted: [], gone: [], failed: [] };
  for (let start = 0; start < instanceIds.length; start += MAX_BATCH) {
    let batch = instanceIds.slice(start, start + MAX_BATCH);
    let throttled = 0;
    while (batch.length > 0) {
      try {
        // EC2 answers every accepted id in TerminatingInstances; the wait that
        // follows confirms each one.
        await ec2.send(new TerminateInstancesCommand({ InstanceIds: batch }), {
          abortSignal: signal,
        });
        result.accepted.push(...batch);
        batch = [];
      } catch (error) {
        if (isAbort(error, signal)) throw signal.reason ?? error;
        const code = awsErrorCode(error);
        if (code === "InvalidInstanceID.NotFound" || code === "InvalidInstanceID.Malformed") {
          const named = idsInMessage(awsErrorMessage(error)).filter((id) => batch.includes(id));
          if (named.length > 0) {
            result.gone.push(...named);
            batch = batch.filter((id) => !named.includes(id));
            continue;
          }
        }
        if (isThrottling(error) && throttled < throttleRetries) {
          await ctx.sleep(2 ** throttled, signal);
          throttled++;
          continue;
        }
        const message = toStepError(error, "terminate instances", "ec2:TerminateInstances")
          .message;
        result.failed.push(...batch.map((instanceId) => ({ instanceId, error: message })));
        batch = [];
      }
    }
  }
  return result;
}

/**
 * Asks DescribeInstances about `instanceIds` (one request; ids EC2 answers
 * `InvalidInstanceID.NotFound` for are dropped and the rest asked again).
 * Used to confirm that ids TerminateInstances did not know are `terminated`.
 * @returns EC2 state name by id; ids EC2 does not know are absent.
 * @throws the signal's reason when it aborts; StepError for other AWS errors.
 */
export async function describeInstanceStates(
  ec2: EC2Client,
  instanceIds: readonly string[],
  signal: AbortSignal,
): Promise<Map<string, string>> {
  const states = new Map<string, string>();
  let ask = [...instanceIds];
  while (ask.length > 0) {
    try {
      const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ask }), {
        abortSignal: signal,
      });
      for (const reservation of out.Reservations ?? []) {
        for (const instance of reservation.Instances ?? []) {
          if (instance.InstanceId && ask.includes(instance.InstanceId)) {
            states.set(instance.InstanceId, instance.State?.Name ?? "unknown");
          }
        }
      }
      ask = [];
    } catch (error) {
      if (isAbort(error, signal)) throw signal.reason ?? error;
      if (awsErrorCode(error) === "InvalidInstanceID.NotFound") {
        const unknown = idsInMessage(awsErrorMessage(error)).filter((id) => ask.includes(id));
        if (unknown.length > 0) {
          ask = ask.filter((id) => !unknown.includes(id));
          continue;
        }
        return states;
      }
      throw toStepError(error, "describe the instances", "ec2:DescribeInstances");
    }
  }
  return states;
}
