/**
 * "Did you mean" suggestions for unknown instance type names: edit distance
 * (Levenshtein) ranking over the names the region offers. Pure.
 * @module
 */
import { editDistance } from "../../../runner/edit-distance.ts";

export { editDistance };

/**
 * The `limit` names closest to `wanted`, nearest first (ties by name), keeping
 * only those within a distance of max(2, a third of the name's length).
 */
export function nearestNames(wanted: string, candidates: Iterable<string>, limit = 3): string[] {
  const maxDistance = Math.max(2, Math.floor(wanted.length / 3));
  return [...new Set(candidates)]
    .map((name) => ({ name, distance: editDistance(wanted, name) }))
    .filter((c) => c.distance <= maxDistance)
    .sort((x, y) => x.distance - y.distance || x.name.localeCompare(y.name))
    .slice(0, limit)
    .map((c) => c.name);
}
