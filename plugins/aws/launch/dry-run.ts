/**
 * `--dry-run` of the launch: after the preflight, asks EC2 whether each
 * RunInstances (and CreatePlacementGroup) would be permitted with `DryRun: true`
 * (`DryRunOperation` = permitted, `UnauthorizedOperation` = a permission is
 * missing) and prints the plan. Creates nothing and adds no targets.
 * Source: EC2 API Reference "DryRun" parameter and "Error codes".
 * @module
 */
import { CreatePlacementGroupCommand, type EC2Client } from "@aws-sdk/client-ec2";
import { StepError } from "../../../runner/errors.ts";
import type { StepContext } from "../../../runner/types.ts";
import { awsErrorCode, awsErrorMessage, isAbort } from "../shared/aws-errors.ts";
import type { CallerIdentity } from "../shared/credentials.ts";
import type { LaunchPlan } from "./preflight.ts";
import { runInstancesInput, sendRunInstances } from "./start-instances.ts";

/** Verdict of one DryRun request. */
export interface DryRunCheck {
  /** `RunInstances c7i.large x2` or `CreatePlacementGroup`. */
  what: string;
  /** `permitted`, `denied` (missing permission) or `error` (other refusal). */
  result: "permitted" | "denied" | "error";
  /** AWS code and message when not permitted. */
  detail?: string;
}

/**
 * Sends one DryRun request and classifies EC2's answer.
 * @throws the signal's reason on abort.
 */
export async function dryRun(what: string, send: () => Promise<unknown>, signal: AbortSignal) {
  try {
    await send();
    // A DryRun call that succeeds should not happen; EC2 answers DryRunOperation.
    return { what, result: "permitted" } as DryRunCheck;
  } catch (error) {
    if (isAbort(error, signal)) throw signal.reason ?? error;
    const code = awsErrorCode(error);
    if (code === "DryRunOperation") return { what, result: "permitted" } as DryRunCheck;
    const detail = `${code}: ${awsErrorMessage(error)}`;
    return {
      what,
      result: code === "UnauthorizedOperation" || code === "AccessDenied" ? "denied" : "error",
      detail,
    } as DryRunCheck;
  }
}

/** Where a DryRun RunInstances goes: the run's client, plan and identity. */
export interface DryRunLaunchScope {
  ctx: StepContext;
  ec2: EC2Client;
  plan: LaunchPlan;
  identity: CallerIdentity;
  /** Prefix of the run's resource names (`ptp-runner`). */
  namePrefix: string;
  signal: AbortSignal;
}

/**
 * Asks EC2 (`DryRun: true`) whether RunInstances of `type` as the plan would
 * send it is permitted: the planned placement group is named (a group to be
 * created does not exist yet, which EC2 does not check on DryRun).
 * @param what label of the check (`RunInstances c7i.large x2`)
 * @throws the signal's reason on abort.
 */
export function dryRunLaunch(
  scope: DryRunLaunchScope,
  type: LaunchPlan["launch"][number],
  what: string,
): Promise<DryRunCheck> {
  const { ctx, ec2, plan, identity, namePrefix, signal } = scope;
  return dryRun(
    what,
    () =>
      sendRunInstances(
        ctx,
        ec2,
        runInstancesInput({
          plan,
          type,
          placementGroupName: plan.placementGroup?.groupName,
          runId: ctx.runId,
          ownerArn: identity.arn,
          namePrefix,
          dryRun: true,
        }),
        signal,
      ),
    signal,
  );
}

/**
 * Sends the DryRun requests (concurrently) for every planned type and, when a
 * temporary group is planned, CreatePlacementGroup.
 */
