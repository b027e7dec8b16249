/**
 * "Did you mean" suggestions for unknown instance type names: edit distance
 * (Levenshtein) ranking over the names the region offers. Pure.
 * @module
 */

/** Levenshtein edit distance between `a` and `b` (insertions, deletions, substitutions). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
    }
    previous = current;
  }
  return previous[b.length];
}

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
