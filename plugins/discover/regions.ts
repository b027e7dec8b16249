/**
 * Parsing of the regions discover queries: one region, a comma-separated
 * list, a list, or `all` (every region enabled for the account). Light.
 * @module
 */
import { REGION_NAME } from "../aws/shared/region-name.ts";

/**
 * Parses a regions value: `us-east-1`, `us-east-1,eu-west-1`, `["a", "b"]` or
 * `all`. Returns undefined for an empty value (use the configured region).
 * @throws {Error} naming the entry when it is not a region name or `all` is
 *   mixed with regions.
 */
export function parseRegions(
  value: string | readonly string[] | undefined,
): string[] | "all" | undefined {
  const list = (typeof value === "string" ? value.split(",") : [...(value ?? [])])
    .map((r) => r.trim()).filter(Boolean);
  if (list.length === 0) return undefined;
  if (list.includes("all")) {
    if (list.length > 1) throw new Error(`"all" cannot be combined with other regions`);
    return "all";
  }
  for (const r of list) {
    if (!REGION_NAME.test(r)) {
      throw new Error(`"${r}" is not a region name (e.g. us-east-1), nor "all"`);
    }
  }
  return [...new Set(list)];
}
