/**
 * Plain-text tables for the console report: column widths computed from the
 * visible text (ANSI colour codes do not count), optional colour per cell.
 * @module
 */
import { stripVTControlCharacters } from "node:util";

/** Column alignment. */
export type Align = "left" | "right";

/** Length of `text` as shown on a terminal (ANSI escape codes removed). */
export function visibleLength(text: string): number {
  return [...stripVTControlCharacters(text)].length;
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
  fit?: TableFit,
): string {
  if (fit) return fitTable(headers, rows, align, fit);
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

/** How a table fits a terminal: its width and which columns may go, least important first. */
export interface TableFit {
  /** Characters per line available. */
  width: number;
  /** Column indexes to drop, in this order, until the table fits. */
  dropOrder: readonly number[];
}

/**
 * Renders the table no wider than `fit.width`: drops columns in
 * `fit.dropOrder` until it fits (a last line names them), then, if still too
 * wide, cuts each line at the width with `…`, so a row never wraps.
 */
export function fitTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Align[],
  fit: TableFit,
): string {
  let keep = headers.map((_, i) => i);
  const render = () =>
    renderTable(
      keep.map((i) => headers[i]),
      rows.map((r) => keep.map((i) => r[i] ?? "")),
      keep.map((i) => align[i] ?? "left"),
    );
  const widest = (text: string) => Math.max(0, ...text.split("\n").map(visibleLength));
  let text = render();
  const dropped: string[] = [];
  for (const column of fit.dropOrder) {
    if (widest(text) <= fit.width) break;
    if (!keep.includes(column)) continue;
    keep = keep.filter((i) => i !== column);
    dropped.push(headers[column]);
    text = render();
  }
  const lines = text.split("\n").map((line) =>
    visibleLength(line) <= fit.width ? line : cut(line, fit.width)
  );
  if (dropped.length > 0) {
    lines.push(cut(`(not shown at this width: ${dropped.join(", ")}; see report.md)`, fit.width));
  }
  return lines.join("\n");
}

/** Cuts `line` to `width` visible characters ending in `…` (colour codes removed). */
function cut(line: string, width: number): string {
  const plain = [...stripVTControlCharacters(line)];
  return plain.length <= width
    ? plain.join("")
    : plain.slice(0, Math.max(1, width - 1)).join("") + "…";
}
