/**
 * The end of a run on the console: the recap (one line per target and a
 * total, in the spirit of Ansible's PLAY RECAP) and one verdict line, e.g.
 *
 * ```text
 * RECAP
 *   c7i.large 1 of 2  functional     ok=9  changed=4  unchanged=3  skipped=1  failed=0   4.2s
 *   (pipeline steps)                 ok=2  changed=0  unchanged=0  skipped=0  failed=0   1.0s
 *   total                            ok=11 changed=4  unchanged=3  skipped=1  failed=0   5.2s
 * 6 functional, 3 unsupported, 0 failed in 4.4 s (exit 0)
 * ```
 *
 * Each step counts once per target per run; a line whose steps include some
 * that ran again on `--resume` ends with `(N re-run on resume)`.
 *
 * Each target is counted once. "failed" in the verdict line counts the other
 * targets that fail the run (see `targetFailsRun` in ./executor.ts:
 * misconfigured, error, no verdict in a run that gives verdicts); unsupported
 * targets stay under "unsupported", marked `(failing the run: --fail-on
 * unsupported)` when that flag makes them fail it; cancelled targets (an
 * interrupted run) are counted apart as "cancelled", targets a rollout stopped on
 * `max_fail` never started as "not attempted". Failed pipeline-scope steps get a line
 * each before it (`run failed: step launch: <why>`).
 * @module
 */
import type { Palette } from "./colour.ts";
import { addCounts, emptyCounts, type RecapCounts, type StepCounts } from "./recap.ts";
import type { TargetStatus, Verdict } from "./types.ts";

/** What the console knows of a target at the end of a run. */
export interface RecapTarget {
  id: string;
  label: string;
  status?: TargetStatus;
  verdict?: Verdict;
}

/** Everything {@link recapLines} shows. */
export interface RecapInput {
  /** Targets in the order they were added. */
  targets: readonly RecapTarget[];
  counts: RecapCounts;
  /** Pipeline-scope steps that failed the run, with their (redacted) error. */
  stepFailures: readonly { stepId: string; error: string }[];
  exitCode: number;
  durationMs: number;
  interrupted: boolean;
  /** `--fail-on` verdicts (`unsupported`) counted as failed too. */
  failOn?: readonly string[];
}

/** A target's verdict word: its verdict, `unsupported` when skipped, else its status or `no verdict`. */
export function recapVerdict(t: RecapTarget): string {
  if (t.verdict) return t.verdict;
  if (t.status === "skipped") return "unsupported";
  if (t.status === "cancelled" || t.status === "failed") return t.status;
  if (t.status === "not-attempted") return "not attempted";
  return "no verdict";
}

function colourOf(verdict: string, p: Palette): (text: string) => string {
  if (verdict === "functional") return p.green;
  if (verdict === "unsupported" || verdict === "cancelled" || verdict === "not attempted") {
    return p.yellow;
  }
  if (verdict === "no verdict") return p.dim;
  return p.red;
}

/** The figures of one line, each `name=N` padded to its column's width. */
function figureCells(c: StepCounts): [string, number][] {
  return [["ok", c.ok], ["changed", c.changed], ["unchanged", c.unchanged], [
    "skipped",
    c.skipped,
  ], ["failed", c.failed]];
}

const FIGURE_COLOURS: Record<string, keyof Palette | undefined> = {
  ok: "green",
  changed: "yellow",
  skipped: "dim",
  failed: "red",
};

