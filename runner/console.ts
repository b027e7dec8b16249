/**
 * The console renderer: turns run events into what a person reads.
 *
 * - TTY: a live block with one line per target (label, current step,
 *   elapsed seconds, last status), redrawn in place with ANSI cursor
 *   movement; pipeline-step lines, warnings and errors are printed above it.
 * - Non-TTY: plain timestamped lines, e.g.
 *   `10:15:00 step launch started`, `10:16:12 [c7i.large 1 of 2] verify ok 12.3s`.
 * - Colour only when the caller enables it (see `colorEnabled` in ./colour.ts);
 *   debug logs, command and AWS call events only with `--verbose`.
 *
 * Testable with an injected writer and a fake `isTTY`.
 * @module
 */
import { type Palette, palette } from "./colour.ts";
import type { ConsoleAccess } from "./context.ts";
import { type Colour, liveBlockLines, type RunProgress, type TargetLine } from "./live-block.ts";
import { type RecapSeed, RecapTally } from "./recap.ts";
import { recapLines } from "./recap-text.ts";
import { inInputOrder, typeOrderOf } from "./target-order.ts";
import type { RunEvent } from "./types.ts";

/** How the renderer writes and what the terminal can do. */
export interface ConsoleOptions {
  /** Writes text as is (no newline added). */
  write(text: string): void;
  /** Live block (true) or plain lines (false). */
  isTTY: boolean;
  /** ANSI colours. */
  color: boolean;
  /** Show debug logs, commands, AWS calls and skipped target steps. */
  verbose: boolean;
  /** Terminal width in characters for the live block (default 100). */
  columns?: number;
  /** Terminal height in lines: the live block stays shorter (default 24). */
  rows?: number;
  /** Monotonic clock in milliseconds, for elapsed seconds (default `performance.now`). */
  clock?: () => number;
  /** Seconds between redraws of the live block (default 1). */
  refreshSeconds?: number;
  /** `--fail-on` verdicts, counted as failed in the final verdict line. */
  failOn?: readonly string[];
  /**
   * Plain mode under GitHub Actions (`GITHUB_ACTIONS=true`): each target's
   * lines in one `::group::` printed when it finishes.
   */
  githubActions?: boolean;
  /** A resumed run's recap starts from the run's step results (see ./recap.ts). */
  recapSeed?: RecapSeed;
}

