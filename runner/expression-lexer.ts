/**
 * Tokenizer of pipeline expressions.
 * @module
 */
import { ExpressionSyntaxError } from "./expression-ast.ts";

/** A token; `column` is 1-based inside the whole parsed string. */
export type Token =
  | { type: "number"; value: number; column: number; text: string }
  | { type: "string"; value: string; column: number; text: string }
  | { type: "identifier"; value: string; column: number; text: string }
  | { type: "punct"; value: string; column: number; text: string }
  | { type: "eof"; value: ""; column: number; text: "" };

const PUNCTUATION = [
  "==",
  "!=",
  "<=",
  ">=",
  "&&",
  "||",
  "(",
  ")",
  "[",
  "]",
  ".",
  ",",
  "!",
  "<",
  ">",
  "-",
];
const NUMBER = /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
/** Identifiers may contain `-` (step ids such as `ena-check`), but not start with it. */
const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_-]*/y;

/**
 * Splits `source` into tokens, ending with an `eof` token.
 * @param source expression text (without `${{ }}`)
 * @param offset added to every column (position of `source` inside a larger string)
 * @throws ExpressionSyntaxError on an unknown character or an unterminated string
 */
export function tokenize(source: string, offset = 0): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i];
    const column = offset + i + 1;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === "'" || ch === '"') {
      const [value, end] = readString(source, i, offset);
      tokens.push({ type: "string", value, column, text: source.slice(i, end) });
      i = end;
      continue;
    }
    NUMBER.lastIndex = i;
    const number = /\d/.test(ch) ? NUMBER.exec(source) : null;
    if (number) {
      tokens.push({ type: "number", value: Number(number[0]), column, text: number[0] });
      i += number[0].length;
      continue;
    }
    IDENTIFIER.lastIndex = i;
    const identifier = IDENTIFIER.exec(source);
    if (identifier) {
      // A trailing "-" belongs to no identifier (it would be a minus sign).
      const text = identifier[0].replace(/-+$/, "");
      tokens.push({ type: "identifier", value: text, column, text });
      i += text.length;
      continue;
    }
    const punct = PUNCTUATION.find((p) => source.startsWith(p, i));
    if (punct) {
      tokens.push({ type: "punct", value: punct, column, text: punct });
      i += punct.length;
      continue;
    }
    const hint = ch === "="
      ? "; use == to compare"
      : ch === "&"
      ? "; use && for 'and'"
      : ch === "|"
      ? "; use || for 'or'"
      : "";
    throw new ExpressionSyntaxError(`unexpected character '${ch}'${hint}`, column);
  }
  tokens.push({ type: "eof", value: "", column: offset + source.length + 1, text: "" });
  return tokens;
}

/** Reads a quoted string starting at `start`; returns its value and the index after it. */
function readString(source: string, start: number, offset: number): [string, number] {
  const quote = source[start];
  let value = "";
  let i = start + 1;
  while (i < source.length) {
    const ch = source[i];
    if (quote === "'" && ch === "'") {
      if (source[i + 1] === "'") { // '' is an escaped quote, as in GitHub Actions
        value += "'";
        i += 2;
        continue;
      }
      return [value, i + 1];
    }
    if (quote === '"' && ch === "\\") {
      const next = source[i + 1];
      value += next === "n" ? "\n" : next === "t" ? "\t" : next ?? "";
      i += 2;
      continue;
    }
    if (quote === '"' && ch === '"') return [value, i + 1];
    value += ch;
    i++;
  }
  throw new ExpressionSyntaxError(
    `unterminated string: add the closing ${quote}`,
    offset + start + 1,
  );
}
