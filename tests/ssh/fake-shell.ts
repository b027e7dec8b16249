/**
 * A scripted {@link RemoteShell} for unit tests of host steps: answers each
 * command from a table (exact text or regular expression) and understands
 * the batches of `plugins/ssh/batch.ts`, answering each part separately.
 * Records every command it was asked to run.
 * @module
 */
import type { CommandResult, RemoteShell, RunOptions } from "../../plugins/ssh/types.ts";

/** Scripted answer: output (stdout) and exit status (default 0), optional stderr. */
export interface FakeAnswer {
  stdout?: string;
  stderr?: string;
  exitCode?: number | null;
}

/** Table entry: a command (exact) or pattern, and its answer. */
export type FakeRule = [string | RegExp, FakeAnswer];

const PART = /echo '@@ptp-runner begin (\S+)'; \{ (.*?); \} 2>&1; echo "@@ptp-runner end \1 \$\?"/g;

/** A fake remote shell. Unknown commands answer `command not found` (127). */
export class FakeShell implements RemoteShell {
  /** Every command line received (batches as sent). */
  readonly commands: string[] = [];
  /** Every inner command run (batch parts unpacked). */
  readonly executed: string[] = [];
  /** Options of each call, in order. */
  readonly options: RunOptions[] = [];
  reconnects = 0;
  constructor(readonly rules: FakeRule[]) {}

  #answer(command: string): Required<FakeAnswer> {
    this.executed.push(command);
    for (const [match, answer] of this.rules) {
      if (typeof match === "string" ? match === command : match.test(command)) {
        return { stdout: "", stderr: "", exitCode: 0, ...answer };
      }
    }
    return {
      stdout: "",
      stderr: `bash: ${command.split(" ")[0]}: command not found\n`,
      exitCode: 127,
    };
  }

  run(command: string, options: RunOptions = {}): Promise<CommandResult> {
    this.commands.push(command);
    this.options.push(options);
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    const parts = [...command.matchAll(PART)];
    let stdout = "";
    let stderr = "";
    let exitCode: number | null = 0;
    if (parts.length > 0) {
      for (const [, name, inner] of parts) {
        const a = this.#answer(inner);
        const merged = a.stdout + a.stderr;
        stdout += `@@ptp-runner begin ${name}\n${merged}${
          merged === "" || merged.endsWith("\n") ? "" : "\n"
        }@@ptp-runner end ${name} ${a.exitCode ?? 255}\n`;
      }
    } else {
      const a = this.#answer(command);
      stdout = a.stdout;
      stderr = a.stderr;
      exitCode = a.exitCode;
    }
    return Promise.resolve({ command, stdout, stderr, exitCode, durationMs: 1 });
  }

  reconnect(): Promise<void> {
    this.reconnects++;
    return Promise.resolve();
  }
}
