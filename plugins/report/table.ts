/**
 * Plain-text tables for the console report: column widths computed from the
 * visible text (ANSI colour codes do not count), optional colour per cell.
 * @module
 */
import { colorEnabled as terminalColor } from "../../runner/console.ts";

/** Column alignment. */
export type Align = "left" | "right";

// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

/** Length of `text` as shown on a terminal (ANSI escape codes removed). */
export function visibleLength(text: string): number {
  return [...text.replace(ANSI, "")].length;
}

/**
 * Renders a table: a header row, a dashed rule, then `rows`; columns are
 * separated by two spaces and padded to the widest cell. Cells may already
 * carry colour codes. Trailing spaces are trimmed from each line.
 */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Align[] = [],
): string {
  const widths = headers.map((h, i) =>
    Math.max(visibleLength(h), ...rows.map((r) => visibleLength(r[i] ?? "")))
  );
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => {
      const pad = " ".repeat(widths[i] - visibleLength(cell));
      return align[i] === "right" ? pad + cell : cell + pad;
    }).join("  ").trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** ANSI colours used by the console report; identity functions when colour is off. */
export interface Palette {
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
  bold(text: string): string;
  dim(text: string): string;
}

/** A palette that colours when `enabled` (callers pass `!NO_COLOR && isTerminal`). */
export function palette(enabled: boolean): Palette {
  const wrap = (open: number, close: number) => (text: string) =>
    enabled ? `\x1b[${open}m${text}\x1b[${close}m` : text;
  return {
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    red: wrap(31, 39),
    bold: wrap(1, 22),
    dim: wrap(2, 22),
  };
}

/**
 * True when colour should be used on stdout: stdout is a TTY and `NO_COLOR`
 * is unset or empty (https://no-color.org: any non-empty value disables colour).
 */
export function colorEnabled(): boolean {
  return terminalColor(Deno.stdout.isTerminal(), Deno.env);
}
