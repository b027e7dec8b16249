/**
 * `ptp-runner runs`: lists past runs from the journals in
 * `.ptp-runner/runs/` (see `cli/runs-action.ts`). Light: the implementation
 * is imported inside the action.
 * @module
 */
import { type Command, Option } from "commander";

/** Options commander hands to the action. */
export interface RunsOptions {
  workDir?: string;
  output?: "text" | "json";
}

/** Adds the `runs` command to `program`. */
export function register(program: Command): void {
  program
    .command("runs")
    .description(
      "List past runs from their journals (.ptp-runner/runs): id, pipeline, start, status, " +
        "instances still running and the command that releases them",
    )
    .option("--work-dir <dir>", "directory holding .ptp-runner/ (default: current directory)")
    .addOption(
      new Option("--output <format>", "text (default) or json").choices(["text", "json"]),
    )
    .addHelpText(
      "after",
      `
Examples:
  ptp-runner runs
  ptp-runner runs --output json | jq '.[] | select(.running_instances | length > 0)'

Exit codes: 0 listed (also when the directory holds no run; a journal that cannot be
read is listed as unreadable), 1 the work directory does not exist or its runs
directory (.ptp-runner/runs) cannot be read (with --output json: a document with
status "error" and the problems).`,
    )
    .action(async (options: RunsOptions) => {
      const { runsCommand } = await import("./runs-action.ts");
      Deno.exitCode = await runsCommand(options);
    });
}
