/**
 * A minimal strict XML parser for tests: elements, attributes (quoted),
 * text, the XML declaration and the five predefined entities. Throws on
 * anything malformed (unbalanced tags, bare `&` or `<`, duplicate attributes),
 * which is what "well-formed" means for the JUnit file.
 * @module
 */

/** A parsed element. */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
};

function decode(text: string, where: number): string {
  if (/<|&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(text)) {
    throw new Error(`bare '<' or '&' near offset ${where}: ${JSON.stringify(text.slice(0, 40))}`);
  }
  return text.replace(
    /&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g,
    (_, e: string) =>
      e.startsWith("#x")
        ? String.fromCodePoint(parseInt(e.slice(2), 16))
        : e.startsWith("#")
        ? String.fromCodePoint(Number(e.slice(1)))
        : ENTITIES[e],
  );
}

/** Parses `xml` into its root element; throws with an offset when it is not well-formed. */
export function parseXml(xml: string): XmlElement {
  let pos = 0;
  const decl = /^<\?xml[^?]*\?>\s*/.exec(xml);
  if (decl) pos = decl[0].length;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const tag =
    /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/y;
  while (pos < xml.length) {
    const lt = xml.indexOf("<", pos);
    const text = xml.slice(pos, lt === -1 ? xml.length : lt);
    if (stack.length > 0) stack[stack.length - 1].text += decode(text, pos);
    else if (text.trim()) throw new Error(`text outside the root element at ${pos}`);
    if (lt === -1) break;
    tag.lastIndex = lt;
    const m = tag.exec(xml);
    if (!m) throw new Error(`malformed tag at offset ${lt}: ${xml.slice(lt, lt + 40)}`);
    const [all, close, name, attrText, selfClose] = m;
    pos = lt + all.length;
    if (close) {
      const open = stack.pop();
      if (!open || open.name !== name) {
        throw new Error(`</${name}> at ${lt} does not close <${open?.name}>`);
      }
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of attrText.matchAll(/([A-Za-z_][\w.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      if (a[1] in attrs) throw new Error(`duplicate attribute ${a[1]} at ${lt}`);
      attrs[a[1]] = decode(a[2] ?? a[3], lt);
    }
    const el: XmlElement = { name, attrs, children: [], text: "" };
    if (stack.length > 0) stack[stack.length - 1].children.push(el);
    else if (root) throw new Error(`second root element at ${lt}`);
    else root = el;
    if (!selfClose) stack.push(el);
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack[stack.length - 1].name}>`);
  if (!root) throw new Error("no root element");
  return root;
}

/** All descendants of `el` named `name`, in document order. */
export function findAll(el: XmlElement, name: string): XmlElement[] {
  return el.children.flatMap((c) => [...(c.name === name ? [c] : []), ...findAll(c, name)]);
}
