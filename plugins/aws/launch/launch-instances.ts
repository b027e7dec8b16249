/**
 * Launches the run's EC2 instances for the `launch` step (imported lazily by `steps/launch.ts`):
 * credentials, region, preflight, dry run, confirmation, then one RunInstances
 * per type (concurrently), every instance id journaled the moment it exists,
 * one shared wait for `running`, and one target per instance.
 * On abort, whatever was launched is terminated before the error propagates.
 * @module
 */
import type { EC2Client, Instance } from "@aws-sdk/client-ec2";
import type { StepContext, Target, TargetInit } from "../../../runner/types.ts";
import { terminateAfterAbort } from "./abort-launch.ts";
import { awsErrorCode, awsErrorKind, awsErrorMessage, isAbort } from "../shared/aws-errors.ts";
import { configuredRegion, ec2Client, ssmClient } from "../shared/clients.ts";
import { type CallerIdentity, verifyCredentials } from "../shared/credentials.ts";
import { runDryRun } from "./dry-run.ts";
import { checkInstanceProfile } from "./instance-profile.ts";
import { countsOverLimit, totalInstances } from "./instance-request.ts";
import { StepError } from "../../../runner/errors.ts";
import { confirmLaunch } from "./launch-confirm.ts";
import type { LaunchInput, LaunchOutput } from "../../../steps/launch.ts";
import { createPrecisionTimeGroup } from "../shared/placement-group.ts";
import {
  addOrUpdateTargets,
  addSkippedTargets,
  failTarget,
  targetId,
  targetLabel,
} from "./launch-targets.ts";
import { type LaunchPlan, type PlannedType, runPreflight } from "./preflight.ts";
import { INSTANCE_RESOURCE, PLACEMENT_GROUP_RESOURCE } from "../shared/resource-kinds.ts";
import { RUN_ACCOUNT_JOURNAL_KEY, type RunAccount } from "../shared/recorded-account.ts";
import { BOOTSTRAP_REGION, resolveLaunchRegion } from "../shared/region.ts";
import {
  deletePlacementGroupCommand,
  terminateInstancesCommand,
} from "../shared/release-commands.ts";
import {
  instanceName,
  nameInstances,
  runInstancesInput,
  runTags,
  sendRunInstances,
} from "./start-instances.ts";
import { waitForInstances } from "../shared/wait-instances.ts";
import type {} from "../shared/facts.ts";

/** Seconds between DescribeInstances polls while waiting for `running`. */
const POLL_SECONDS = 5;

/** A launched instance being tracked until `running`. */
interface Launched {
  instanceId: string;
  type: PlannedType;
  target: Target;
}

/**
 * Runs the launch step.
 * @returns the step output (see {@link LaunchOutput}).
 * @throws StepError `auth` (credentials/permissions), `config` (preflight,
 *   confirmation refused); the signal's reason on abort (after terminating
 *   what was launched).
 */
