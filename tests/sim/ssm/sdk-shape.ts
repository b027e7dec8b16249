/**
 * Checks a raw SSM JSON response against the operation's output shape as
 * shipped in `@aws-sdk/client-ssm` (the AWS service model compiled into
 * Smithy schemas): every member name must exist in the model and carry the
 * JSON type the model gives it (strings, integers, booleans, timestamps as
 * epoch seconds, lists, maps, structures). Used by the contract test; the
 * schema encoding is the SDK's (`@smithy/core` schema tuples).
 * @module
 */

/** An SDK command class instance: its `schema` is `[9, ns, name, traits, input, output]`. */
interface WithSchema {
  schema: unknown[];
}

/** The output shape of an SDK command instance. */
export function outputSchema(command: unknown): unknown {
  const schema = (command as WithSchema).schema;
  return schema[5];
}

type Node =
  | { kind: "struct"; name: string; members: Record<string, unknown> }
  | { kind: "list"; member: unknown }
  | { kind: "map"; value: unknown }
  | { kind: "simple"; type: "string" | "number" | "boolean" }
  | { kind: "unknown" };

function node(schema: unknown): Node {
  const s = typeof schema === "function" ? schema() : schema;
  if (typeof s === "number") {
    if (s === 0) return { kind: "simple", type: "string" };
    if (s === 1 || s === 4 || s === 7) return { kind: "simple", type: "number" };
    if (s === 2) return { kind: "simple", type: "boolean" };
    if (s & 64) return { kind: "list", member: s & ~64 };
    if (s & 128) return { kind: "map", value: s & ~128 };
    return { kind: "unknown" };
  }
  if (!Array.isArray(s)) return { kind: "unknown" };
  if (typeof s[1] === "string") {
    if (s[0] === 3) {
      const names = s[4] as string[];
      const schemas = s[5] as unknown[];
      return {
        kind: "struct",
        name: s[2],
        members: Object.fromEntries(names.map((n, i) => [n, schemas[i]])),
      };
    }
    if (s[0] === 1) return { kind: "list", member: s[4] };
    if (s[0] === 2) return { kind: "map", value: s[5] };
    if (s[0] === 0) return node(s[4]);
    return { kind: "unknown" };
  }
  return s[0] === null || s[0] === undefined ? { kind: "unknown" } : node(s[0]);
}

/**
 * Where `value` (a parsed JSON response) breaks `schema`: one line per
 * unknown member or wrong JSON type, `[]` when it conforms.
 */
export function shapeErrors(value: unknown, schema: unknown, path = "$"): string[] {
  const n = node(schema);
  switch (n.kind) {
    case "unknown":
      return [];
    case "simple": {
      const actual: string = typeof value;
      return actual === n.type ? [] : [`${path}: ${actual}, model says ${n.type}`];
    }
    case "list":
      if (!Array.isArray(value)) return [`${path}: not a list`];
      return value.flatMap((v, i) => shapeErrors(v, n.member, `${path}[${i}]`));
    case "map":
      if (typeof value !== "object" || value === null) return [`${path}: not a map`];
      return Object.entries(value).flatMap(([k, v]) => shapeErrors(v, n.value, `${path}.${k}`));
    case "struct": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return [`${path}: not a structure ${n.name}`];
      }
      return Object.entries(value).flatMap(([k, v]) =>
        Object.hasOwn(n.members, k)
          ? shapeErrors(v, n.members[k], `${path}.${k}`)
          : [`${path}.${k}: not a member of ${n.name}`]
      );
    }
  }
}

/** The JSON type of every member path of `value` (lists by their first element), for comparing two answers. */
export function memberTypes(value: unknown, path = "$", out = new Map<string, string>()) {
  if (Array.isArray(value)) {
    out.set(path, "list");
    if (value.length > 0) memberTypes(value[0], `${path}[]`, out);
  } else if (value !== null && typeof value === "object") {
    out.set(path, "object");
    for (const [k, v] of Object.entries(value)) memberTypes(v, `${path}.${k}`, out);
  } else {
    out.set(path, typeof value);
  }
  return out;
}
