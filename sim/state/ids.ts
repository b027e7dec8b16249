/**
 * Resource ids in EC2's shapes: a prefix, a dash and 17 lowercase hex digits
 * (`i-0123456789abcdef0`, `r-…`, `pg-…`, `key-…`), and request ids (UUIDs).
 * @module
 */

/** A new random EC2-style id, e.g. `newResourceId("i")` -> `i-0a1b2c3d4e5f60718`. */
export function newResourceId(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("").slice(0, 16);
  return `${prefix}-0${hex}`;
}

/** A request id as AWS returns it (a UUID). */
export function newRequestId(): string {
  return crypto.randomUUID();
}