/** The verdict line: counts per verdict, failed targets, wall time and exit code. */
export function verdictLine(input: RecapInput, p: Palette): string {
  const verdicts = input.targets.map(recapVerdict);
  const gives = input.targets.some((t) => t.verdict !== undefined);
  const count = (v: string) => verdicts.filter((x) => x === v).length;
  const failOn = input.failOn ?? [];
  const passing = (v: string) =>
    v === "functional" || (v === "unsupported" && !failOn.includes("unsupported")) ||
    (v === "no verdict" && !gives);
  // Each target is counted once: an unsupported one failing by --fail-on stays under unsupported.
  const apart = new Set(["cancelled", "not attempted", "unsupported"]);
  const failed = verdicts.filter((v) => !apart.has(v) && !passing(v)).length;
  const unsupported = count("unsupported");
  const failingUnsupported = unsupported > 0 && failOn.includes("unsupported")
    ? " (failing the run: --fail-on unsupported)"
    : "";
  const parts = [
    `${count("functional")} functional`,
    `${unsupported} unsupported${failingUnsupported}`,
  ];
  if (!gives && count("no verdict") > 0) parts.push(`${count("no verdict")} done`);
  parts.push(`${failed} failed`);
  if (count("cancelled") > 0) parts.push(`${count("cancelled")} cancelled`);
  if (count("not attempted") > 0) parts.push(`${count("not attempted")} not attempted`);
  const how = input.interrupted ? " (interrupted)" : "";
  const text = `${parts.join(", ")} in ${(input.durationMs / 1000).toFixed(1)} s${how}`;
  const ok = input.exitCode === 0;
  return `${(ok ? p.green : p.red)(text)} ${(ok ? p.dim : p.red)(`(exit ${input.exitCode})`)}`;
}

/**
 * The recap block and the verdict line (see the module documentation). With
 * `columns`, lines stay shorter than it: the time column goes first, then
 * labels are cut.
 */
export function recapLines(input: RecapInput, p: Palette, columns?: number): string[] {
  const rows = [
    ...input.targets.map((t) => ({
      name: t.label,
      verdict: recapVerdict(t),
      counts: input.counts.targets[t.id] ?? emptyCounts(),
    })),
  ];
  const total = addCounts([input.counts.pipeline, ...rows.map((r) => r.counts)]);
  const all = [
    ...rows,
    { name: "(pipeline steps)", verdict: "", counts: input.counts.pipeline },
    { name: "total", verdict: "", counts: total },
  ];
  const cells = all.map((r) => figureCells(r.counts).map(([k, n]) => `${k}=${n}`));
  const widths = cells[0].map((_, i) => Math.max(...cells.map((c) => c[i].length)));
  const figuresWidth = widths.reduce((a, b) => a + b + 1, 0);
  const times = all.map((r) => `${(r.counts.duration_ms / 1000).toFixed(1)}s`);
  const timeWidth = Math.max(...times.map((t) => t.length)) + 1;
  const verdictWidth = Math.max(...all.map((r) => r.verdict.length));
  let nameWidth = Math.max(...all.map((r) => r.name.length));
  const room = (columns ?? Infinity) - 1 - 2 - 1 - verdictWidth - 1 - figuresWidth;
  const withTime = room - timeWidth >= nameWidth;
  if (!withTime) nameWidth = Math.max(8, Math.min(nameWidth, room));
  const line = (r: (typeof all)[number], i: number) => {
    const name = r.name.length > nameWidth ? r.name.slice(0, nameWidth - 1) + "…" : r.name;
    const verdict = colourOf(r.verdict, p)(r.verdict.padEnd(verdictWidth));
    const figures = figureCells(r.counts).map(([k, n], c) => {
      const text = cells[i][c].padEnd(widths[c]);
      const colour = FIGURE_COLOURS[k];
      return n > 0 && colour ? p[colour](text) : text;
    }).join(" ");
    const time = withTime ? ` ${times[i].padStart(timeWidth - 1)}` : "";
    const text = `  ${name.padEnd(nameWidth)} ${
      r.verdict ? verdict : " ".repeat(verdictWidth)
    } ${figures}${time}`
      .trimEnd();
    // Steps run again on --resume count once; the note says so where there is room.
    const note = r.counts.rerun > 0 && r.name !== "total"
      ? ` ${p.dim(`(${r.counts.rerun} re-run on resume)`)}`
      : "";
    // deno-lint-ignore no-control-regex
    const shown = text.replace(/\x1b\[[0-9;]*m/g, "");
    const width = shown.length + `(${r.counts.rerun} re-run on resume)`.length + 1;
    return note && width < (columns ?? Infinity) ? text + note : text;
  };
  return [
    p.bold("RECAP"),
    ...all.map(line),
    ...input.stepFailures.map((f) => p.red(`run failed: step ${f.stepId}: ${f.error}`)),
    verdictLine(input, p),
  ];
}
