/**
 * `ptp-runner validate <pipeline.yaml>`: checks a pipeline (and optionally
 * input values) without running anything.
 * @module
 */
import type { Command } from "commander";
import { collectValues } from "./options.ts";
import type { QuickCommand } from "./quick.ts";

/** Options commander hands to the action. */
interface ValidateOptions {
  set: string[];
  config?: string;
}

/** Validates `file` and prints the summary (the action of both paths). */
async function validateAction(file: string, options: ValidateOptions): Promise<void> {
  const { validatePipelineFile } = await import("./validate-action.ts");
  console.log(await validatePipelineFile(file, options));
}

/** `validate` on the quick path (cli/quick.ts): the options and argument of {@link register}. */
export const quick: QuickCommand = {
  name: "validate",
  options: { set: { type: "string", multiple: true, default: [] }, config: { type: "string" } },
  args: { min: 1, max: 1 },
  run: (args, options) => validateAction(args[0], options as unknown as ValidateOptions),
};

/** Adds the `validate` command. */
export function register(program: Command): void {
  program.command("validate")
    .description("check a pipeline file without running it; prints every problem")
    .argument("<pipeline>", "pipeline YAML file")
    .option("--set <name=value>", "also check an input value (repeatable)", collectValues, [])
    .option("--config <file>", "also check an inputs file (YAML or JSON)")
    .addHelpText(
      "after",
      `
Prints every problem, one per line, as file:line:col: key: message, and exits
with code 2 when there is any; prints an "ok" summary otherwise. With --set or
--config the input values are checked too (required inputs included).

Examples:
  $ ptp-runner validate pipelines/ptp.yaml
  $ ptp-runner validate pipelines/ptp.yaml --config inputs.yaml
  $ ptp-runner validate pipelines/existing-hosts.yaml --set private_key=~/.ssh/k.pem \\
      --set hosts=10.0.1.12`,
    )
    .action(validateAction);
}
