/**
 * `ptp-runner steps [type] [--pipeline <file>]`: the step types and their
 * inputs (with `--pipeline`, also the team step types its `plugins:` add).
 * @module
 */
import type { Command } from "commander";
import type { QuickCommand } from "./quick.ts";

/** Options commander hands to the action. */
interface StepsOptions {
  json?: boolean;
  pipeline?: string;
}

/** Lists the step types (the action of both paths). */
async function stepsAction(type: string | undefined, options: StepsOptions): Promise<void> {
  const { stepsCommand } = await import("./steps-action.ts");
  console.log(await stepsCommand(type, options));
}

/** `steps` on the quick path (cli/quick.ts): the options and argument of {@link register}. */
export const quick: QuickCommand = {
  name: "steps",
  options: { json: { type: "boolean" }, pipeline: { type: "string" } },
  args: { min: 0, max: 1 },
  run: (args, options) => stepsAction(args[0], options as StepsOptions),
};

/** Adds the `steps` command. */
export function register(program: Command): void {
  program.command("steps")
    .description("list the step types: description, scope, inputs and outputs")
    .argument("[type]", "show only this step type")
    .option("--json", "print as JSON")
    .option("--pipeline <file>", "also the team step types of this pipeline's plugins:")
    .addHelpText(
      "after",
      `
Examples:
  $ ptp-runner steps
  $ ptp-runner steps verify
  $ ptp-runner steps --json
  $ ptp-runner steps hello-target --pipeline pipelines/examples/team-plugin.yaml`,
    )
    .action(stepsAction);
}
