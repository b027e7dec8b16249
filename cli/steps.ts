/**
 * `ptp-runner steps [type]`: the step types and their inputs.
 * @module
 */
import type { Command } from "commander";

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
    .action(async (type: string | undefined, options: { json?: boolean }) => {
      const { stepsCommand } = await import("./steps-action.ts");
      console.log(stepsCommand(type, options));
    });
}
