/**
 * Turns zod validation issues into located, readable problems: one per
 * unknown key (with the allowed keys and a suggestion), union failures
 * narrowed to the branch whose type matched, and messages that say what was
 * found and what is expected.
 * @module
 */
import type { z } from "zod";
import { nearestName } from "../registry.ts";

/** A problem at a path inside the validated value. */
export interface PathIssue {
  /** Path from the validated value's root (`["steps", 2, "timeout"]`). */
  path: (string | number)[];
  /** What is wrong and what would be right. */
  message: string;
  /** True when the problem is the key itself (unknown key): locate the key, not its value. */
  atKey?: boolean;
}

/** Describes a found value for messages: `"abc"`, `3`, `a list`, `a mapping`, `null`. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return JSON.stringify(value);
  return String(value);
}

/** Readable names of zod's expected types. */
const TYPE_WORDS: Record<string, string> = {
  int: "an integer",
  number: "a number",
  string: "a string",
  boolean: "true or false",
  object: "a mapping",
  record: "a mapping",
  array: "a list",
};

type RawIssue = z.core.$ZodRawIssue;

/** Error map giving the messages of {@link PathIssue}. */
function message(issue: RawIssue): string | undefined {
  const input = issue.input;
  switch (issue.code) {
    case "invalid_type": {
      const format = (issue.inst as { _zod?: { def?: { format?: string } } } | undefined)?._zod
        ?.def?.format;
      const integer = issue.expected === "number" && /int/.test(format ?? "");
      const expected = integer ? TYPE_WORDS.int : TYPE_WORDS[issue.expected] ?? issue.expected;
      return input === undefined
        ? `is required (${expected})`
        : `expected ${expected}, got ${describeValue(input)}`;
    }
    case "unrecognized_keys": {
      const shape = (issue.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } })
        ?._zod?.def?.shape;
      return shape ? `allowed keys: ${Object.keys(shape).join(", ")}` : "";
    }
    case "invalid_value": {
      const suggestion = typeof input === "string"
        ? nearestName(input, issue.values.filter((v): v is string => typeof v === "string"))
        : undefined;
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, got ${
        describeValue(input)
      }` + (suggestion ? ` (did you mean "${suggestion}"?)` : "");
    }
    case "too_small":
    case "too_big": {
      const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
      const op = issue.code === "too_small"
        ? (issue.inclusive ? ">=" : ">")
        : (issue.inclusive ? "<=" : "<");
      if (issue.origin === "array") {
        return issue.code === "too_small"
          ? `must have at least ${bound} item(s)`
          : `must have at most ${bound} item(s)`;
      }
      if (issue.origin === "string") {
        return issue.code === "too_small" && Number(bound) === 1
          ? "must not be empty"
          : `length must be ${op} ${bound}`;
      }
      return `must be ${op} ${bound} (got ${describeValue(input)})`;
    }
  }
  return undefined;
}

/**
 * Validates `value` with `schema` and returns every problem, located by path.
 * Parses without zod's JIT (`jitless`): validation parses each schema about
 * once, and compiling an object schema's fast path (`new Function`, not in
 * V8's code cache) costs more than that one parse.
 * @returns an empty list when valid, plus the parsed value when valid
 */
export function zodIssues<T extends z.ZodType>(
  schema: T,
  value: unknown,
): { issues: PathIssue[]; data?: z.output<T> } {
  const result = schema.safeParse(value, { error: message, jitless: true });
  if (result.success) return { issues: [], data: result.data };
  const issues: PathIssue[] = [];
  for (const issue of result.error.issues) flatten(issue, [], issues);
  return { issues };
}

/** True when an issue says the value's type itself did not match. */
function isTypeMismatch(issue: z.core.$ZodIssue): boolean {
  return issue.path.length === 0 &&
    (issue.code === "invalid_type" || issue.code === "invalid_value" ||
      issue.code === "invalid_union");
}

/**
 * For a union no branch of which accepted the value's type: "expected a string
 * or true/false, got 3", from the branches' own type messages.
 * Undefined when a branch failed for another reason than the type.
 */
function unionExpectation(branches: z.core.$ZodIssue[][]): string | undefined {
  const expected: string[] = [];
  let got: string | undefined;
  let missing = false;
  for (const branch of branches) {
    const top = branch.find(isTypeMismatch);
    const mismatch = top?.message.match(/^expected (.+), got (.+)$/);
    const required = top?.message.match(/^is required \((.+)\)$/);
    const kind = mismatch?.[1] ?? required?.[1];
    if (kind === undefined) return undefined;
    const words = kind === TYPE_WORDS.boolean ? "true/false" : kind;
    if (!expected.includes(words)) expected.push(words);
    if (required) missing = true;
    else got = mismatch?.[2];
  }
  if (expected.length === 0) return undefined;
  if (missing) return `is required (${expected.join(" or ")})`;
  return got === undefined ? undefined : `expected ${expected.join(" or ")}, got ${got}`;
}

function flatten(issue: z.core.$ZodIssue, prefix: PropertyKey[], out: PathIssue[]): void {
  const path = [...prefix, ...issue.path].map((p) => typeof p === "number" ? p : String(p));
  if (issue.code === "invalid_union") {
    const matching = issue.errors.filter((branch) => !branch.some(isTypeMismatch));
    if (matching.length === 1) {
      for (const inner of matching[0]) flatten(inner, path, out);
      return;
    }
    const expected = unionExpectation(issue.errors);
    if (matching.length === 0 && expected) {
      out.push({ path, message: expected });
      return;
    }
  }
  if (issue.code === "unrecognized_keys") {
    const allowed = issue.message.replace(/^allowed keys: /, "").split(", ").filter(Boolean);
    for (const key of issue.keys) {
      const suggestion = nearestName(key, allowed);
      out.push({
        path: [...path, key],
        message: `unknown key "${key}"` +
          (suggestion ? ` (did you mean "${suggestion}"?)` : "") +
          (allowed.length ? `; allowed keys: ${allowed.join(", ")}` : ""),
        atKey: true,
      });
    }
    return;
  }
  out.push({ path, message: issue.message });
}
