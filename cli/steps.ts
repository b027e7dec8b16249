/**
 * `ptp-runner steps [type]`: the step types and their inputs.
 * @module
 */
import type { Command } from "commander";
import type { QuickCommand } from "./quick.ts";

/** Lists the step types (the action of both paths). */
async function stepsAction(type: string | undefined, options: { json?: boolean }): Promise<void> {
  const { stepsCommand } = await import("./steps-action.ts");
  console.log(stepsCommand(type, options));
}

/** `steps` on the quick path (cli/quick.ts): the options and argument of {@link register}. */
export const quick: QuickCommand = {
  name: "steps",
  options: { json: { type: "boolean" } },
  args: { min: 0, max: 1 },
  run: (args, options) => stepsAction(args[0], options as { json?: boolean }),
};

/** Adds the `steps` command. */
export function register(program: Command): void {
  program.command("steps")
    .description("list the step types: description, scope, inputs and outputs")
    .argument("[type]", "show only this step type")
    .option("--json", "print as JSON")
    .addHelpText(
      "after",
      `
Examples:
  $ ptp-runner steps
  $ ptp-runner steps verify
  $ ptp-runner steps --json`,
    )
    .action(stepsAction);
}
