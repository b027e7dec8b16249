/**
 * Targets in the order the user gave them. Launch adds targets as each
 * instance type's launch completes, so creation order is a race; reports and
 * the recap follow the `instance_types` input instead.
 * @module
 */
import type { Target } from "./types.ts";

/** Trailing number of a target id (`c7i.large-2` -> 2); Infinity without one. */
function ordinalNumber(id: string): number {
  const m = /-(\d+)$/.exec(id);
  return m ? Number(m[1]) : Infinity;
}

/**
 * Targets in input order: by the position of their instance type in
 * `typeOrder` (`type[:count]` entries; the count is ignored), then by their
 * number (`c7i.large-1` before `c7i.large-2`); targets whose type is not
 * listed (existing hosts, discovered types) keep their creation order after
 * them. Launch adds targets as each type's launch completes; the report
 * should not depend on that race.
 */
export function inInputOrder<T extends Pick<Target, "id" | "instanceType">>(
  targets: readonly T[],
  typeOrder: readonly string[],
): T[] {
  const types = typeOrder.map((entry) => entry.split(":")[0].trim());
  const rank = (t: T) => {
    const i = t.instanceType === undefined ? -1 : types.indexOf(t.instanceType);
    return i < 0 ? types.length : i;
  };
  return targets.map((t, index) => ({ t, index }))
    .sort((a, b) =>
      rank(a.t) - rank(b.t) ||
      (rank(a.t) < types.length ? ordinalNumber(a.t.id) - ordinalNumber(b.t.id) : 0) ||
      a.index - b.index
    )
    .map(({ t }) => t);
}

/** The `instance_types` input as a list of `type[:count]` strings; empty when absent. */
export function typeOrderOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}
