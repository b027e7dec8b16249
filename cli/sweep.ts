/**
 * `ptp-runner sweep`: lists every instance tagged `ptp-runner:tool=ptp-runner`
 * that is still pending/running/stopped (with `--run`, only one run's) and
 * terminates them after confirmation. The implementation (AWS SDK) is imported only in the action.
 * @module
 */
import { type Command, InvalidArgumentError, Option } from "commander";
import { parseDuration } from "../runner/durations.ts";
import { isRunId } from "../runner/run-id.ts";
import { waitTimeoutSeconds } from "./wait-timeout.ts";

/** Parses `--older-than` (e.g. `2h`, `1h30m`, `45m`, seconds). */
export function olderThanSeconds(value: string): number {
  try {
    const seconds = parseDuration(/^\d+(\.\d+)?$/.test(value) ? Number(value) : value);
    if (seconds > 0) return seconds;
  } catch {
    // reported below
  }
  throw new InvalidArgumentError(`"${value}" is not a duration like 2h, 1h30m or 45m`);
}

/** Checks `--run`: a run id like `20261129-101500-ab12`. */
export function runIdArgument(value: string): string {
  if (isRunId(value)) return value;
  throw new InvalidArgumentError(`"${value}" is not a run id (expected like 20261129-101500-ab12)`);
}

/** Adds the `sweep` command to `program`. */
export function register(program: Command): void {
  program
    .command("sweep")
    .description(
      "List instances tagged ptp-runner:tool=ptp-runner (age, owner, run id, type) and " +
        "terminate them after confirmation",
    )
    .option(
      "--region <regions>",
      "region, comma-separated regions, or `all` (every enabled region); default AWS_REGION, " +
        "else every enabled region",
    )
    .option("--profile <profile>", "AWS shared config profile")
    .option("--endpoint <url>", "AWS endpoint URL (e.g. the simulator's); also AWS_ENDPOINT_URL")
    .option(
      "--yes",
      "terminate without asking (without it and without a terminal: list only)",
      false,
    )
    .option(
      "--owner <arn>",
      "only instances launched by this IAM ARN (ptp-runner:owner tag), or `any`; " +
        "default: the current identity",
    )
    .option(
      "--older-than <duration>",
      "only instances launched at least this long ago (e.g. 2h, 1h30m); placement groups are " +
        "then left alone",
      olderThanSeconds,
    )
    .option(
      "--run <run-id>",
      "only the instances and placement groups of this run (tag ptp-runner:run-id), of any " +
        "owner unless --owner; e.g. a run whose journal cannot be read",
      runIdArgument,
    )
    .addOption(
      new Option("--output <format>", "text (default) or json (the listing and outcome on stdout)")
        .choices(["text", "json"]),
    )
    .option("--wait-timeout <seconds>", "how long to wait for termination", waitTimeoutSeconds, 600)
    .option("-v, --verbose", "print every AWS call", false)
    .addHelpText(
      "after",
      `
Examples:
  ptp-runner sweep --region us-east-1            # yours, list, then ask
  ptp-runner sweep --owner any --older-than 12h --yes   # everyone's, older than 12 hours
  ptp-runner sweep --region us-east-1,eu-west-1  # two regions
  ptp-runner sweep --profile dev --region all --yes  # every enabled region, no question
  ptp-runner sweep --run 20261129-101500-ab12 --region us-east-1  # one run's, by its tag

Exit codes: 0 listed or terminated, 1 credentials refused, 2 bad --region,
3 something could not be terminated.`,
    )
    .action(async (opts: {
      region?: string;
      profile?: string;
      endpoint?: string;
      yes: boolean;
      waitTimeout: number;
      verbose: boolean;
      owner?: string;
      olderThan?: number;
      run?: string;
      output?: "text" | "json";
    }) => {
      const { sweepCommand } = await import("../plugins/aws/release/sweep.ts");
      Deno.exitCode = await sweepCommand({
        owner: opts.owner,
        olderThanSeconds: opts.olderThan,
        ...(opts.run === undefined ? {} : { runId: opts.run }),
        output: opts.output,
        region: opts.region,
        profile: opts.profile,
        endpoint: opts.endpoint,
        yes: opts.yes,
        waitTimeoutSeconds: opts.waitTimeout,
        verbose: opts.verbose,
      });
    });
}
