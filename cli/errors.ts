/**
 * Turns an error escaping a command into output and an exit code.
 * @module
 */
import { EXIT, formatIssue, ValidationError } from "../runner/errors.ts";

/**
 * True for commander's `CommanderError` (and its subclasses): every one has a
 * `code` starting `commander.` and a numeric `exitCode`. Tested by shape so
 * the quick path (cli/quick.ts), which never loads commander, can use this
 * module.
 */
export function isCommanderError(error: unknown): error is Error & { exitCode: number } {
  if (!(error instanceof Error)) return false;
  const { code, exitCode } = error as { code?: unknown; exitCode?: unknown };
  return typeof code === "string" && code.startsWith("commander.") && typeof exitCode === "number";
}

/**
 * Reports `error` on `write` (stderr by default) and returns the exit code:
 * a {@link ValidationError} prints every issue as `file:line:col: key:
 * message` and gives 2 (usage); a commander usage error (already printed by
 * commander) gives 2, or 0 for `--help`/`--version`; anything else prints
 * `error: <message>` and gives 1.
 */
export function reportCliError(
  error: unknown,
  write: (line: string) => void = (line) => console.error(line),
): number {
  if (error instanceof ValidationError) {
    for (const issue of error.issues) write(formatIssue(issue));
    const n = error.issues.length;
    write(`${n} problem${n === 1 ? "" : "s"} found`);
    return EXIT.USAGE;
  }
  if (isCommanderError(error)) {
    return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  }
  write(`error: ${error instanceof Error ? error.message : String(error)}`);
  return EXIT.FAILED;
}

/**
 * True when `args` ask for a JSON document on stdout: `--output json` or
 * `--output=json` (as `run`, `runs`, `cleanup` and `sweep` take it).
 */
export function asksForJsonOutput(args: readonly string[]): boolean {
  return args.some((arg, i) =>
    arg === "--output=json" || (arg === "--output" && args[i + 1] === "json")
  );
}

/**
 * The `--output json` document of a command line commander refused (unknown
 * option, missing argument, bad choice; exit 2), shaped like the one of a run
 * refused before it starts (cli/run-output.ts), so a job reading stdout gets a
 * document in every case: `{ "status": "invalid", "exit_code": 2, "problems":
 * [{ "source": "command line", "line": null, "col": null, "key": null,
 * "message": "unknown option '--bogus'" }] }`.
 */
export function usageErrorDocument(error: Error): Record<string, unknown> {
  return {
    status: "invalid",
    exit_code: EXIT.USAGE,
    problems: [{
      source: "command line",
      line: null,
      col: null,
      key: null,
      message: error.message.replace(/^error: /, ""),
    }],
  };
}
