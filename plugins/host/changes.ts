/**
 * Changes a host step makes on a target, and check mode (`--dry-run`).
 *
 * Every change a host step makes goes through {@link HostChanges}: a file
 * write (recorded with a unified diff against what is there) or an action
 * (install packages X, reload ena, restart chronyd). In check mode nothing is
 * applied: the host steps run only read-only commands and the report lists
 * what they would do. In a real run the same records say what was done. The
 * records are kept in `facts.changes`, in order.
 * @module
 */
import { z } from "zod";
import type { CommandResult, RemoteShell } from "../ssh/types.ts";
import { shQuote } from "../ssh/quote.ts";
import type { TargetStepContext } from "../../runner/types.ts";

/** One change a step made (or, in check mode, would make). */
export const HostChangeSchema = z.object({
  /** Step id that made it. */
  step: z.string(),
  /** `file` (written, with a diff), `remove` (file removed) or `action`. */
  kind: z.enum(["file", "remove", "action"]),
  /** What, in one line: the path, or the action ("restart chrony"). */
  summary: z.string(),
  /** Unified diff of a file change (`--- a/PATH`, `+++ b/PATH`), when there is one. */
  diff: z.string().optional(),
  /** True when applied; false in check mode (or when the step stopped before it). */
  applied: z.boolean(),
});
/** One change, see {@link HostChangeSchema}. */
export type HostChange = z.output<typeof HostChangeSchema>;

declare module "../api.ts" {
  /** Facts of the host plugin. */
  interface TargetFacts {
    /** Every change host steps made or (check mode) would make, in order. */
    changes?: HostChange[];
  }
}

/** Where the records go: the target's facts, and the step's log. */
export interface ChangeSink {
  /** Step id recorded with each change. */
  stepId: string;
  /** The target's facts (the records are appended to `changes`). */
  facts: { changes?: HostChange[] };
  /** Logs one line per change (e.g. `ctx.log.info`). */
  log: (line: string) => void;
  /** Logs the diff (e.g. `ctx.log.debug`, shown with `-v`). */
  detail: (text: string) => void;
}

/**
 * Applies (or, in check mode, only records) the changes of one step on one
 * target.
 */
export class HostChanges {
  /**
   * @param shell the target's remote shell
   * @param checkMode true under `--dry-run`: nothing is applied
   * @param sink where records and log lines go
   */
  constructor(
    readonly shell: RemoteShell,
    readonly checkMode: boolean,
    private readonly sink: ChangeSink,
  ) {}

  /** Records a change and logs it; returns the record (mutable: `applied`). */
  private record(change: Omit<HostChange, "step" | "applied">): HostChange {
    const full: HostChange = { step: this.sink.stepId, applied: false, ...change };
    (this.sink.facts.changes ??= []).push(full);
    this.sink.log(`${this.checkMode ? "would " : ""}${change.summary}`);
    if (change.diff) this.sink.detail(change.diff);
    return full;
  }

  /**
   * Makes `path` hold `content` (as root, `sudo -n tee`), recording the diff
   * from `before` (what is there now, null = absent). Does nothing and records
   * nothing when equal.
   * @returns whether the file changed (check mode: would change), and the
   *   `tee` result when written (the caller checks `exitCode`)
   * @throws StepError `connection`/`cancelled` from the shell
   */
  async writeFile(
    path: string,
    before: string | null,
    content: string,
    signal: AbortSignal,
  ): Promise<{ changed: boolean; result?: CommandResult }> {
    if (before === content) return { changed: false };
    const { unifiedDiff } = await import("./unified-diff.ts");
    const change = this.record({
      kind: "file",
      summary: `${before === null ? "create" : "update"} ${path}`,
      diff: unifiedDiff(path, before, content),
    });
    if (this.checkMode) return { changed: true };
    const result = await this.shell.run(`tee ${shQuote(path)} >/dev/null`, {
      sudo: true,
      signal,
      stdin: content,
    });
    change.applied = result.exitCode === 0;
    return { changed: true, result };
  }

  /**
   * Removes `path` (as root, `rm -f`), recording the diff from `before`. Does
   * nothing when `before` is null (absent).
   * @throws StepError `connection`/`cancelled` from the shell
   */
  async removeFile(
    path: string,
    before: string | null,
    signal: AbortSignal,
  ): Promise<{ changed: boolean; result?: CommandResult }> {
    if (before === null) return { changed: false };
    const { unifiedDiff } = await import("./unified-diff.ts");
    const change = this.record({
      kind: "remove",
      summary: `remove ${path}`,
      diff: unifiedDiff(path, before, null),
    });
    if (this.checkMode) return { changed: true };
    const result = await this.shell.run(`rm -f ${shQuote(path)}`, { sudo: true, signal });
    change.applied = result.exitCode === 0;
    return { changed: true, result };
  }

  /**
   * Runs an action that changes the host (`run`), recorded as `summary`; in
   * check mode only records it and returns null.
   * @param summary e.g. `install packages gcc make git`, `restart chrony`
   * @throws whatever `run` throws
   */
  async action<T>(summary: string, run: () => Promise<T>): Promise<T | null> {
    const change = this.record({ kind: "action", summary });
    if (this.checkMode) return null;
    const result = await run();
    change.applied = true;
    return result;
  }
}

/**
 * The {@link HostChanges} of the current step on the current target: check
 * mode follows `--dry-run` (`ctx.settings.dryRun`); records go to
 * `ctx.target.facts.changes`, one log line each, diffs at debug level (`-v`).
 */
export function hostChanges(ctx: TargetStepContext, shell: RemoteShell): HostChanges {
  return new HostChanges(shell, ctx.settings.dryRun, {
    stepId: ctx.step.id,
    facts: ctx.target.facts,
    log: (line) => ctx.log.info(line),
    detail: (text) => ctx.log.debug(text),
  });
}
