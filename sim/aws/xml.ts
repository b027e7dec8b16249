/**
 * A minimal XML writer for the EC2 and STS Query protocols: turns a plain value
 * tree into the element shapes the AWS SDK v3 parses (lower-camel element names
 * for EC2, `<item>` members for lists).
 * @module
 */

/**
 * A value the writer serialises: strings, numbers and booleans become text;
 * `Date` becomes ISO 8601 text; arrays become `<item>` children; objects become
 * child elements in key order; `undefined` / `null` members are omitted.
 */
export type XmlValue =
  | string
  | number
  | boolean
  | Date
  | null
  | undefined
  | readonly XmlValue[]
  | { readonly [key: string]: XmlValue };

/** Escapes `&`, `<`, `>`, `"` and `'` for element text and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) =>
      c === "&"
        ? "&amp;"
        : c === "<"
        ? "&lt;"
        : c === ">"
        ? "&gt;"
        : c === '"'
        ? "&quot;"
        : "&apos;",
  );
}

/**
 * Serialises `value` as the element `name` (and its children). Arrays are
 * written as `<name><item>…</item>…</name>`; an empty array as `<name/>`;
 * `undefined`/`null` as nothing at all.
 */
export function toXml(name: string, value: XmlValue): string {
  if (value === undefined || value === null) return "";
  if (value instanceof Date) return `<${name}>${value.toISOString()}</${name}>`;
  if (Array.isArray(value)) {
    if (value.length === 0) return `<${name}/>`;
    return `<${name}>${value.map((item) => toXml("item", item)).join("")}</${name}>`;
  }
  if (typeof value === "object") {
    const inner = Object.entries(value as Record<string, XmlValue>)
      .map(([key, child]) => toXml(key, child))
      .join("");
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/**
 * A complete XML document: declaration plus the root element `root` with an
 * optional `xmlns`, whose children are the members of `body`.
 */
export function xmlDocument(
  root: string,
  body: { readonly [key: string]: XmlValue },
  xmlns?: string,
): string {
  const inner = Object.entries(body).map(([key, child]) => toXml(key, child)).join("");
  const ns = xmlns ? ` xmlns="${escapeXml(xmlns)}"` : "";
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}${ns}>${inner}</${root}>`;
}
