/**
 * `ptp-runner run <pipeline.yaml>`: validates the pipeline and its inputs,
 * then runs it (see `cli/run-action.ts`). Light: the implementation is
 * imported inside the action so `--help` stays fast.
 * @module
 */
import { type Command, Option } from "commander";
import { collectValues } from "./options.ts";
import { ValidationError } from "../runner/errors.ts";

/** Options commander hands to the action (names as commander camel-cases them). */
export interface RunOptions {
  set: string[];
  config?: string;
  concurrency?: string;
  yes?: boolean;
  dryRun?: boolean;
  keep?: string;
  region?: string;
  profile?: string;
  /** False with `--no-redact`. */
  redact: boolean;
  logJson?: string;
  verbose?: boolean;
  simulate?: boolean;
  speed?: string;
  /** `--max-instances`: most instances per instance type (text until checked). */
  maxInstances?: string;
  /** `--output`: `text` (default) or `json` (a result document on stdout, logs on stderr). */
  output?: "text" | "json";
  /** `--report-dir`: where the report files go. */
  reportDir?: string;
  /** `--fail-on`: comma-separated verdicts that fail the run too (`unsupported`). */
  failOn?: string;
  /** `--resume`: id of an interrupted or failed run to continue. */
  resume?: string;
}

const EXAMPLES = `
Examples:
  # Run the PTP pipeline against the built-in simulator, no questions asked
  $ ptp-runner run pipelines/ptp.yaml --simulate --yes

  # Real AWS: two instance types, keep the instances that end up functional
  $ ptp-runner run pipelines/ptp.yaml --region us-east-1 \\
      --set instance_types=c7i.large:2,r7g.large --set subnet_id=subnet-0abc \\
      --keep functional --log-json run.jsonl

  # Inputs from a file, four targets at a time, show where every input came from
  $ ptp-runner run pipelines/ptp.yaml --config inputs.yaml --concurrency 4 -v

  # Continue an interrupted or failed run (same pipeline file and inputs)
  $ ptp-runner run pipelines/ptp.yaml --config inputs.yaml --resume 20261129-101500-ab12

  # CI: JUnit and JSON where the job wants them, unsupported types fail the job
  $ ptp-runner run pipelines/ptp.yaml --yes --report-dir out --fail-on unsupported \\
      --output json > result.json

Exit codes:
  0    every target functional or unsupported (or the pipeline gives no verdicts)
  1    a target misconfigured, error or without a verdict, or a pipeline step
       (e.g. launch) failed; with --fail-on unsupported also an unsupported one
  2    refused before the run started: invalid pipeline/inputs/flags, or inputs the
       flags do not allow (--max-instances, --yes); nothing ran, no journal.
       A run that started never exits 2
  3    resources may be left behind
  130  interrupted
Every report file (report.json "run", report.md, junit.xml) records the exit code and
which pipeline step failed the run, and why.
Output: with --output json or --log-json -, stdout carries only JSON and every log,
the live view and the report go to stderr.
The run id and journal (.ptp-runner/runs/<run-id>/journal.json) are printed at start;
after a crash or a second Ctrl-C, "ptp-runner cleanup --run <run-id>" releases what is left.
--resume <run-id> continues that run instead: targets that finished keep their verdicts,
the others go on from the step where they stopped (connect runs again), on the same
instances; report and cleanup cover the whole run. It refuses (exit 2, nothing changed)
when no run has that id (ptp-runner runs lists them), the pipeline file or an input changed, the run is still alive, the run ended before
launch gave it targets, or the instances of the targets that would go on are gone.`;

/** Adds the `run` command to `program`. */
export function register(program: Command): void {
  program
    .command("run")
    .description("run a pipeline (launch, check, configure, report, clean up)")
    .argument("<pipeline.yaml>", "pipeline file")
    .option("--set <key=value>", "set a pipeline input (repeatable)", collectValues, [])
    .option("--config <file>", "YAML or JSON file of input values")
    .option("--concurrency <n>", "targets worked on at once (positive integer)")
    .option("-y, --yes", "do not ask for confirmation")
    .option("--dry-run", "preflight only: check permissions and inputs, create nothing")
    .option(
      "--keep <policy>",
      "instances to keep: none | all | functional (instance ids: cleanup --run <id> --keep)",
    )
    .option("--region <region>", "AWS region")
    .option("--profile <profile>", "AWS shared-config profile")
    .option("--no-redact", "keep IP addresses in reports")
    .option("--log-json <file>", "write every event as JSON Lines to FILE (- = stdout)")
    .addOption(
      new Option("--output <format>", "text, or json: a result document on stdout").choices([
        "text",
        "json",
      ]),
    )
    .option("--report-dir <dir>", "write the report files to DIR (default reports/<run-id>/)")
    .option("--fail-on <verdicts>", "verdicts that fail the run too (exit 1): unsupported")
    .option("-v, --verbose", "debug logs, remote commands, AWS calls and input sources")
    .option("--simulate", "run against the built-in simulator (no AWS account needed)")
    .option("--speed <n>", "simulator speed factor with --simulate (default 50)")
    .option("--max-instances <n>", "most instances launched per instance type (default 50)")
    .option(
      "--resume <run-id>",
      "continue an interrupted or failed run where each target stopped (same pipeline and inputs)",
    )
    .addHelpText("after", EXAMPLES)
    .action(async (file: string, options: RunOptions) => {
      const { runCommand } = await import("./run-action.ts");
      let code: number;
      try {
        code = await runCommand(file, options);
      } catch (error) {
        // Refused before it started: with --output json, stdout still carries a document.
        if (options.output === "json" && error instanceof ValidationError) {
          const { invalidRunDocument } = await import("./run-output.ts");
          console.log(JSON.stringify(invalidRunDocument(file, error), null, 2));
        }
        throw error;
      }
      Deno.exitCode = code;
      // Exit even if a leaked handle (socket, timer) would keep the process alive.
      const exitTimer = setTimeout(() => Deno.exit(code), 2000);
      Deno.unrefTimer(exitTimer);
    });
}
