/**
 * Implementation of `ptp-runner discover` (imported lazily by `cli/discover.ts`):
 * builds its own EC2 clients (no run context), queries the regions and prints
 * a table, JSON, or the `type:count` line.
 * @module
 */
import { EC2Client } from "@aws-sdk/client-ec2";
import { ValidationError } from "../../runner/errors.ts";
import { colorEnabled } from "../../runner/colour.ts";
import { discoverInstanceTypes } from "./describe.ts";
import { discoverJson, discoverTable, regionErrors, typesLine } from "./format.ts";
import { parseRegions } from "./regions.ts";

/** Flags of `discover`, as commander hands them over. */
export interface DiscoverCommandOptions {
  /** Repeatable; each may be comma-separated or `all`. */
  region?: string[];
  family?: string;
  name?: string;
  arch?: string;
  supportedOnly?: boolean;
  output?: string;
  /** Raw `--count` text. */
  count?: string;
  profile?: string;
  endpoint?: string;
}

/** Where the command writes; injectable for tests. */
export interface DiscoverIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** True when stdout is a terminal: the default output is then `table`, else `json`. */
  isTTY: boolean;
  /** Colour in the table. */
  color: boolean;
}

const defaultIo = (): DiscoverIo => ({
  stdout: (t) => console.log(t),
  stderr: (t) => console.error(t),
  isTTY: Deno.stdout.isTerminal(),
  color: colorEnabled(),
});

function usage(flag: string, message: string): ValidationError {
  return new ValidationError([{ source: flag, message }]);
}

/**
 * Client config for one region: `--endpoint` (else the SDK honours
 * `AWS_ENDPOINT_URL`), `--profile` (credentials and config file settings).
 */
export function commandClientConfig(
  options: Pick<DiscoverCommandOptions, "endpoint" | "profile">,
  region?: string,
) {
  return {
    ...(region ? { region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    maxAttempts: 3,
  };
}

/** The region from the SDK's own resolution (`AWS_REGION`, profile config), or undefined. */
async function sdkDefaultRegion(options: DiscoverCommandOptions): Promise<string | undefined> {
  const probe = new EC2Client(commandClientConfig(options));
  try {
    return await probe.config.region();
  } catch {
    return undefined;
  } finally {
    probe.destroy();
  }
}

/**
 * Runs the command and returns its exit code: 0, or 1 when any region failed
 * (the other regions' output is still printed in full; errors go to stderr).
 * @throws {ValidationError} for a bad flag value (exit code 2), naming the flag.
 */
export async function runDiscoverCommand(
  options: DiscoverCommandOptions,
  io: DiscoverIo = defaultIo(),
): Promise<number> {
  const output = options.output ?? (io.isTTY ? "table" : "json");
  if (!["table", "json", "types"].includes(output)) {
    throw usage("--output", `"${output}" is not one of table, json, types`);
  }
  const count = options.count === undefined ? 1 : Number(options.count);
  if (!Number.isInteger(count) || count < 1) {
    throw usage("--count", `"${options.count}" is not a positive integer`);
  }
  if (options.arch && !["x86_64", "arm64"].includes(options.arch)) {
    throw usage("--arch", `"${options.arch}" is not x86_64 or arm64`);
  }
  let regions: string[] | "all" | undefined;
  try {
    regions = parseRegions((options.region ?? []).join(","));
  } catch (error) {
    throw usage("--region", (error as Error).message);
  }
  const defaultRegion = await sdkDefaultRegion(options);
  regions ??= defaultRegion ? [defaultRegion] : undefined;
  if (!regions) {
    throw usage(
      "--region",
      "no region: give --region R (or several, or all), set AWS_REGION, or use a profile with a region",
    );
  }

  const clients = new Map<string, EC2Client>();
  const clientFor = (region: string) => {
    let client = clients.get(region);
    if (!client) {
      client = new EC2Client(commandClientConfig(options, region));
      clients.set(region, client);
    }
    return client;
  };
  try {
    const result = await discoverInstanceTypes({
      regions,
      bootstrapRegion: defaultRegion ?? "us-east-1",
      clientFor,
      filters: {
        family: options.family,
        name: options.name,
        architecture: options.arch,
        supportedOnly: options.supportedOnly ?? false,
      },
    });
    if (output === "json") io.stdout(JSON.stringify(discoverJson(result, count), null, 2));
    else if (output === "types") io.stdout(typesLine(result, count));
    else io.stdout(discoverTable(result, { color: io.color }));
    if (result.types.length === 0) io.stderr("note: no instance type matched the filters");
    const errors = regionErrors(result);
    for (const line of errors) io.stderr(`error: ${line}`);
    return errors.length > 0 ? 1 : 0;
  } catch (error) {
    io.stderr(
      `error: could not list regions: ${(error as Error).name}: ${(error as Error).message}`,
    );
    return 1;
  } finally {
    for (const client of clients.values()) client.destroy();
  }
}
