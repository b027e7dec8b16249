/**
 * The live block of the TTY console: one progress line, then one line per
 * target, never taller than the terminal. When the targets do not fit, the
 * running ones are shown first, then waiting ones, and the rest collapse into
 * one line of counts (`… 32 more: 30 done (28 functional, 2 misconfigured),
 * 2 waiting`).
 *
 * The progress line: `[12/50 done] 1m02s · launch 14s · 30 on host steps, 8 waiting`
 * (targets finished / total, run time, the pipeline step running and how long
 * it has, the targets on host steps and those not started). It ticks with
 * every redraw, so long AWS waits show time passing.
 * @module
 */
import type { Palette } from "./colour.ts";
import type { TargetStatus, Verdict } from "./types.ts";

/** A colour of the palette. */
export type Colour = keyof Palette;

/** What the block shows of one target. */
export interface TargetLine {
  label: string;
  /** Step running now (its name or id). */
  step?: string;
  stepStartedMs?: number;
  /** Last thing that happened (e.g. `verify ok 1.2s`). */
  last: string;
  lastColour?: Colour;
  status?: TargetStatus;
  verdict?: Verdict;
}

/** The run-wide part of the block. */
export interface RunProgress {
  /** When the run started (clock ms), if known. */
  startedMs?: number;
  /** Pipeline step running now, and since when. */
  pipelineStep?: { name: string; startedMs: number };
}

/** Size and clock of one drawing. */
export interface BlockLayout {
  /** Terminal width in characters. */
  columns: number;
  /** Terminal height in lines; the block keeps at most `rows - 2` lines. */
  rows: number;
  /** Clock now, ms. */
  now: number;
  palette: Palette;
}

/** `42s`, `1m02s`, `1h05m`. */
export function shortElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

const finished = (t: TargetLine) => t.status !== undefined;
const running = (t: TargetLine) => !finished(t) && t.step !== undefined;

function progressLine(targets: readonly TargetLine[], run: RunProgress, layout: BlockLayout) {
  const done = targets.filter(finished).length;
  const busy = targets.filter(running).length;
  const waiting = targets.length - done - busy;
  const parts = [`[${done}/${targets.length} done]`];
  if (run.startedMs !== undefined) parts.push(shortElapsed(layout.now - run.startedMs));
  if (run.pipelineStep) {
    parts.push(
      `${run.pipelineStep.name} ${shortElapsed(layout.now - run.pipelineStep.startedMs)}`,
    );
  }
  const counts = [
    busy > 0 ? `${busy} on host steps` : "",
    waiting > 0 ? `${waiting} waiting` : "",
  ].filter((c) => c !== "").join(", ");
  if (counts) parts.push(counts);
  return layout.palette.bold(parts.join(" · ").slice(0, Math.max(20, layout.columns - 1)));
}

function verdictCounts(targets: readonly TargetLine[]): string {
  const by = new Map<string, number>();
  for (const t of targets) {
    const key = t.verdict ?? t.status ?? "?";
    by.set(key, (by.get(key) ?? 0) + 1);
  }
  return [...by].map(([k, n]) => `${n} ${k}`).join(", ");
}

function collapsedLine(hidden: readonly TargetLine[]): string {
  const done = hidden.filter(finished);
  const busy = hidden.filter(running).length;
  const waiting = hidden.length - done.length - busy;
  const parts = [
    done.length > 0 ? `${done.length} done (${verdictCounts(done)})` : "",
    busy > 0 ? `${busy} running` : "",
    waiting > 0 ? `${waiting} waiting` : "",
  ].filter((p) => p !== "");
  return `  … ${hidden.length} more: ${parts.join(", ")}`;
}

function targetLine(t: TargetLine, layout: BlockLayout, labelWidth: number, stepWidth: number) {
  const width = Math.max(20, layout.columns - 1);
  const current = t.step ?? (t.status ? "" : "waiting");
  const elapsed = t.step !== undefined && t.stepStartedMs !== undefined
    ? shortElapsed(layout.now - t.stepStartedMs)
    : "";
  const label = t.label.length > labelWidth ? t.label.slice(0, labelWidth - 1) + "…" : t.label;
  const step = current.length > stepWidth ? current.slice(0, stepWidth - 1) + "…" : current;
  const head = `  ${label.padEnd(labelWidth)}  ${step.padEnd(stepWidth)} ${elapsed.padStart(6)}  `;
  const room = Math.max(0, width - head.length);
  const last = t.last.length > room ? t.last.slice(0, Math.max(0, room - 1)) + "…" : t.last;
  const paint = t.lastColour ? layout.palette[t.lastColour] : (x: string) => x;
  return head.slice(0, width) + paint(last);
}

/**
 * The block's lines: the progress line, then targets (running, waiting,
 * finished, each group in the given order) up to `rows - 2` lines in all,
 * the rest collapsed into one line. Each line fits `columns - 1` characters
 * (before colour codes).
 */
export function liveBlockLines(
  targets: readonly TargetLine[],
  run: RunProgress,
  layout: BlockLayout,
): string[] {
  const max = Math.max(2, layout.rows - 2);
  const labelWidth = Math.min(28, Math.max(5, ...targets.map((t) => t.label.length)));
  const stepWidth = Math.min(
    24,
    Math.max(14, ...targets.map((t) => t.step?.length ?? 0)),
  );
  const header = progressLine(targets, run, layout);
  const ordered = [
    ...targets.filter(running),
    ...targets.filter((t) => !finished(t) && !running(t)),
    ...targets.filter(finished),
  ];
  const fits = ordered.length <= max - 1;
  const shown = fits ? ordered : ordered.slice(0, max - 2);
  const hidden = fits ? [] : ordered.slice(max - 2);
  // Without collapsing, keep the order the targets were added in.
  const lines = (fits ? targets : shown).map((t) => targetLine(t, layout, labelWidth, stepWidth));
  if (hidden.length > 0) {
    lines.push(collapsedLine(hidden).slice(0, Math.max(20, layout.columns - 1)));
  }
  return [header, ...lines];
}
