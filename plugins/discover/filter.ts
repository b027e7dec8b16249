/**
 * Client-side filtering and ordering of discovered instance types. Light.
 * @module
 */
import type { DiscoveredType, DiscoverFilters } from "./types.ts";
import { globToRegExp as globPattern } from "../../runner/glob.ts";

/** The family of an instance type: the part before the first dot (`c7i.large` -> `c7i`). */
export function familyOf(instanceType: string): string {
  const dot = instanceType.indexOf(".");
  return dot === -1 ? instanceType : instanceType.slice(0, dot);
}

/** A glob as an anchored, case-insensitive RegExp (see `runner/glob.ts`). */
export function globToRegExp(glob: string): RegExp {
  return globPattern(glob, { ignoreCase: true });
}

/**
 * True when `value` matches one of the comma-separated glob `patterns`
 * (`*`, `?`, `[...]`; case-insensitive). An empty pattern list matches all.
 */
export function matchesAnyGlob(value: string, patterns: string | undefined): boolean {
  const list = (patterns ?? "").split(",").map((p) => p.trim()).filter(Boolean);
  return list.length === 0 || list.some((p) => globToRegExp(p).test(value));
}

/** True when `type` passes every filter given. */
export function matchesFilters(type: DiscoveredType, filters: DiscoverFilters): boolean {
  return matchesAnyGlob(type.family, filters.family) &&
    matchesAnyGlob(type.instanceType, filters.name) &&
    (!filters.architecture || type.architectures.includes(filters.architecture)) &&
    (!filters.supportedOnly || type.phcSupport === "supported");
}

const NAMED_SIZES = ["nano", "micro", "small", "medium", "large"];

/** Sort key of a size (`large` < `xlarge` < `2xlarge` < ... < `metal`). */
function sizeRank(size: string): number {
  const named = NAMED_SIZES.indexOf(size);
  if (named >= 0) return named;
  const x = /^(\d*)xlarge$/.exec(size);
  if (x) return 10 + Number(x[1] || 1);
  if (size.startsWith("metal")) return 10_000;
  return 5_000;
}

/** Orders types by family, then size (`c7i.large`, `c7i.xlarge`, `c7i.2xlarge`, ...). */
export function compareTypes(a: string, b: string): number {
  const [fa, sa = ""] = a.split(".", 2);
  const [fb, sb = ""] = b.split(".", 2);
  if (fa !== fb) return fa < fb ? -1 : 1;
  return sizeRank(sa) - sizeRank(sb) || (sa < sb ? -1 : sa > sb ? 1 : 0);
}
