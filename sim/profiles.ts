/**
 * Loads the simulator's instance profiles: the built-in catalogue
 * (`sim/profiles/default.yaml`, embedded at build time) and, optionally, a
 * user's profiles file laid over it. Format: `sim/README.md`; schema:
 * `sim/profile.ts`.
 *
 * A user file adds or replaces whole instance types; `base: none` drops the
 * built-in catalogue so only the file's types exist.
 * @module
 */
import { isMap, isScalar, LineCounter, type Node, parseDocument } from "yaml";
import { z } from "zod";
import { ValidationError, type ValidationIssue } from "../runner/errors.ts";
import {
  defaultSsmSettings,
  type InstanceProfile,
  type ProfilesFile,
  ProfilesFileSchema,
} from "./profile.ts";
import defaultCatalogue from "./profiles/default.yaml" with { type: "text" };

/** Source name used in errors about the built-in catalogue. */
export const DEFAULT_PROFILES_SOURCE = "sim/profiles/default.yaml";

/**
 * A user profiles file: the {@link ProfilesFileSchema} plus `base`
 * (`default` = lay the file over the built-in catalogue, `none` = the file alone);
 * `instance_types` may be left out (a file that only adds `existing_instances`).
 */
export const UserProfilesFileSchema = ProfilesFileSchema.extend({
  base: z.enum(["default", "none"]).default("default"),
  // A file may only add pre-existing instances of catalogue types.
  instance_types: ProfilesFileSchema.shape.instance_types.default({}),
}).strict();

/** EC2 instance type names look like `c7i.large`, `m7i-flex.2xlarge`, `u-6tb1.metal`. */
const INSTANCE_TYPE_NAME = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;

/**
 * Parses and validates a profiles file's text.
 * @param text YAML text.
 * @param source file name used in errors.
 * @returns the file with defaults applied and `base` (`default` unless set).
 * @throws ValidationError naming `source:line:col`, the key and what would be right
 *   (YAML syntax errors, unknown keys, wrong types, bad instance type names, bad regexes).
 */
export function parseProfiles(
  text: string,
  source: string,
): ProfilesFile & { base: "default" | "none" } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ValidationError(doc.errors.map((e) => ({
      source,
      line: e.linePos?.[0].line,
      col: e.linePos?.[0].col,
      message: `invalid YAML: ${e.message.split("\n")[0]}`,
    })));
  }
  const at = (offset: number | undefined) => {
    if (offset === undefined) return {};
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, col: pos.col };
  };
  const issues: ValidationIssue[] = [];
  const result = UserProfilesFileSchema.safeParse(doc.toJS() ?? {});
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
      if (issue.code === "unrecognized_keys") {
        for (const key of issue.keys) {
          const node = keyNode(doc.getIn(path, true) as Node | undefined, key);
          issues.push({
            source,
            ...at(node?.range?.[0]),
            key: dotted([...path, key]),
            message: `unknown key "${key}"; allowed keys are listed in sim/README.md`,
          });
        }
        continue;
      }
      issues.push({
        source,
        ...at(nearestNode(doc, path)?.range?.[0]),
        key: dotted(path) || undefined,
        message: issue.message,
      });
    }
    throw new ValidationError(issues);
  }
  for (const [name, profile] of Object.entries(result.data.instance_types)) {
    const where = at(keyNode(doc.getIn(["instance_types"], true) as Node, name)?.range?.[0]);
    if (!INSTANCE_TYPE_NAME.test(name)) {
      issues.push({
        source,
        ...where,
        key: `instance_types.${name}`,
        message: `"${name}" is not an EC2 instance type name (like "c7i.large")`,
      });
    }
    profile.overrides.forEach((o, i) => {
      if (o.regex === undefined) return;
      try {
        new RegExp(o.regex);
      } catch (error) {
        issues.push({
          source,
          ...at(nearestNode(doc, ["instance_types", name, "overrides", i, "regex"])?.range?.[0]),
          key: `instance_types.${name}.overrides[${i}].regex`,
          message: `invalid regular expression: ${(error as Error).message}`,
        });
      }
    });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return result.data;
}

/** The built-in catalogue (`sim/profiles/default.yaml`), parsed. */
export function defaultProfiles(): ProfilesFile {
  const { instance_types, ssm } = parseProfiles(defaultCatalogue, DEFAULT_PROFILES_SOURCE);
  return { instance_types, ssm: ssm ?? defaultSsmSettings(), existing_instances: [] };
}

/**
 * The catalogue a simulator uses: the built-in one, with the types of
 * `profilesFile` (when given) added or replacing same-named ones; only the
 * file's types when it says `base: none`.
 * @throws ValidationError for an unreadable or invalid file (naming the file).
 */
export async function loadProfiles(profilesFile?: string): Promise<ProfilesFile> {
  if (profilesFile === undefined) return defaultProfiles();
  let text: string;
  try {
    text = await Deno.readTextFile(profilesFile);
  } catch (error) {
    throw new ValidationError([{
      source: profilesFile,
      message: `cannot read the profiles file: ${(error as Error).message}`,
    }]);
  }
  const user = parseProfiles(text, profilesFile);
  const base = user.base === "none" ? {} : defaultProfiles().instance_types;
  const instance_types: Record<string, InstanceProfile> = { ...base, ...user.instance_types };
  if (Object.keys(instance_types).length === 0) {
    throw new ValidationError([{
      source: profilesFile,
      key: "instance_types",
      message: "no instance types: add at least one, or drop `base: none`",
    }]);
  }
  user.existing_instances.forEach((group, i) => {
    if (!(group.instance_type in instance_types)) {
      throw new ValidationError([{
        source: profilesFile,
        key: `existing_instances[${i}].instance_type`,
        message: `unknown instance type "${group.instance_type}"; use one of the catalogue ` +
          `(${
            Object.keys(instance_types).slice(0, 8).join(", ")
          }, ...) or add it under instance_types`,
      }]);
    }
  });
  return {
    instance_types,
    ssm: user.ssm ?? defaultSsmSettings(),
    existing_instances: user.existing_instances,
  };
}

function dotted(path: readonly PropertyKey[]): string {
  return path.map((p, i) => typeof p === "number" ? `[${p}]` : (i === 0 ? "" : ".") + String(p))
    .join("");
}

function keyNode(map: Node | undefined, key: string): Node | undefined {
  if (!map || !isMap(map)) return map;
  const pair = map.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
  return (pair?.key as Node | undefined) ?? map;
}

function nearestNode(
  doc: ReturnType<typeof parseDocument>,
  path: readonly PropertyKey[],
): Node | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (node && typeof node === "object" && "range" in node) return node as Node;
  }
  return undefined;
}
