/**
 * Type checks and text conversion of pipeline input values, shared by the
 * loader (defaults) and `resolveInputs` (`--set`, `--config`).
 * @module
 */
import { dequal } from "dequal";
import type { InputSpec, InputType } from "./pipeline/model.ts";
import { describeValue } from "./pipeline/zod-issues.ts";
import { isMapping } from "./mapping.ts";

/** The type part of an {@link InputSpec}. */
export type InputTypeSpec = Pick<InputSpec, "type" | "items" | "enum">;

/** `string`, `integer`, `array of string`, ... */
export function describeInputType(spec: Pick<InputSpec, "type" | "items">): string {
  return spec.type === "array" && spec.items ? `array of ${spec.items}` : spec.type;
}

function matchesType(type: InputType, value: unknown): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "integer":
      return Number.isInteger(value);
    case "boolean":
      return typeof value === "boolean";
    case "array":
      return Array.isArray(value);
    case "object":
      return isMapping(value);
  }
}

/** "entry 2 of 3 is empty" (1-based, as a person counts the entries). */
function emptyEntry(index: number, count: number): string {
  return `entry ${index + 1} of ${count} is empty`;
}

/**
 * Checks a value against an input's declared type, element type and `enum`
 * (for arrays, `enum` restricts each element; an empty string entry is refused).
 * @returns a message saying what was expected and found, or undefined when valid
 */
export function checkInputValue(spec: InputTypeSpec, value: unknown): string | undefined {
  if (!matchesType(spec.type, value)) {
    return `expected ${describeInputType(spec)}, got ${describeValue(value)}`;
  }
  const elements = spec.type === "array" ? value as unknown[] : [value];
  if (spec.type === "array") {
    const empty = elements.findIndex((item) => item === "");
    if (empty >= 0) return emptyEntry(empty, elements.length);
  }
  if (spec.type === "array" && spec.items) {
    const index = elements.findIndex((item) => !matchesType(spec.items!, item));
    if (index >= 0) {
      return `expected ${describeInputType(spec)}, but item ${index} is ${
        describeValue(elements[index])
      }`;
    }
  }
  if (spec.enum) {
    const bad = elements.find((item) => !spec.enum!.some((e) => dequal(e, item)));
    if (bad !== undefined) {
      return `expected one of ${spec.enum.map((e) => JSON.stringify(e)).join(", ")}, got ${
        describeValue(bad)
      }`;
    }
  }
  return undefined;
}

/** Converts one scalar of text to `type`, or returns an Error describing why not. */
function parseScalar(type: InputType, text: string): unknown {
  switch (type) {
    case "string":
      return text;
    case "number": {
      const n = Number(text);
      return text.trim() !== "" && Number.isFinite(n) ? n : new Error("a number");
    }
    case "integer":
      return /^[+-]?\d+$/.test(text.trim()) ? Number(text) : new Error("an integer");
    case "boolean":
      return text === "true" ? true : text === "false" ? false : new Error("true or false");
    default:
      return new Error(type);
  }
}

/**
 * Converts a `--set name=value` text to the input's type:
 * `number`/`integer` numerals, `boolean` `true`|`false`, `array` a JSON array
 * or comma-separated items (converted to `items`; empty text = empty list;
 * an empty item, as in `a,,b` or `a,`, is refused naming its entry number),
 * `object` a JSON object, `string` as is. Then checks it with
 * {@link checkInputValue}.
 * @returns the value, or a message naming the expected form
 */
export function parseInputText(
  spec: InputTypeSpec,
  text: string,
): { value: unknown } | { error: string } {
  let value: unknown;
  if (spec.type === "array" || spec.type === "object") {
    const json = spec.type === "object" || text.trimStart().startsWith("[");
    if (json) {
      try {
        value = JSON.parse(text);
      } catch {
        return {
          error: spec.type === "object"
            ? `expected a JSON object such as {"key": "value"}, got ${JSON.stringify(text)}`
            : `expected a JSON array or comma-separated items, got ${JSON.stringify(text)}`,
        };
      }
    } else {
      const items = text.trim() === "" ? [] : text.split(",").map((item) => item.trim());
      const empty = items.indexOf("");
      if (empty >= 0) {
        return { error: `${emptyEntry(empty, items.length)} in ${JSON.stringify(text)}` };
      }
      const converted = items.map((item) => parseScalar(spec.items ?? "string", item));
      const bad = converted.findIndex((item) => item instanceof Error);
      if (bad >= 0) {
        return {
          error: `expected ${describeInputType(spec)}: item ${JSON.stringify(items[bad])} is not ${
            (converted[bad] as Error).message
          }`,
        };
      }
      value = converted;
    }
  } else {
    value = parseScalar(spec.type, text);
    if (value instanceof Error) {
      return { error: `expected ${value.message}, got ${JSON.stringify(text)}` };
    }
  }
  const problem = checkInputValue(spec, value);
  return problem ? { error: problem } : { value };
}
