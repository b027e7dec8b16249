/**
 * Strict JSON checking of `.json` files (a `--config` or a pipeline): the
 * YAML parser that reads them with positions also accepts what JSON does not
 * (trailing commas, unquoted keys, single quotes, comments), so a `.json`
 * file is first parsed with `JSON.parse` (RFC 8259).
 *
 * V8's `JSON.parse` messages give the position for some errors (`at position
 * N`) but not for an unexpected token (`Unexpected token ']', "[1,]" is not
 * valid JSON`); there the position comes from the `@humanwhocodes/momoa`
 * JSON parser (ES module, cheap to load).
 * @module
 */
import { parse as parseJsonTree } from "@humanwhocodes/momoa";

/** A JSON syntax error: where (character offset) and what is wrong. */
export interface JsonSyntaxError {
  /** 0-based character offset of the error in the text. */
  offset: number;
  /** What is wrong and, when it can be told, what would be right. */
  message: string;
}

/**
 * Parses `text` with `JSON.parse` and describes its syntax error, if any.
 * The offset is read from the engine's message (`at position N`; V8), else
 * from momoa's error, else it is the end of the text.
 * @param text the file's content
 * @returns the error, or undefined when `text` is valid JSON
 */
export function jsonSyntaxError(text: string): JsonSyntaxError | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    const position = error.message.match(/at position (\d+)/)?.[1];
    const offset = position === undefined ? offsetFromTree(text) : Number(position);
    const what = error.message
      .replace(/ in JSON at position \d+.*$/s, "")
      .replace(/, (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s, "");
    return { offset, message: what + hintAt(text, offset) };
  }
}

/** Offset of the syntax error momoa finds in `text`, or the end of the text. */
function offsetFromTree(text: string): number {
  try {
    parseJsonTree(text, { mode: "json" });
  } catch (error) {
    const offset = (error as { offset?: unknown }).offset;
    if (typeof offset === "number") return offset;
  }
  return text.length;
}

/** What most likely went wrong at `offset`, in words (with a leading space), or "". */
function hintAt(text: string, offset: number): string {
  const before = text.slice(0, offset).trimEnd();
  const here = text[offset] ?? "";
  if (before.endsWith(",") && (here === "}" || here === "]")) {
    return ` (remove the trailing comma: JSON allows none before "${here}")`;
  }
  if (here === "'") return " (JSON strings and keys take double quotes)";
  if (/^[A-Za-z_$]/.test(here) && /[{,]$/.test(before)) {
    return " (JSON keys take double quotes)";
  }
  if (here === "/" || here === "#") return " (JSON has no comments)";
  return "";
}
