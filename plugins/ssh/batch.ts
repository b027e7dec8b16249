/**
 * Batching several reads into one remote command (one SSH round trip): each
 * part's output (stdout and stderr) is framed by marker lines with its exit
 * status, so the parts can be told apart afterwards.
 * @module
 */

const MARK = "@@ptp-runner";

/** One part of a batch: a name and a command line (POSIX shell). */
export interface BatchPart {
  /** Name of the part: letters, digits, `_`, `-`, `.`. */
  name: string;
  /** Command line; its stderr is merged into the part's output. */
  command: string;
}

/** What one part printed and its exit status. */
export interface BatchResult {
  /** stdout and stderr of the part, merged, without the markers. */
  output: string;
  /** Exit status; null when its end marker never came (the batch was cut short). */
  exitCode: number | null;
}

/**
 * The command line running every part in order, each as
 * `echo '@@ptp-runner begin NAME'; { COMMAND; } 2>&1; echo "@@ptp-runner end NAME $?"`.
 * A failing part does not stop the others.
 * @throws Error when a part name has characters other than `A-Za-z0-9_.-`.
 */
export function batchCommand(parts: readonly BatchPart[]): string {
  return parts.map(({ name, command }) => {
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`invalid batch part name "${name}"`);
    return `echo '${MARK} begin ${name}'; { ${command}; } 2>&1; echo "${MARK} end ${name} $?"`;
  }).join("; ");
}

/**
 * Splits the stdout of a {@link batchCommand} into its parts. Parts that
 * never began are absent; a part that began but never ended has `exitCode` null.
 */
export function parseBatch(stdout: string): Record<string, BatchResult> {
  const results: Record<string, BatchResult> = {};
  let current: { name: string; lines: string[] } | null = null;
  for (const line of stdout.split(/\r?\n/)) {
    const begin = new RegExp(`^${MARK} begin (\\S+)$`).exec(line);
    const end = new RegExp(`^${MARK} end (\\S+) (\\d+)$`).exec(line);
    if (begin) {
      if (current) results[current.name] = { output: current.lines.join("\n"), exitCode: null };
      current = { name: begin[1], lines: [] };
    } else if (end && current && end[1] === current.name) {
      results[current.name] = { output: current.lines.join("\n"), exitCode: Number(end[2]) };
      current = null;
    } else if (current) {
      current.lines.push(line);
    }
  }
  if (current) results[current.name] = { output: current.lines.join("\n"), exitCode: null };
  return results;
}
