/**
 * What the launch does when it is aborted (Ctrl-C, SIGTERM/SIGHUP, step
 * timeout) after launching: terminate everything launched so far, including
 * instances that RunInstances requests still in flight created.
 *
 * EC2 is eventually consistent: instances of a request the tool aborted can
 * show up in DescribeInstances only seconds later. The recovery therefore
 * looks them up by the requests' idempotency tokens (`client-token` filter)
 * and by the run's tag, and keeps polling for up to
 * {@link RECOVERY_WINDOW_SECONDS} until every in-flight request's instances
 * were seen. EC2 documents no upper bound for the delay ("Eventual
 * consistency in the Amazon EC2 API": results "might not be immediately
 * visible"); the window is this tool's documented bound. When it passes with a
 * request still unaccounted for, the `sweep` command that finds the rest is
 * printed. Source: EC2 API Reference "DescribeInstances" (`client-token`,
 * `tag:<key>` filters), "TerminateInstances", "Ensure idempotency".
 * @module
 */
import { DescribeInstancesCommand, type EC2Client, type Filter } from "@aws-sdk/client-ec2";
import type { StepContext } from "../../../runner/types.ts";
import { terminateInstancesCommand } from "../shared/release-commands.ts";
import { INSTANCE_RESOURCE } from "../shared/resource-kinds.ts";
import { TAG_RUN_ID } from "./start-instances.ts";
import { terminateInstances } from "../shared/terminate.ts";
import { journalRunAccount } from "../shared/recorded-account.ts";

import {
  LAUNCH_ABORT_GRACE_SECONDS,
  RECOVERY_POLL_SECONDS,
  RECOVERY_WINDOW_SECONDS,
} from "./abort-timing.ts";

export { LAUNCH_ABORT_GRACE_SECONDS, RECOVERY_POLL_SECONDS, RECOVERY_WINDOW_SECONDS };

/** `ptp-runner sweep` for one region: what finds instances a recovery could not account for. */
export function sweepCommandLine(region: string): string {
  return `ptp-runner sweep --region ${region}`;
}

/** An instance found by a recovery lookup. */
interface Found {
  instanceId: string;
  instanceType?: string;
  clientToken?: string;
}

async function lookUp(
  ec2: EC2Client,
  filter: Filter,
  signal: AbortSignal,
): Promise<Found[]> {
  const out = await ec2.send(
    new DescribeInstancesCommand({
      Filters: [filter, { Name: "instance-state-name", Values: ["pending", "running"] }],
    }),
    { abortSignal: signal },
  );
  const found: Found[] = [];
  for (const r of out.Reservations ?? []) {
    for (const i of r.Instances ?? []) {
      if (!i.InstanceId) continue;
      found.push({
        instanceId: i.InstanceId,
        instanceType: i.InstanceType,
        clientToken: i.ClientToken || undefined,
      });
    }
  }
  return found;
}

/**
 * After an abort: terminate every instance launched so far, plus every
 * pending/running instance carrying one of `inFlightTokens` or this run's tag.
 * With requests in flight, polls every {@link RECOVERY_POLL_SECONDS} until each
 * token's instances were seen or {@link RECOVERY_WINDOW_SECONDS} passed;
 * without, looks once. Found instances are journaled (`created`) before the
 * termination; journal states stay `created` until cleanup confirms it.
 * Uses its own signal (bounded to {@link LAUNCH_ABORT_GRACE_SECONDS}).
 * @param known instance ids RunInstances returned.
 * @param inFlightTokens ClientTokens of RunInstances requests that had not answered.
 * @returns true when every in-flight request was accounted for (or none was in flight).
 */
export async function terminateAfterAbort(
  ctx: StepContext,
  ec2: EC2Client,
  region: string,
  known: string[],
  inFlightTokens: readonly string[] = [],
): Promise<boolean> {
  const signal = AbortSignal.timeout(LAUNCH_ABORT_GRACE_SECONDS * 1000);
  const ids = new Set(known);
  const account = journalRunAccount(ctx.journal);
  const seenTokens = new Set<string>();
  const record = async (found: Found) => {
    if (found.clientToken) seenTokens.add(found.clientToken);
    if (ids.has(found.instanceId)) return;
    ids.add(found.instanceId);
    await ctx.journal.recordResource({
      kind: INSTANCE_RESOURCE,
      id: found.instanceId,
      region,
      state: "created",
      releaseCommand: terminateInstancesCommand(region, [found.instanceId]),
      detail: {
        instanceType: found.instanceType,
        ...(account ? { account: account.account, region } : {}),
      },
    });
  };
  const accounted = () => inFlightTokens.every((t) => seenTokens.has(t));
  if (inFlightTokens.length > 0) {
    ctx.log.warn(
      `interrupted while ${inFlightTokens.length} RunInstances request(s) were in flight: ` +
        `looking for their instances for up to ${RECOVERY_WINDOW_SECONDS}s ` +
        "(EC2 shows new instances with a delay)",
    );
  }
  let waited = 0;
  while (true) {
    try {
      const filters: Filter[] = [{ Name: `tag:${TAG_RUN_ID}`, Values: [ctx.runId] }];
      if (inFlightTokens.length > 0) {
        filters.push({ Name: "client-token", Values: [...inFlightTokens] });
      }
      for (const filter of filters) {
        for (const found of await lookUp(ec2, filter, signal)) await record(found);
      }
    } catch (error) {
      ctx.log.warn(
        `interrupted: could not look up instances by run tag or client token: ${
          (error as Error).message
        }`,
      );
      if (signal.aborted) break;
    }
    if (accounted() || waited >= RECOVERY_WINDOW_SECONDS) break;
    try {
      await ctx.sleep(RECOVERY_POLL_SECONDS, signal);
    } catch {
      break;
    }
    waited += RECOVERY_POLL_SECONDS;
  }
  const complete = accounted();
  if (!complete) {
    ctx.log.warn(
      `interrupted: instances of ${
        inFlightTokens.filter((t) => !seenTokens.has(t)).length
      } in-flight RunInstances request(s) did not show up within ${RECOVERY_WINDOW_SECONDS}s ` +
        `(the requests may not have reached EC2); to find any that appear later, run: ${
          sweepCommandLine(region)
        }`,
    );
  }
  if (ids.size === 0) return complete;
  ctx.log.warn(`interrupted: terminating ${ids.size} instance(s) launched so far`);
  try {
    const result = await terminateInstances(
      { sleep: (s) => ctx.sleep(s, signal) },
      ec2,
      [...ids],
      signal,
      1,
    );
    for (const f of result.failed) {
      ctx.log.error(
        `could not terminate ${f.instanceId}: ${f.error}; run: ${
          terminateInstancesCommand(region, [f.instanceId])
        }`,
      );
    }
  } catch (error) {
    ctx.log.error(
      `interrupted: terminating failed (${(error as Error).message}); run: ${
        terminateInstancesCommand(region, [...ids])
      }`,
    );
  }
  return complete;
}
