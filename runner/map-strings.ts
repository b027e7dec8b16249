/**
 * A deep copy of a value with every string passed through a function: the
 * one walk behind every redaction (secrets, IP addresses, private keys).
 * @module
 */

/**
 * Returns a deep copy of `value` in which every string (in arrays and plain
 * objects, at any depth) is replaced by `map(string)`. Object keys are kept.
 * Other objects (class instances such as `Error` or `Date`) are returned as
 * they are, not copied.
 * @param value a JSON-compatible value, typically an event, report or inputs
 * @param map what a string becomes (e.g. a redaction)
 */
export function mapStrings<T>(value: T, map: (text: string) => string): T {
  const visit = (v: unknown): unknown => {
    if (typeof v === "string") return map(v);
    if (Array.isArray(v)) return v.map(visit);
    if (v !== null && typeof v === "object") {
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return v;
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = visit(x);
      return out;
    }
    return v;
  };
  return visit(value) as T;
}
