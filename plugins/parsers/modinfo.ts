/**
 * Parser for `modinfo <module>` and `modinfo -F version <module>` output
 * (kmod), and ENA driver version arithmetic.
 *
 * Domain source: PTP.md section 2 — only a driver built with `ENA_PHC_INCLUDE=1`
 * lists `parm: phc_enable:`; amzn-drivers versions end in `g` (`2.10.0g`),
 * old Ubuntu in-tree drivers in `K` (`1.5.0K`); upstream kernels print no
 * `version:` line at all.
 * @module
 */
import { lines } from "./units.ts";

/** One `parm:` line of modinfo: `parm: <name>:<description> (<type>)`. */
export interface ModuleParameter {
  /** Parameter name, e.g. `phc_enable`. */
  name: string;
  /** Description text without the trailing `(type)`; empty when absent. */
  description: string;
  /** Type from the trailing parenthesis, e.g. `int`, when printed. */
  type?: string;
}

/** What `modinfo <module>` says about a kernel module. */
export interface ModinfoInfo {
  /** `filename:` (path of the `.ko`), when printed. */
  filename?: string;
  /** `version:` value, e.g. `2.10.0g`; null when there is no version line (upstream kernels). */
  version: string | null;
  /** Every `parm:` line, in order. */
  parameters: ModuleParameter[];
  /** Every `key: value` line by lower-case key (repeated keys keep every value, in order). */
  fields: Record<string, string[]>;
}

const FIELD_LINE = /^([A-Za-z][A-Za-z0-9_.-]*):(?:[ \t]+(.*)|)$/;

/**
 * Parses `modinfo` output by its `key: value` labels (any indentation, spacing
 * or tabs). Indented lines that are not `key: value` (e.g. signature hex) are
 * appended to the previous value; other lines are ignored. Never throws.
 */
export function parseModinfo(text: string): ModinfoInfo {
  const fields: Record<string, string[]> = {};
  let last: { key: string; index: number } | null = null;
  for (const line of lines(text)) {
    if (line.trim() === "") continue;
    const m = FIELD_LINE.exec(line.trimStart());
    if (m) {
      const key = m[1].toLowerCase();
      const value = (m[2] ?? "").trim();
      (fields[key] ??= []).push(value);
      last = { key, index: fields[key].length - 1 };
    } else if (last && /^\s/.test(line)) {
      fields[last.key][last.index] += line.trim();
    }
  }
  const parameters = (fields["parm"] ?? []).map(parseParameter).filter((p) =>
    p !== null
  ) as ModuleParameter[];
  const version = fields["version"]?.[0]?.trim() || null;
  return {
    ...(fields["filename"]?.[0] ? { filename: fields["filename"][0] } : {}),
    version,
    parameters,
    fields,
  };
}

function parseParameter(value: string): ModuleParameter | null {
  const colon = value.indexOf(":");
  const name = (colon < 0 ? value : value.slice(0, colon)).trim();
  if (!/^[A-Za-z0-9_]+$/.test(name)) return null;
  let description = colon < 0 ? "" : value.slice(colon + 1).trim();
  let type: string | undefined;
  const typed = /^(.*?)\s*\(([A-Za-z0-9_ ]+)\)$/.exec(description);
  if (typed) {
    description = typed[1];
    type = typed[2];
  }
  return type === undefined ? { name, description } : { name, description, type };
}

/** True when `info` lists a module parameter named `name` (e.g. `phc_enable`). */
export function hasParameter(info: ModinfoInfo, name: string): boolean {
  return info.parameters.some((p) => p.name === name);
}

/**
 * True when modinfo's message says the module does not exist
 * (`modinfo: ERROR: Module ena not found.`).
 */
export function isModuleNotFound(text: string): boolean {
  return /modinfo: ERROR: Module \S+ not found/i.test(text);
}

/** An ENA driver version split into numbers and the build suffix. */
export interface EnaVersion {
  major: number;
  minor: number;
  patch: number;
  /** Trailing letters, e.g. `g` (amzn-drivers) or `K` (in-tree); empty when none. */
  suffix: string;
}

/**
 * Parses an ENA driver version (`2.10.0g`, `1.5.0K`, `2.8.3`, `v2.13.2g`).
 * A missing patch number counts as 0.
 * @returns the parts, or null when `text` is empty or not a version.
 */
export function parseEnaVersion(text: string | null | undefined): EnaVersion | null {
  if (!text) return null;
  const m = /^\s*v?(\d+)\.(\d+)(?:\.(\d+))?([A-Za-z][A-Za-z0-9_.+-]*)?\s*$/.exec(text);
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0), suffix: m[4] ?? "" };
}

/**
 * True when `version` is at least `minimum` (numbers only; the suffix is
 * ignored). Strings are parsed with {@link parseEnaVersion}.
 * @returns null when either version cannot be parsed.
 */
export function versionAtLeast(
  version: EnaVersion | string | null | undefined,
  minimum: EnaVersion | string,
): boolean | null {
  const v = typeof version === "string" ? parseEnaVersion(version) : version ?? null;
  const min = typeof minimum === "string" ? parseEnaVersion(minimum) : minimum;
  if (!v || !min) return null;
  if (v.major !== min.major) return v.major > min.major;
  if (v.minor !== min.minor) return v.minor > min.minor;
  return v.patch >= min.patch;
}
