/**
 * Chooses the region a launch works in: the step's `region` input, then
 * `--region`, `AWS_REGION`, `AWS_DEFAULT_REGION`; with none, the region whose
 * account has the requested subnet (EC2 `DescribeRegions` lists the enabled
 * regions, `DescribeSubnets` is asked in each concurrently).
 * @module
 */
import { DescribeRegionsCommand, DescribeSubnetsCommand } from "@aws-sdk/client-ec2";
import { StepError } from "../../../runner/errors.ts";
import { isAbort, isNotFoundOrInvalid, toStepError } from "./aws-errors.ts";
import { configuredRegion, ec2Client } from "./clients.ts";
import type { AwsContext } from "./aws-context.ts";

/** Region used to ask global questions (`DescribeRegions`, STS) before a region is known. */
export const BOOTSTRAP_REGION = "us-east-1";

/** Enabled regions of the account (EC2 `DescribeRegions` without `AllRegions`). */
export async function enabledRegions(ctx: AwsContext, signal: AbortSignal): Promise<string[]> {
  const ec2 = await ec2Client(ctx, configuredRegion(ctx) ?? BOOTSTRAP_REGION);
  try {
    const out = await ec2.send(new DescribeRegionsCommand({}), { abortSignal: signal });
    return (out.Regions ?? []).map((r) => r.RegionName ?? "").filter((n) => n !== "");
  } catch (error) {
    if (isAbort(error, signal)) throw signal.reason ?? error;
    throw toStepError(error, "list the account's enabled regions", "ec2:DescribeRegions");
  }
}

/**
 * Resolves the region to launch in.
 * @param inputRegion the step's `region` input, if any.
 * @param subnetId the subnet to look for when no region is configured.
 * @returns the region and how it was chosen (`input`, `configured`, `subnet`).
 * @throws StepError `config` when no enabled region has the subnet.
 */
export async function resolveLaunchRegion(
  ctx: AwsContext,
  inputRegion: string | undefined,
  subnetId: string,
  signal: AbortSignal,
): Promise<{ region: string; chosenBy: "input" | "configured" | "subnet" }> {
  if (inputRegion) return { region: inputRegion, chosenBy: "input" };
  const configured = configuredRegion(ctx);
  if (configured) return { region: configured, chosenBy: "configured" };
  const regions = await enabledRegions(ctx, signal);
  const found = await Promise.all(regions.map(async (region) => {
    const ec2 = await ec2Client(ctx, region);
    try {
      const out = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }), {
        abortSignal: signal,
      });
      return (out.Subnets ?? []).length > 0 ? region : undefined;
    } catch (error) {
      if (isAbort(error, signal)) throw signal.reason ?? error;
      if (isNotFoundOrInvalid(error)) return undefined;
      ctx.log.debug(`subnet lookup in ${region} failed: ${(error as Error).message}`);
      return undefined;
    }
  }));
  const region = found.find((r) => r !== undefined);
  if (!region) {
    throw new StepError(
      "config",
      `subnet ${subnetId} was not found in any enabled region (${regions.join(", ")}); ` +
        "check subnet_id, or set the region with `region:`, --region or AWS_REGION",
    );
  }
  ctx.log.info(`no region configured: using ${region}, where subnet ${subnetId} lives`);
  return { region, chosenBy: "subnet" };
}
