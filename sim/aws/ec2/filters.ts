/**
 * `Filter.N` support shared by the EC2 `Describe*` handlers: named filters
 * resolve an item to the values compared (with `*`/`?` wildcards), plus the
 * generic `tag:<key>` and `tag-key` filters. An unknown filter name is refused
 * as EC2 does (`InvalidParameterValue`).
 * @module
 */
import { invalidFilter } from "../errors.ts";
import { filters, matchesAny, type QueryNode } from "../query.ts";

/** Resolves an item to the values a named filter compares against. */
export type FilterResolvers<T> = Record<string, (item: T) => readonly (string | undefined)[]>;

/**
 * Items of `items` matching every `Filter.N` of the request (values of one
 * filter are ORed, filters are ANDed — EC2 API Reference, "Filter").
 * @param tagsOf the item's tags, for `tag:<key>` and `tag-key` (omit for untagged resources).
 * @throws AwsApiError `InvalidParameterValue` naming an unknown filter.
 */
export function applyFilters<T>(
  items: readonly T[],
  params: Record<string, QueryNode>,
  resolvers: FilterResolvers<T>,
  tagsOf?: (item: T) => Record<string, string>,
): T[] {
  const requested = filters(params);
  for (const f of requested) {
    const known = f.name in resolvers ||
      (tagsOf !== undefined && (f.name === "tag-key" || f.name.startsWith("tag:")));
    if (!known) throw invalidFilter(f.name);
  }
  return items.filter((item) =>
    requested.every((f) => {
      if (tagsOf && f.name.startsWith("tag:")) {
        const tags = tagsOf(item);
        const key = f.name.slice(4);
        return key in tags && matchesAny(f.values, [tags[key]]);
      }
      if (tagsOf && f.name === "tag-key") return matchesAny(f.values, Object.keys(tagsOf(item)));
      return matchesAny(f.values, resolvers[f.name](item));
    })
  );
}
