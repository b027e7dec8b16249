/**
 * Value semantics of pipeline expressions, modelled on GitHub Actions
 * expressions (docs.github.com "Evaluate expressions in workflows and
 * actions"): truthiness, loose equality, string conversion and the built-in
 * functions.
 * @module
 */
import { ExpressionError } from "./expression-ast.ts";

/**
 * Truthiness as in GitHub Actions: `false`, `0`, `-0`, `NaN`, `""`, `null`
 * and `undefined` are false; everything else (including `[]` and `{}`) is true.
 */
export function isTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === "") return false;
  if (typeof value === "number") return value !== 0 && !Number.isNaN(value);
  return true;
}

/**
 * Converts a value for interpolation into text: `null`/`undefined` give `""`,
 * strings stay, numbers and booleans use `String`, arrays and objects JSON.
 */
export function stringify(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/** Number coercion used when operands differ in type (GitHub Actions rules). */
function toNumber(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number") return value;
  if (typeof value === "string") return value.trim() === "" ? 0 : Number(value);
  return NaN;
}

/**
 * Loose equality: same-type primitives compare by value (strings ignoring
 * case), different primitive types are compared as numbers, arrays/objects
 * only equal themselves.
 */
export function looseEquals(a: unknown, b: unknown): boolean {
  a ??= null;
  b ??= null;
  if (typeof a === "object" && a !== null) return a === b;
  if (typeof b === "object" && b !== null) return false;
  if (typeof a === "string" && typeof b === "string") {
    return a.toLowerCase() === b.toLowerCase();
  }
  if (typeof a === typeof b) return a === b;
  const x = toNumber(a);
  const y = toNumber(b);
  return !Number.isNaN(x) && x === y;
}

/**
 * Orders two values for `<`, `<=`, `>`, `>=`: strings by case-insensitive
 * code points, anything else as numbers. Returns NaN when not comparable.
 */
export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === "string" && typeof b === "string") {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return toNumber(a) - toNumber(b);
}

/** Signature of a built-in function: evaluated arguments and the call's column. */
type BuiltinFunction = (args: unknown[], column: number) => unknown;

/** A built-in function with its arity. */
export interface FunctionSpec {
  /** Name as documented (calls match it ignoring case). */
  name: string;
  minArgs: number;
  maxArgs: number;
  call: BuiltinFunction;
}

const SPECS: FunctionSpec[] = [
  {
    name: "contains",
    minArgs: 2,
    maxArgs: 2,
    call: ([search, item]) =>
      Array.isArray(search)
        ? search.some((element) => looseEquals(element, item))
        : stringify(search).toLowerCase().includes(stringify(item).toLowerCase()),
  },
  {
    name: "startsWith",
    minArgs: 2,
    maxArgs: 2,
    call: ([s, prefix]) => stringify(s).toLowerCase().startsWith(stringify(prefix).toLowerCase()),
  },
  {
    name: "endsWith",
    minArgs: 2,
    maxArgs: 2,
    call: ([s, suffix]) => stringify(s).toLowerCase().endsWith(stringify(suffix).toLowerCase()),
  },
  {
    name: "join",
    minArgs: 1,
    maxArgs: 2,
    call: ([list, separator]) =>
      Array.isArray(list)
        ? list.map(stringify).join(separator === undefined ? "," : stringify(separator))
        : stringify(list),
  },
  { name: "format", minArgs: 1, maxArgs: 99, call: formatString },
  { name: "toJSON", minArgs: 1, maxArgs: 1, call: ([v]) => JSON.stringify(v ?? null, null, 2) },
  {
    name: "fromJSON",
    minArgs: 1,
    maxArgs: 1,
    call: ([text], column) => {
      try {
        return JSON.parse(stringify(text));
      } catch (error) {
        throw new ExpressionError(`fromJSON: invalid JSON: ${(error as Error).message}`, column);
      }
    },
  },
];

/** Built-in functions by lower-cased name. */
export const FUNCTIONS: ReadonlyMap<string, FunctionSpec> = new Map(
  SPECS.map((spec) => [spec.name.toLowerCase(), spec]),
);

/** `format('{0} of {1}', a, b)`; `{{` and `}}` give literal braces. */
function formatString([template, ...args]: unknown[], column: number): string {
  const text = stringify(template);
  return text.replace(/\{\{|\}\}|\{(\d+)\}|[{}]/g, (token, index?: string) => {
    if (token === "{{") return "{";
    if (token === "}}") return "}";
    if (index === undefined) {
      throw new ExpressionError(
        `format: lone '${token}' in "${text}"; write {{ or }} for a literal brace`,
        column,
      );
    }
    const n = Number(index);
    if (n >= args.length) {
      throw new ExpressionError(
        `format: "${text}" uses {${n}} but only ${args.length} argument(s) follow`,
        column,
      );
    }
    return stringify(args[n]);
  });
}