export async function dryRunChecks(
  ctx: StepContext,
  ec2: EC2Client,
  plan: LaunchPlan,
  identity: CallerIdentity,
  namePrefix: string,
  signal: AbortSignal,
): Promise<DryRunCheck[]> {
  const scope = { ctx, ec2, plan, identity, namePrefix, signal };
  const checks: Promise<DryRunCheck>[] = plan.launch.map((type) =>
    dryRunLaunch(scope, type, `RunInstances ${type.instanceType} x${type.count}`)
  );
  if (plan.createPlacementGroup) {
    checks.push(dryRun(
      "CreatePlacementGroup precision-time",
      () =>
        ec2.send(
          new CreatePlacementGroupCommand({
            GroupName: `${namePrefix}-${ctx.runId}`,
            Strategy: "precision-time",
            DryRun: true,
          }),
          { abortSignal: signal },
        ),
      signal,
    ));
  }
  return await Promise.all(checks);
}

/** The plan as printable lines. */
export function formatPlan(
  plan: LaunchPlan,
  identity: CallerIdentity,
  checks: DryRunCheck[],
  namePrefix: string,
  runId: string,
): string[] {
  const lines = [
    `Dry run: nothing was created. Plan in ${plan.region} as ${identity.arn}:`,
    `  subnet ${plan.subnet.subnetId} (${plan.subnet.availabilityZone})`,
    `  security groups: ${plan.securityGroupIds.join(", ") || "(VPC default)"}`,
    `  key pair: ${
      plan.keyPair
        ? `${plan.keyPair.keyName}${
          plan.keyPair.verified ? " (private key fingerprint verified)" : ""
        }`
        : "none"
    }`,
    `  transport: ${plan.transport}${
      plan.instanceProfile ? `, instance profile ${plan.instanceProfile}` : ""
    }`,
    `  placement group: ${
      plan.createPlacementGroup
        ? `new precision-time group ${namePrefix}-${runId} (created at launch, deleted by cleanup)`
        : plan.placementGroup
        ? `${plan.placementGroup.groupName} (${plan.placementGroup.strategy})`
        : "none"
    }`,
  ];
  for (const t of plan.launch) {
    const check = checks.find((c) => c.what.startsWith(`RunInstances ${t.instanceType} `));
    lines.push(
      `  launch ${t.instanceType} x${t.count}: ${t.architecture}, ${t.imageId} ` +
        `(${t.imageSource}; login ${t.loginUser.user}), PhcSupport ${t.phcSupport}; RunInstances ${
          check ? check.result + (check.detail ? ` (${check.detail})` : "") : "not checked"
        }`,
    );
  }
  for (const s of plan.skipped) lines.push(`  skip ${s.instanceType} x${s.count}: ${s.reason}`);
  for (const c of checks.filter((c) => !c.what.startsWith("RunInstances"))) {
    lines.push(`  ${c.what}: ${c.result}${c.detail ? ` (${c.detail})` : ""}`);
  }
  for (const w of plan.warnings) lines.push(`  warning: ${w}`);
  return lines;
}

/**
 * Runs the dry run: checks, prints the plan through `ctx.withConsole`.
 * @throws StepError `auth` naming each refused request when a permission is
 *   missing, `config` when EC2 refused a request for another reason.
 */
export async function runDryRun(
  ctx: StepContext,
  ec2: EC2Client,
  plan: LaunchPlan,
  identity: CallerIdentity,
  namePrefix: string,
  signal: AbortSignal,
): Promise<DryRunCheck[]> {
  const checks = await dryRunChecks(ctx, ec2, plan, identity, namePrefix, signal);
  const lines = formatPlan(plan, identity, checks, namePrefix, ctx.runId);
  await ctx.withConsole(() => {
    console.log(lines.join("\n"));
    return Promise.resolve();
  });
  ctx.log.info(`dry run: ${plan.launch.length} type(s) would launch, nothing created`);
  const denied = checks.filter((c) => c.result === "denied");
  if (denied.length > 0) {
    throw new StepError(
      "auth",
      `dry run: missing permission for ${
        denied.map((c) => `${c.what} (${c.detail})`).join("; ")
      }; see docs/iam-policy.json`,
    );
  }
  const refused = checks.filter((c) => c.result === "error");
  if (refused.length > 0) {
    throw new StepError(
      "config",
      `dry run: EC2 would refuse ${refused.map((c) => `${c.what} (${c.detail})`).join("; ")}`,
    );
  }
  return checks;
}
