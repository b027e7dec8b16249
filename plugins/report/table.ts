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