export async function launchInstances(
  ctx: StepContext,
  input: LaunchInput,
  signal: AbortSignal,
): Promise<LaunchOutput> {
  // Checked before any AWS call. `run` refuses it before the run (exit 2) when
  // the types are known then; here only when they come from a step's outputs.
  const overLimit = countsOverLimit(input.instance_types, ctx.settings.maxInstancesPerType);
  if (overLimit.length > 0) throw new StepError("usage", overLimit.join("; "));
  const stsRegion = input.region ?? configuredRegion(ctx) ?? BOOTSTRAP_REGION;
  const identity = await verifyCredentials(ctx, stsRegion, signal);
  const { region } = await resolveLaunchRegion(ctx, input.region, input.subnet_id, signal);
  // Before anything is created: `cleanup --run` compares it with its own caller.
  const account: RunAccount = { account: identity.account, region };
  await ctx.journal.put(RUN_ACCOUNT_JOURNAL_KEY, account);
  const ec2 = await ec2Client(ctx, region);
  const ssm = await ssmClient(ctx, region);
  const plan = await runPreflight(ctx, { ec2, ssm }, input, region, signal);
  const output: LaunchOutput = {
    instances: [],
    skipped: plan.skipped.map((s) => ({
      instance_type: s.instanceType,
      count: s.count,
      reason: s.reason,
    })),
    failed: [],
    plan: plan.launch.map((t) => ({
      instance_type: t.instanceType,
      count: t.count,
      architecture: t.architecture,
      image_id: t.imageId,
      login_user: t.loginUser.user,
      phc_support: t.phcSupport,
    })),
    region,
    placement_group: plan.placementGroup?.groupName ?? null,
    created_placement_group: false,
    iam_instance_profile: plan.instanceProfile ?? null,
    transport: plan.transport,
    dry_run: ctx.settings.dryRun,
  };

  if (ctx.settings.dryRun) {
    await runDryRun(ctx, ec2, plan, identity, input.name_prefix, signal);
    if (plan.createPlacementGroup) output.placement_group = `${input.name_prefix}-${ctx.runId}`;
    return output;
  }

  if (plan.instanceProfile && plan.launch.length > 0) {
    // Before anything is created: EC2 checks the profile and iam:PassRole on a DryRun.
    await checkInstanceProfile(ctx, ec2, plan, identity, input.name_prefix, signal);
  }
  const instances = totalInstances(plan.launch.map((t) => ({ instanceType: "", count: t.count })));
  await confirmLaunch(
    ctx,
    plan.launch.length,
    instances,
    `${instances} instance(s) of ${plan.launch.length} type(s) in ${region}`,
  );

  addSkippedTargets(ctx, plan);
  if (plan.launch.length === 0) {
    ctx.log.warn("nothing to launch: every requested type was skipped");
    return output;
  }

  const launched: Launched[] = [];
  /** ClientTokens of RunInstances requests sent and not yet answered. */
  const inFlight = new Set<string>();
  try {
    let groupName = plan.placementGroup?.groupName;
    if (plan.createPlacementGroup) {
      groupName = await createTemporaryGroup(
        ctx,
        ec2,
        account,
        identity,
        input.name_prefix,
        signal,
      );
      output.created_placement_group = true;
      output.placement_group = groupName;
    }
    const results = await Promise.all(
      plan.launch.map((type) =>
        launchType(ctx, ec2, plan, type, groupName, identity, input, launched, inFlight, signal)
      ),
    );
    for (const r of results) if (r) output.failed.push(r);
    await waitUntilRunning(ctx, ec2, launched, input.wait_timeout, plan.transport, signal);
  } catch (error) {
    if (signal.aborted || isAbort(error, signal)) {
      await terminateAfterAbort(
        ctx,
        ec2,
        region,
        launched.map((l) => l.instanceId),
        [...inFlight],
      );
      throw signal.reason ?? error;
    }
    throw error;
  }
  for (const l of launched) {
    output.instances.push({
      instance_id: l.instanceId,
      instance_type: l.type.instanceType,
      target_id: l.target.id,
      state: String(l.target.facts.launchState ?? "unknown"),
    });
  }
  return output;
}

