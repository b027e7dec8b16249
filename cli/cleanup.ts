/**
 * `ptp-runner cleanup --run <run-id>`: releases what a run left behind, from
 * its journal. The implementation (AWS SDK) is imported only in the action.
 * @module
 */
import { type Command, Option } from "commander";
import { waitTimeoutSeconds } from "./wait-timeout.ts";

/** Adds the `cleanup` command to `program`. */
export function register(program: Command): void {
  program
    .command("cleanup")
    .description(
      "Release what a run left behind: terminate its instances still recorded as created " +
        "and delete the placement group it created (from .ptp-runner/runs/<id>/journal.json)",
    )
    .requiredOption("--run <run-id>", "run id, e.g. 20261129-101500-ab12")
    .option("--region <region>", "AWS region (default: the one recorded for each resource)")
    .option("--profile <profile>", "AWS shared config profile")
    .option("--endpoint <url>", "AWS endpoint URL (e.g. the simulator's); also AWS_ENDPOINT_URL")
    .option(
      "--include-kept",
      "also terminate the instances the run kept (--keep); without it they are only listed",
      false,
    )
    .option(
      "--keep <instance-ids>",
      "instances of the run to leave running (comma-separated ids; recorded as kept)",
    )
    .option("--yes", "do not ask before terminating", false)
    .option("--force", "go ahead although the run's process is still alive", false)
    .option("--work-dir <dir>", "directory holding .ptp-runner/ (default: current directory)")
    .option("--wait-timeout <seconds>", "how long to wait for termination", waitTimeoutSeconds, 600)
    .option("-v, --verbose", "print every AWS call", false)
    .addOption(
      new Option("--output <format>", "text (default) or json (the outcome on stdout)").choices([
        "text",
        "json",
      ]),
    )
    .addHelpText(
      "after",
      `
Examples:
  ptp-runner cleanup --run 20261129-101500-ab12
  ptp-runner cleanup --run 20261129-101500-ab12 --yes --profile dev --region us-east-1
  ptp-runner cleanup --run 20261129-101500-ab12 --include-kept
  ptp-runner cleanup --run 20261129-101500-ab12 --keep i-0123456789abcdef0

--keep names instances of this run to leave running (recorded as kept, so a later
cleanup lists them and terminates them only with --include-kept); an id the run does
not own is refused (exit 2, listing the run's instance ids) before anything is terminated.

The current credentials must belong to the AWS account the run launched in (it is
recorded in the journal). An instance EC2 does not know (InvalidInstanceID.NotFound)
is released only when DescribeInstances shows it terminated; otherwise it is reported
as not found in that account/region and kept in the journal.

Besides the journal, it looks up instances tagged ptp-runner:run-id=<run-id> in the
account and region the run recorded (a run killed mid-launch cannot have journaled
them). A run whose process is still alive is refused unless --force. A run whose
directory is there but whose journal cannot be read (corrupt, missing) is cleaned up
by that tag alone, as "ptp-runner sweep --run <run-id>" (--region, else the
configured region, else every enabled region; the account cannot be checked). A run
with no directory here (made on another machine or work dir) exits 2 naming that
sweep command, which needs no journal. A --simulate run has nothing to clean:
its instances ended with the simulator inside its process (exit 0, no AWS call).

Exit codes: 0 released (or nothing to do), 1 credentials refused, 2 unknown run,
run still alive (without --force), a --keep id not in the run, credentials of another account, or confirmation
needed (not interactive: pass --yes), 3 something may be left behind.`,
    )
    .action(async (opts: {
      run: string;
      region?: string;
      profile?: string;
      endpoint?: string;
      yes: boolean;
      force: boolean;
      includeKept: boolean;
      keep?: string;
      workDir?: string;
      waitTimeout: number;
      verbose: boolean;
      output?: "text" | "json";
    }) => {
      const { cleanupRunCommand } = await import("../plugins/aws/release/recover-run.ts");
      const json = opts.output === "json";
      const output = json ? await import("./cleanup-output.ts") : undefined;
      const before = await output?.storedCleanupOutcome(opts.workDir ?? Deno.cwd(), opts.run);
      const code = await cleanupRunCommand({
        // With --output json, stdout carries only the JSON document.
        ...(json ? { print: (line: string) => console.error(line) } : {}),
        runId: opts.run,
        region: opts.region,
        profile: opts.profile,
        endpoint: opts.endpoint,
        yes: opts.yes,
        force: opts.force,
        includeKept: opts.includeKept,
        keep: opts.keep,
        workDir: opts.workDir,
        waitTimeoutSeconds: opts.waitTimeout,
        verbose: opts.verbose,
      });
      if (output) {
        const doc = await output.cleanupJsonDocument(
          opts.workDir ?? Deno.cwd(),
          opts.run,
          code,
          before ?? null,
        );
        console.log(JSON.stringify(doc, null, 2));
      }
      Deno.exitCode = code;
    });
}
