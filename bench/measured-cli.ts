/**
 * Runs the CLI as a child process for a bench figure: its exit code, wall
 * time and peak resident memory (GNU time's `%M`, KiB, when /usr/bin/time is
 * installed; Deno may not read /proc of a child itself).
 * @module
 */

/** GNU time, which reports a child's peak RSS. */
const GNU_TIME = "/usr/bin/time";

function hasGnuTime(): boolean {
  try {
    return Deno.statSync(GNU_TIME).isFile;
  } catch {
    return false;
  }
}

/** What one measured CLI run gave. */
export interface MeasuredRun {
  exitCode: number;
  /** Wall time of the whole process, seconds. */
  wallSeconds: number;
  /** Peak resident memory, MiB; null without GNU time. */
  peakRssMiB: number | null;
}

/**
 * Runs `deno <args>` in `cwd` with `env` (output discarded) and measures it.
 * The RSS figure goes through `<cwd>/peak-rss-kib`.
 */
export async function runMeasured(
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<MeasuredRun> {
  const rssFile = `${options.cwd}/peak-rss-kib`;
  const [command, commandArgs] = hasGnuTime()
    ? [GNU_TIME, ["-f", "%M", "-o", rssFile, Deno.execPath(), ...args]]
    : [Deno.execPath(), args];
  const started = performance.now();
  const status = await new Deno.Command(command, {
    args: commandArgs,
    cwd: options.cwd,
    env: options.env,
    stdout: "null",
    stderr: "null",
  }).output();
  const wallSeconds = (performance.now() - started) / 1000;
  let peakRssMiB: number | null = null;
  try {
    peakRssMiB = Number((await Deno.readTextFile(rssFile)).trim().split("\n").pop()) / 1024;
  } catch {
    peakRssMiB = null;
  }
  return { exitCode: status.code, wallSeconds, peakRssMiB };
}
