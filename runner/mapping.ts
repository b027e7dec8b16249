/**
 * Shape checks on parsed YAML/JSON values.
 * @module
 */

/** True for a YAML mapping / JSON object (not null, not a list). */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
