/**
 * `ptp-runner`: the CLI entry point. Parses the arguments with commander and
 * maps the outcome to an exit code (see `EXIT` in runner/errors.ts).
 * `validate`, `steps` and `schema` given plain, valid arguments take the
 * quick path of `cli/quick.ts`, which does not load commander; everything
 * else (help, usage errors, the other commands) goes through commander.
 * @module
 */
import {
  asksForJsonOutput,
  isCommanderError,
  reportCliError,
  usageErrorDocument,
} from "./cli/errors.ts";
import { quickInvocation } from "./cli/quick.ts";

/**
 * Runs the CLI.
 * @param args arguments after the program name
 * @returns the exit code: the command's (`Deno.exitCode` as set by it, 0 by
 *   default), 2 for usage and validation errors (with `--output json`, a
 *   commander usage error also prints a `status: invalid` document on stdout),
 *   1 for unexpected errors
 */
export async function main(args: string[]): Promise<number> {
  try {
    const quick = quickInvocation(args);
    if (quick) {
      await quick();
    } else {
      const { buildProgram } = await import("./cli/program.ts");
      await buildProgram().parseAsync(args, { from: "user" });
    }
    return Deno.exitCode;
  } catch (error) {
    // Commander printed the problem on stderr; with --output json stdout still carries a document.
    if (isCommanderError(error) && error.exitCode !== 0 && asksForJsonOutput(args)) {
      console.log(JSON.stringify(usageErrorDocument(error), null, 2));
    }
    return reportCliError(error);
  }
}

if (import.meta.main) {
  Deno.exitCode = await main(Deno.args);
}