/** `HH:MM:SS` (local time) of an ISO timestamp. */
export function clockTime(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Seconds with one decimal from milliseconds: `12.3s`. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** Renders run events to a terminal or a log. Implements `withConsole` for prompts. */
export class ConsoleRenderer implements ConsoleAccess {
  #opts: ConsoleOptions;
  #palette: Palette;
  #clock: () => number;
  #labels = new Map<string, string>();
  #targets = new Map<string, TargetLine>();
  #drawn = 0;
  #paused = false;
  #buffered: string[] = [];
  #stopped = false;
  #timer: ReturnType<typeof setInterval> | undefined;
  #lock: Promise<unknown> = Promise.resolve();
  #tally: RecapTally;
  #stepFailures: { stepId: string; error: string }[] = [];
  #typeOrder: string[] = [];
  #progress: RunProgress = {};
  /** Error of the step that failed each target, once printed. */
  #failedSteps = new Map<string, string>();
  /** GitHub Actions: lines held per target until it finishes. */
  #groups = new Map<string, string[]>();
  /** `name:` of steps that have one, by step id. */
  #stepNames = new Map<string, string>();
  #types = new Map<string, string>();

  constructor(options: ConsoleOptions) {
    this.#opts = options;
    this.#tally = new RecapTally(options.recapSeed);
    this.#palette = palette(options.color);
    this.#clock = options.clock ?? (() => performance.now());
  }

  /** Starts periodic redraws of the live block (TTY only; the timer does not keep the process alive). */
  start(): void {
    if (!this.#opts.isTTY || this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.#render([]), (this.#opts.refreshSeconds ?? 1) * 1000);
    Deno.unrefTimer(this.#timer);
  }

  /** Stops redraws, leaves the final block on screen; later output is plain lines. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#paused || this.#stopped) return;
    if (this.#opts.isTTY) this.#render([]);
    this.#drawn = 0;
    this.#stopped = true;
  }

  /** Prints a message line above the live block (or as a plain line). */
  print(line: string): void {
    this.#emitLines([line]);
  }

  /**
   * Runs `fn` with the live view erased and other output held back, so a
   * prompt owns the terminal; prompts are serialised (one at a time).
   */
  withConsole<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(async () => {
      this.#pause();
      try {
        return await fn();
      } finally {
        this.#resume();
      }
    });
    this.#lock = run.catch(() => {});
    return run;
  }

  /** Consumes one event. */
  handle(event: RunEvent): void {
    if (event.type === "run-finished" && this.#opts.isTTY && !this.#stopped && !this.#paused) {
      // The run ends on the recap and the verdict line, not on the live block.
      if (this.#drawn > 0) this.#opts.write(`\x1b[${this.#drawn}A\x1b[J`);
      this.#drawn = 0;
      this.#stopped = true;
    }
    const lines = this.#opts.isTTY && !this.#stopped ? this.#live(event) : this.#plain(event);
    if (lines.length > 0 || (this.#opts.isTTY && !this.#stopped)) this.#emitLines(lines);
  }

  #paint(text: string, colour?: Colour): string {
    return colour ? this.#palette[colour](text) : text;
  }

  #label(targetId?: string): string {
    return targetId === undefined ? "" : `[${this.#labels.get(targetId) ?? targetId}] `;
  }

  /** Lines of the plain (and above-block) form of `event`; empty when not shown. */
  #format(event: RunEvent): string[] {
    const verbose = this.#opts.verbose;
    const at = `${clockTime(event.time)} `;
    switch (event.type) {
      case "run-started":
        return [`${at}run ${event.runId} started: pipeline ${event.pipeline} (${event.file})`];
      case "run-finished":
        return recapLines(
          {
            targets: inInputOrder(
              [...this.#targets].map(([id, t]) => ({
                id,
                instanceType: this.#types.get(id),
                label: t.label,
                status: t.status,
                verdict: t.verdict,
              })),
              this.#typeOrder,
            ),
            counts: this.#tally.counts(),
            stepFailures: this.#stepFailures,
            exitCode: event.exitCode,
            durationMs: event.durationMs,
            interrupted: event.interrupted,
            failOn: this.#opts.failOn,
          },
          this.#palette,
          this.#opts.isTTY ? this.#opts.columns : undefined,
        ).map((line, i) => i === 0 ? `${at}${line}` : line);
      case "step-started": {
        const again = event.attempt > 1 ? ` (attempt ${event.attempt})` : "";
        return [`${at}${this.#who(event)}${this.#step(event.stepId)} started${again}`];
      }
      case "step-finished": {
        const colour: Colour = event.status === "ok"
          ? "green"
          : event.status === "failed"
          ? "red"
          : "yellow";
        const why = event.error ? `: ${event.error}` : "";
        const changed = event.changed ? " (changed)" : "";
        const stack = verbose && event.stack
          ? event.stack.split("\n").map((line) => `    ${line.trimStart()}`)
          : [];
        return [
          `${at}${this.#who(event)}${this.#step(event.stepId)} ${
            this.#paint(event.status, colour)
          }${changed} ${seconds(event.durationMs)}${why}`,
          ...stack,
        ];
      }
      case "step-retry":
        return [
          `${at}${this.#who(event)}${this.#step(event.stepId)} ${
            this.#paint("retry", "yellow")
          } in ${seconds(event.delayMs)} (attempt ${event.attempt}): ${event.error}`,
        ];
      case "step-skipped":
        if (event.targetId !== undefined && !verbose) return [];
        return [
          `${at}${this.#who(event)}${this.#step(event.stepId)} ${
            this.#paint("skipped", "dim")
          }: ${event.reason}`,
        ];
      case "target-added":
        return [`${at}${this.#label(event.targetId)}target added`];
      case "target-finished": {
        const verdict = event.verdict ? `, verdict ${event.verdict}` : "";
        // A failed step's error was printed with it: say it once.
        const said = this.#failedSteps.get(event.targetId);
        const reason = event.reason && !(said && event.reason.includes(said))
          ? ` (${event.reason})`
          : "";
        return [`${at}${this.#label(event.targetId)}finished: ${event.status}${verdict}${reason}`];
      }
      case "log": {
        if (event.level === "debug" && !verbose) return [];
        const level = event.level === "warn"
          ? this.#paint("warning: ", "yellow")
          : event.level === "error"
          ? this.#paint("error: ", "red")
          : "";
        const step = event.stepId ? `${this.#step(event.stepId)}: ` : "";
        return [`${at}${this.#label(event.targetId)}${level}${step}${event.message}`];
      }
      case "command": {
        if (!verbose) return [];
        const end = event.signal ? `signal ${event.signal}` : `exit ${event.exitCode}`;
        return [
          `${at}${this.#label(event.targetId)}$ ${event.command} (${end}, ${
            seconds(event.durationMs)
          })`,
        ];
      }
      case "aws-call": {
        if (!verbose) return [];
        const error = event.error ? ` ${this.#paint(event.error, "red")}` : "";
        return [
          `${at}aws ${event.service} ${event.operation} ${seconds(event.durationMs)}${error}`,
        ];
      }
      case "resource": {
        const r = event.resource;
        return [`${at}resource ${r.kind} ${r.id} ${r.state}`];
      }
    }
  }

  /** How a step is shown: its `name:` when it has one, else its id. */
  #step(stepId: string): string {
    return this.#stepNames.get(stepId) ?? stepId;
  }

  #who(event: { targetId?: string }): string {
    return event.targetId === undefined ? "step " : this.#label(event.targetId);
  }

  #track(event: RunEvent): void {
    this.#tally.handle(event);
    if (event.type === "run-started") {
      this.#typeOrder = typeOrderOf(event.inputs.instance_types);
      this.#progress.startedMs = this.#clock();
    } else if (event.type === "step-started") {
      if (event.stepName) this.#stepNames.set(event.stepId, event.stepName);
      if (event.targetId === undefined) {
        this.#progress.pipelineStep = { name: this.#step(event.stepId), startedMs: this.#clock() };
      }
    } else if (event.type === "step-finished" && event.targetId === undefined) {
      this.#progress.pipelineStep = undefined;
      if (event.status !== "ok") {
        this.#stepFailures.push({ stepId: event.stepId, error: event.error ?? event.status });
      }
    } else if (event.type === "target-added") {
      this.#labels.set(event.targetId, event.label);
      this.#targets.set(event.targetId, { label: event.label, last: "added" });
      if (event.instanceType) this.#types.set(event.targetId, event.instanceType);
    } else if (
      event.type === "step-finished" && event.targetId !== undefined && event.status !== "ok" &&
      event.error
    ) {
      this.#failedSteps.set(event.targetId, event.error);
    } else if (event.type === "target-finished") {
      const line = this.#targets.get(event.targetId);
      if (line) {
        line.status = event.status;
        line.verdict = event.verdict;
      }
    }
  }

  #plain(event: RunEvent): string[] {
    this.#track(event);
    const lines = this.#format(event);
    if (!this.#opts.githubActions) return lines;
    return this.#grouped(event, lines);
  }

  /**
   * GitHub Actions: a target's lines are held back and printed as one
   * collapsible `::group::` when it finishes (targets run in parallel, and a
   * group must be contiguous); run-level lines pass through.
   */
  #grouped(event: RunEvent, lines: string[]): string[] {
    const targetId = "targetId" in event ? event.targetId : undefined;
    if (targetId === undefined || !this.#targets.has(targetId)) return lines;
    const held = this.#groups.get(targetId) ?? [];
    held.push(...lines);
    this.#groups.set(targetId, held);
    if (event.type !== "target-finished") return [];
    this.#groups.delete(targetId);
    const verdict = event.verdict ?? event.status;
    return [`::group::${event.label}: ${verdict}`, ...held, "::endgroup::"];
  }

  /** Updates the live block from `event`; returns the lines to print above it. */
  #live(event: RunEvent): string[] {
    this.#track(event);
    const line = "targetId" in event && event.targetId !== undefined
      ? this.#targets.get(event.targetId)
      : undefined;
    switch (event.type) {
      case "step-started":
        if (!line) break;
        line.step = this.#step(event.stepId);
        line.stepStartedMs = this.#clock();
        return [];
      case "step-finished":
        if (!line) break;
        line.step = undefined;
        line.last = `${this.#step(event.stepId)} ${event.status} ${seconds(event.durationMs)}`;
        line.lastColour = event.status === "ok"
          ? "green"
          : event.status === "failed"
          ? "red"
          : "yellow";
        return event.status === "ok" ? [] : this.#format(event);
      case "step-retry":
        if (!line) break;
        line.last = `${this.#step(event.stepId)} retry ${event.attempt} in ${
          seconds(event.delayMs)
        }`;
        line.lastColour = "yellow";
        return this.#opts.verbose ? this.#format(event) : [];
      case "step-skipped":
        if (!line) break;
        return this.#format(event);
      case "target-added":
        return this.#opts.verbose ? this.#format(event) : [];
      case "target-finished":
        if (!line) break;
        line.step = undefined;
        line.status = event.status;
        line.last = `${event.status}${event.verdict ? `: ${event.verdict}` : ""}`;
        line.lastColour = event.verdict === "functional"
          ? "green"
          : event.status === "failed" || event.verdict === "error" ||
              event.verdict === "misconfigured"
          ? "red"
          : "yellow";
        return [];
      case "log":
        if (line && (event.level === "info" || event.level === "debug") && !this.#opts.verbose) {
          return [];
        }
        break;
    }
    return this.#format(event);
  }

  #blockLines(): string[] {
    if (this.#targets.size === 0 && this.#progress.pipelineStep === undefined) return [];
    return liveBlockLines([...this.#targets.values()], this.#progress, {
      columns: this.#opts.columns ?? 100,
      rows: this.#opts.rows ?? 24,
      now: this.#clock(),
      palette: this.#palette,
    });
  }

  #emitLines(lines: string[]): void {
    if (this.#paused) {
      this.#buffered.push(...lines);
      return;
    }
    if (this.#opts.isTTY && !this.#stopped) this.#render(lines);
    else if (lines.length > 0) this.#opts.write(lines.map((l) => l + "\n").join(""));
  }

  /** Erases the block, prints `above`, draws the block again. */
  #render(above: string[]): void {
    if (this.#paused || this.#stopped) return;
    let out = this.#drawn > 0 ? `\x1b[${this.#drawn}A\x1b[J` : "";
    for (const line of above) out += line + "\n";
    const block = this.#blockLines();
    for (const line of block) out += line + "\n";
    this.#drawn = block.length;
    if (out) this.#opts.write(out);
  }

  #pause(): void {
    if (this.#opts.isTTY && !this.#stopped && this.#drawn > 0) {
      this.#opts.write(`\x1b[${this.#drawn}A\x1b[J`);
      this.#drawn = 0;
    }
    this.#paused = true;
  }

  #resume(): void {
    this.#paused = false;
    const held = this.#buffered;
    this.#buffered = [];
    this.#emitLines(held);
    if (held.length === 0 && this.#opts.isTTY && !this.#stopped) this.#render([]);
  }
}
