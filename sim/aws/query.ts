/**
 * Reading EC2/STS Query requests: the form-encoded body the AWS SDK sends
 * (`Action=RunInstances&Version=2016-11-15&SecurityGroupId.1=sg-…&
 * TagSpecification.1.Tag.2.Key=Name`), expanded into a tree where numbered
 * segments become arrays, plus the filter and wildcard helpers of EC2's
 * `Describe*` calls.
 * @module
 */

/** A parsed Query parameter tree: numbered segments (`.1`, `.2`) become arrays. */
export type QueryNode = string | QueryNode[] | { [key: string]: QueryNode };

/** Parses a form-encoded body into flat `name -> value` pairs (the last value of a repeated name wins). */
export function parseForm(body: string): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(body)) flat[key] = value;
  return flat;
}

/**
 * Expands flat Query parameters into a tree: `Tag.2.Key=v` becomes
 * `{ Tag: [<1st>, { Key: "v" }] }` with list entries ordered by their number
 * (1-based numbers; gaps are dropped).
 */
export function expandQuery(flat: Record<string, string>): Record<string, QueryNode> {
  // deno-lint-ignore no-explicit-any
  const root: Record<string, any> = {};
  for (const [key, value] of Object.entries(flat)) {
    const parts = key.split(".");
    let node = root;
    for (let i = 0; i < parts.length - 1; i++) {
      node[parts[i]] ??= {};
      node = node[parts[i]];
    }
    node[parts[parts.length - 1]] = value;
  }
  return toArrays(root) as Record<string, QueryNode>;
}

// deno-lint-ignore no-explicit-any
function toArrays(node: any): QueryNode {
  if (typeof node === "string") return node;
  const keys = Object.keys(node);
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return keys.map(Number).sort((a, b) => a - b).map((k) => toArrays(node[String(k)]));
  }
  const out: Record<string, QueryNode> = {};
  for (const k of keys) out[k] = toArrays(node[k]);
  return out;
}

/** The string at `path` in a Query tree, or undefined when absent or not a string. */
export function str(node: QueryNode | undefined, ...path: (string | number)[]): string | undefined {
  let cur: QueryNode | undefined = node;
  for (const p of path) {
    if (cur === undefined || typeof cur === "string") return undefined;
    cur = Array.isArray(cur) ? cur[Number(p)] : cur[String(p)];
  }
  return typeof cur === "string" ? cur : undefined;
}

/** The list at `name` (`Name.1`, `Name.2`, …) as an array of nodes; `[]` when absent. */
export function list(node: Record<string, QueryNode>, name: string): QueryNode[] {
  const value = node[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The string list at `name` (`InstanceId.1=…`); `[]` when absent. */
export function strings(node: Record<string, QueryNode>, name: string): string[] {
  return list(node, name).filter((v): v is string => typeof v === "string");
}

/** `true` when the parameter is the string `true` (booleans in the Query protocol). */
export function bool(node: Record<string, QueryNode>, name: string): boolean {
  return str(node, name) === "true";
}

/** One `Filter.N` of a `Describe*` request. */
export interface QueryFilter {
  name: string;
  values: string[];
}

/** The `Filter.N.Name` / `Filter.N.Value.M` filters of a request. */
export function filters(node: Record<string, QueryNode>): QueryFilter[] {
  return list(node, "Filter").map((f) => {
    const entry = typeof f === "object" && !Array.isArray(f) ? f : {};
    const value = entry.Value;
    const values = value === undefined
      ? []
      : (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === "string");
    return { name: str(entry, "Name") ?? "", values };
  });
}

/**
 * EC2 filter value matching: `*` matches any run of characters and `?` one
 * character (EC2 API Reference, "Filter" data type); everything else literally.
 */
export function wildcardMatch(pattern: string, value: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(
    /\?/g,
    ".",
  );
  return new RegExp(`^${source}$`, "s").test(value);
}

/** True when any of the filter's `values` wildcard-matches any of `actual`. */
export function matchesAny(values: string[], actual: readonly (string | undefined)[]): boolean {
  return actual.some((a) => a !== undefined && values.some((v) => wildcardMatch(v, a)));
}
