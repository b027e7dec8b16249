/**
 * Lists instance types over the requested regions for the `discover` step
 * (imported lazily by `steps/discover.ts`: it loads the EC2 client).
 * @module
 */
import { StepError } from "../../runner/errors.ts";
import type { StepContext } from "../../runner/types.ts";
import { configuredRegion, ec2Client } from "../aws/shared/clients.ts";
import { discoverInstanceTypes } from "./describe.ts";
import { type DiscoverJson, discoverJson } from "./format.ts";
import { parseRegions } from "./regions.ts";
import type { DiscoverFilters } from "./types.ts";
import type { DiscoverInput } from "../../steps/discover.ts";

/** Region that answers `DescribeRegions` when no region is configured. */
export const DEFAULT_BOOTSTRAP_REGION = "us-east-1";

/** Error codes meaning the credentials or permissions were refused. */
const AUTH_CODES =
  /^(AuthFailure|UnauthorizedOperation|OptInRequired|AccessDenied|ExpiredToken|RequestExpired|InvalidClientTokenId|CredentialsProviderError)\b/;

/**
 * Runs discover with the run's shared EC2 clients (`ec2Client(ctx, region)`).
 * Regions: the input, else `--region` / `AWS_REGION` / `AWS_DEFAULT_REGION`.
 * A failed region is logged as a warning and listed in `regions[].error`.
 * @throws {StepError} `config` when no region is known or the regions input is
 *   invalid, or when nothing matched and `allow_empty` is false; `auth` (or
 *   `internal`) when every region failed.
 */
export async function listInstanceTypes(
  ctx: StepContext,
  input: DiscoverInput,
  signal: AbortSignal,
): Promise<DiscoverJson> {
  let regions: string[] | "all" | undefined;
  try {
    regions = parseRegions(input.regions);
  } catch (error) {
    throw new StepError("config", `regions: ${(error as Error).message}`);
  }
  const configured = configuredRegion(ctx);
  regions ??= configured ? [configured] : undefined;
  if (!regions) {
    throw new StepError(
      "config",
      "no region: give the step's `regions` input, --region, or set AWS_REGION",
    );
  }
  const filters: DiscoverFilters = {
    family: input.family,
    name: input.name,
    architecture: input.architecture,
    supportedOnly: input.supported_only,
  };
  const result = await discoverInstanceTypes({
    regions,
    bootstrapRegion: configured ?? DEFAULT_BOOTSTRAP_REGION,
    clientFor: (region) => ec2Client(ctx, region),
    filters,
    signal,
  }).catch((error) => {
    if (signal.aborted) throw signal.reason ?? error;
    const text = `${(error as Error).name}: ${(error as Error).message}`;
    throw new StepError(AUTH_CODES.test(text) ? "auth" : "internal", `list regions: ${text}`, {
      cause: error,
    });
  });
  const failed = result.regions.filter((r) => r.error);
  for (const r of failed) ctx.log.warn(`region ${r.region} not listed: ${r.error}`);
  if (failed.length === result.regions.length && failed.length > 0) {
    const kind = failed.every((r) => AUTH_CODES.test(r.error ?? "")) ? "auth" : "internal";
    throw new StepError(
      kind,
      `no region could be listed: ${failed.map((r) => `${r.region}: ${r.error}`).join("; ")}`,
    );
  }
  const described = [
    filters.family && `family ${filters.family}`,
    filters.name && `name ${filters.name}`,
    filters.architecture,
    filters.supportedOnly && "PhcSupport supported",
  ].filter(Boolean).join(", ") || "no filter";
  if (result.types.length === 0 && !input.allow_empty) {
    throw new StepError("config", `no instance type matched (${described})`);
  }
  ctx.log.info(
    `${result.types.length} instance type(s) matched (${described}) in ${
      result.regions.filter((r) => !r.error).map((r) => r.region).join(", ")
    }`,
  );
  return discoverJson(result, input.count);
}