async function createTemporaryGroup(
  ctx: StepContext,
  ec2: EC2Client,
  { account, region }: RunAccount,
  identity: CallerIdentity,
  prefix: string,
  signal: AbortSignal,
): Promise<string> {
  const name = `${prefix}-${ctx.runId}`;
  // Journaled before the request: a crash or abort while EC2 creates it must not
  // leave an unknown group (deleting a group that never came to be is harmless).
  const record = {
    kind: PLACEMENT_GROUP_RESOURCE,
    id: name,
    region,
    state: "created" as const,
    releaseCommand: deletePlacementGroupCommand(region, name),
    detail: { strategy: "precision-time", account, region },
  };
  await ctx.journal.recordResource(record);
  let group;
  try {
    group = await createPrecisionTimeGroup(ec2, name, runTags(ctx.runId, identity.arn), signal);
  } catch (error) {
    if (isAbort(error, signal)) throw error;
    if (definiteRefusal(error)) {
      await ctx.journal.updateResource(PLACEMENT_GROUP_RESOURCE, name, "released");
    } else {
      // No readable answer (network error, 5xx, unparsable body): the group may
      // exist. It stays `created`, marked unknown, so cleanup deletes it (a
      // group that never came to be counts as deleted there).
      await ctx.journal.recordResource({
        ...record,
        detail: { ...record.detail, creation: "unknown" },
      });
      ctx.log.warn(
        `the creation of placement group ${name} got no readable answer; cleanup will delete ` +
          "it if it exists",
      );
    }
    throw error;
  }
  if (group.groupId) {
    await ctx.journal.recordResource({
      ...record,
      detail: { ...record.detail, groupId: group.groupId },
    });
  }
  ctx.log.info(`created temporary precision-time placement group ${group.groupName}`);
  return group.groupName;
}

/**
 * True when EC2 answered with a readable refusal (an error code with an HTTP
 * 4xx status): the request was not carried out. Anything else (no status, 5xx,
 * a response the SDK could not parse) leaves the outcome unknown.
 */
export function definiteRefusal(error: unknown): boolean {
  const cause = (error as { cause?: unknown })?.cause ?? error;
  const status = (cause as { $metadata?: { httpStatusCode?: number } })?.$metadata
    ?.httpStatusCode;
  return typeof status === "number" && status >= 400 && status < 500 &&
    awsErrorCode(cause) !== "Error";
}

/**
 * Launches one type; records every instance in the journal before anything
 * else, then adds its targets. A RunInstances refusal (capacity, quota, ...)
 * fails only this type's targets.
 * @returns the failure for the output, or undefined on success.
 */
async function launchType(
  ctx: StepContext,
  ec2: EC2Client,
  plan: LaunchPlan,
  type: PlannedType,
  groupName: string | undefined,
  identity: CallerIdentity,
  input: LaunchInput,
  launched: Launched[],
  inFlight: Set<string>,
  signal: AbortSignal,
): Promise<LaunchOutput["failed"][number] | undefined> {
  let instances: Instance[];
  const request = runInstancesInput({
    plan,
    type,
    placementGroupName: groupName,
    runId: ctx.runId,
    ownerArn: identity.arn,
    namePrefix: input.name_prefix,
  });
  const token = request.ClientToken!;
  try {
    // Until it answers, an abort must look for this request's instances by its token.
    inFlight.add(token);
    instances = await sendRunInstances(ctx, ec2, request, signal);
    inFlight.delete(token);
  } catch (error) {
    if (isAbort(error, signal)) throw signal.reason ?? error;
    inFlight.delete(token);
    const message = `RunInstances ${type.instanceType} x${type.count} refused: ` +
      `${awsErrorCode(error)}: ${awsErrorMessage(error)}`;
    ctx.log.error(message);
    const kind = awsErrorKind(error);
    const inits: TargetInit[] = [];
    for (let n = 1; n <= type.count; n++) {
      inits.push({
        id: targetId(type.instanceType, n),
        label: targetLabel(type.instanceType, n, type.count),
        status: "failed",
        instanceType: type.instanceType,
        region: plan.region,
        expectedArchitecture: type.architecture,
        placementGroup: groupName,
        launchedByRun: false,
        verdict: "error",
        verdictReason: message,
        failure: { stepId: ctx.step.id, stepType: ctx.step.type, kind, message },
        facts: { phcSupport: type.phcSupport },
      });
    }
    addOrUpdateTargets(ctx, inits);
    return { instance_type: type.instanceType, count: type.count, error: message };
  }
  const ids = instances.map((i) => i.InstanceId ?? "").filter((id) => id !== "");
  // Journal first: the moment RunInstances returns, before any other await.
  for (const [i, instanceId] of ids.entries()) {
    await ctx.journal.recordResource({
      kind: INSTANCE_RESOURCE,
      id: instanceId,
      region: plan.region,
      state: "created",
      releaseCommand: terminateInstancesCommand(plan.region, [instanceId]),
      targetId: targetId(type.instanceType, i + 1),
      detail: { instanceType: type.instanceType, account: identity.account, region: plan.region },
    });
  }
  const targets = addOrUpdateTargets(
    ctx,
    ids.map((instanceId, i) => ({
      id: targetId(type.instanceType, i + 1),
      label: targetLabel(type.instanceType, i + 1, ids.length),
      status: "pending",
      instanceId,
      instanceType: type.instanceType,
      region: plan.region,
      expectedArchitecture: type.architecture,
      placementGroup: groupName,
      launchedByRun: true,
      facts: {
        launchState: "pending",
        phcSupport: type.phcSupport,
        loginUser: { ...type.loginUser },
        ...(plan.instanceProfile ? { instanceProfile: plan.instanceProfile } : {}),
      },
    })),
  );
  ids.forEach((instanceId, i) => launched.push({ instanceId, type, target: targets[i] }));
  ctx.log.info(`launched ${type.instanceType} x${ids.length}: ${ids.join(", ")}`);
  if (ids.length > 1) {
    const warnings = await nameInstances(
      ec2,
      ids.map((instanceId, i) => ({
        instanceId,
        name: instanceName(input.name_prefix, type.instanceType, i + 1),
      })),
      signal,
    );
    for (const w of warnings) ctx.log.warn(w);
  }
  return undefined;
}

