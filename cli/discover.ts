/**
 * `ptp-runner discover`: lists EC2 instance types with their PhcSupport,
 * architectures, ENA support, vCPUs, memory and precision-time placement
 * support, over one, several or all enabled regions. The implementation is
 * imported lazily so `--help` stays fast.
 * @module
 */
import { type Command, Option } from "commander";

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Registers the `discover` subcommand on `program`. */
export function register(program: Command): void {
  program
    .command("discover")
    .description("List EC2 instance types and whether they have a PTP hardware clock (PhcSupport)")
    .option(
      "-r, --region <region>",
      "region, comma-separated regions, or `all` (every enabled region); repeatable",
      collect,
    )
    .option("--family <glob>", "family glob(s), comma-separated, e.g. `c7*` or `c7i,m7i`")
    .option("--name <glob>", "instance type glob(s), e.g. `*.large`")
    .addOption(new Option("--arch <arch>", "architecture").choices(["x86_64", "arm64"]))
    .option("--supported-only", "only types whose PhcSupport is `supported`")
    .addOption(
      new Option(
        "-o, --output <format>",
        "table (default on a TTY), json (default otherwise), or types",
      )
        .choices(["table", "json", "types"]),
    )
    .option("--count <n>", "count in each `type:count` entry of --output types/json", "1")
    .option("--profile <name>", "AWS profile (credentials and region)")
    .option("--endpoint <url>", "EC2 endpoint URL (else AWS_ENDPOINT_URL)")
    .addHelpText(
      "after",
      `
PhcSupport is \`unknown\` when EC2 does not report it for a type. Exit code 1
when a region could not be listed (the others are still printed), 2 on a bad flag.

Examples:
  ptp-runner discover --region us-east-1 --family 'c7*' --supported-only
  ptp-runner discover --region all --name '*.large' --output json
  ptp-runner run pipelines/ptp.yaml \\
    --set instance_types=$(ptp-runner discover --family 'm7*' --supported-only --output types)`,
    )
    .action(async (options, command: Command) => {
      const { runDiscoverCommand } = await import("../plugins/discover/command.ts");
      const { ValidationError } = await import("../runner/errors.ts");
      try {
        Deno.exitCode = await runDiscoverCommand(options);
      } catch (error) {
        if (error instanceof ValidationError) command.error(error.message, { exitCode: 2 });
        throw error;
      }
    });
}
