/**
 * What the launch does when it is aborted (Ctrl-C, step timeout) after
 * launching: terminate everything launched so far, including instances an
 * in-flight RunInstances created (found by the run-id tag), so nothing is left
 * running. Source: EC2 API Reference "DescribeInstances" (`tag:<key>` filter),
 * "TerminateInstances".
 * @module
 */
import { DescribeInstancesCommand, type EC2Client } from "@aws-sdk/client-ec2";
import type { StepContext } from "../../../runner/types.ts";
import { terminateInstancesCommand } from "../shared/release-commands.ts";
import { INSTANCE_RESOURCE } from "../shared/resource-kinds.ts";
import { TAG_RUN_ID } from "./start-instances.ts";
import { terminateInstances } from "../shared/terminate.ts";
import { journalRunAccount } from "../shared/recorded-account.ts";

/**
 * After an abort: terminate every instance launched so far, plus any instance
 * tagged with this run id that an in-flight RunInstances created (found with
 * one DescribeInstances by tag). Journal states stay `created` until cleanup
 * confirms the termination. Uses a fresh signal (bounded to 30 s).
 */
export async function terminateAfterAbort(
  ctx: StepContext,
  ec2: EC2Client,
  region: string,
  known: string[],
): Promise<void> {
  const signal = AbortSignal.timeout(30_000);
  const ids = new Set(known);
  const account = journalRunAccount(ctx.journal);
  try {
    const out = await ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: `tag:${TAG_RUN_ID}`, Values: [ctx.runId] },
          { Name: "instance-state-name", Values: ["pending", "running"] },
        ],
      }),
      { abortSignal: signal },
    );
    for (const r of out.Reservations ?? []) {
      for (const i of r.Instances ?? []) {
        if (!i.InstanceId || ids.has(i.InstanceId)) continue;
        ids.add(i.InstanceId);
        await ctx.journal.recordResource({
          kind: INSTANCE_RESOURCE,
          id: i.InstanceId,
          region,
          state: "created",
          releaseCommand: terminateInstancesCommand(region, [i.InstanceId]),
          detail: {
            instanceType: i.InstanceType,
            ...(account ? { account: account.account, region } : {}),
          },
        });
      }
    }
  } catch (error) {
    ctx.log.warn(
      `interrupted: could not look up instances by run tag: ${(error as Error).message}`,
    );
  }
  if (ids.size === 0) return;
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
}