/** Waits (one DescribeInstances per round for all) and fills each target's address. */
async function waitUntilRunning(
  ctx: StepContext,
  ec2: EC2Client,
  launched: Launched[],
  timeoutSeconds: number,
  transport: "ssh" | "ssm",
  signal: AbortSignal,
): Promise<void> {
  if (launched.length === 0) return;
  const byId = new Map(launched.map((l) => [l.instanceId, l]));
  const result = await waitForInstances(ctx, ec2, [...byId.keys()], {
    want: "running",
    timeoutSeconds,
    intervalSeconds: POLL_SECONDS,
    signal,
  });
  const privateOnly = result.reached.filter((s) => !s.publicIp && s.privateIp);
  // Over SSM the agent connects out: no address of the instance is used.
  if (privateOnly.length > 0 && transport === "ssh") {
    ctx.log.warn(
      `${privateOnly.length} instance(s) have no public IP address (${
        privateOnly.map((s) => `${s.instanceId} ${s.privateIp}`).join(", ")
      }): connecting to the private address, which works only from inside the VPC; ` +
        "from outside, use a subnet that assigns public IPs, or reach them through a jump " +
        "host (connect's jump_host)",
    );
  }
  for (const snap of result.reached) {
    const l = byId.get(snap.instanceId)!;
    l.target.address = snap.publicIp ?? snap.privateIp;
    l.target.facts.launchState = "running";
    if (!l.target.address && transport === "ssh") {
      failTarget(
        ctx,
        l.target,
        "connection",
        `${snap.instanceId} is running but has no IP address`,
      );
    }
  }
  for (const snap of result.failed) {
    const l = byId.get(snap.instanceId)!;
    l.target.facts.launchState = snap.state;
    failTarget(
      ctx,
      l.target,
      "capacity",
      `${snap.instanceId} went to ${snap.state} while starting${
        snap.stateReason ? `: ${snap.stateReason}` : ""
      }`,
    );
  }
  for (const snap of result.timedOut) {
    const l = byId.get(snap.instanceId)!;
    l.target.facts.launchState = snap.state;
    failTarget(
      ctx,
      l.target,
      "timeout",
      `${snap.instanceId} still ${snap.state} after wait_timeout ${timeoutSeconds}s`,
    );
  }
  ctx.log.info(
    `${result.reached.length} of ${launched.length} instance(s) running after ${result.polls} ` +
      "DescribeInstances poll(s)",
  );
}
