/**
 * Runs the CLI (`deno run -P=cli main.ts ...`) as a subprocess from the
 * project root, for CLI tests.
 * @module
 */

/** Project root (where deno.json is). */
export const ROOT: string = new URL("../../", import.meta.url).pathname;

/** Exit code and output of one CLI run (stderr without Deno's own warnings). */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `ptp-runner <args>` with NO_COLOR set.
 * @param args CLI arguments
 * @param env extra environment variables
 */
export async function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-P=cli", "--quiet", "main.ts", ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return {
    code: output.code,
    stdout: decode(output.stdout),
    stderr: decode(output.stderr)
      .split("\n")
      .filter((line) => !/^Warning Permissions in the config file/.test(line))
      .join("\n"),
  };
}

/**
 * Runs `main(args)` in this process, capturing what it prints through the
 * console (commands and commander both write there). Much faster than
 * {@link runCli}; use it for output checks, and `runCli` for real exit codes.
 * @param run what to run instead of `main` (same contract: returns the exit code)
 */
export async function captureCli(
  args: string[],
  run?: (args: string[]) => Promise<number>,
): Promise<CliResult> {
  const main = run ?? (await import("../../main.ts")).main;
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  console.log = (...parts: unknown[]) => out.push(parts.map(String).join(" "));
  console.error = (...parts: unknown[]) => err.push(parts.map(String).join(" "));
  const cwd = Deno.cwd();
  try {
    Deno.chdir(ROOT);
    const code = await main(args);
    return { code, stdout: out.join("\n"), stderr: err.join("\n") };
  } finally {
    Deno.chdir(cwd);
    console.log = log;
    console.error = error;
  }
}
