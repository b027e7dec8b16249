/**
 * Builds the `ptp-runner` commander program from the command modules of
 * `cli/commands.ts`.
 * @module
 */
import { Command } from "commander";
import denoConfig from "../deno.json" with { type: "json" };
import { commandModules } from "./commands.ts";

/** The tool's version, from deno.json. */
export const VERSION: string = denoConfig.version;

const EXAMPLES = `
Examples:
  $ ptp-runner validate pipelines/ptp.yaml
  $ ptp-runner run pipelines/ptp.yaml --simulate --yes
  $ ptp-runner steps
  $ ptp-runner schema --write

Exit codes: 0 ok (every target functional or unsupported), 1 a target misconfigured,
error or without verdict, or a step failed, 2 usage or validation error,
3 resources may be left behind, 130 interrupted (details: ptp-runner run --help).`;

/**
 * Creates the program with every registered subcommand. Usage errors throw a
 * `CommanderError` (exit code 2 through `reportCliError`) instead of exiting.
 */
export function buildProgram(): Command {
  const program = new Command("ptp-runner")
    .description(
      "Run declarative pipelines of typed steps; the default pipeline finds which EC2 instance " +
        "types give a working ENA PTP hardware clock (PHC) and sets chrony up to use it.",
    )
    .version(VERSION, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .exitOverride()
    // Through the console, so output can be captured in-process (and ordered with it).
    .configureOutput({
      writeOut: (text) => console.log(text.replace(/\n$/, "")),
      writeErr: (text) => console.error(text.replace(/\n$/, "")),
    })
    .showHelpAfterError("(add --help for usage)")
    .addHelpText("after", EXAMPLES);
  for (const module of commandModules) module.register(program);
  return program;
}
