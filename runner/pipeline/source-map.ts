/**
 * Maps key paths (`["steps", 2, "with", "subnet_id"]`) of a parsed YAML
 * document to 1-based line/column positions, and formats key paths for
 * messages (`steps[2].with.subnet_id`).
 * @module
 */
import type { Document, LineCounter, Node } from "yaml";
import { yaml } from "./yaml-library.ts";

const { isMap, isPair, isScalar, isSeq } = yaml;

/** A 1-based position. */
export interface Position {
  line: number;
  col: number;
}

/** A key path segment: a mapping key or a list index. */
export type PathSegment = string | number;

/** Formats a key path: `steps[2].with.subnet_id`, `inputs.subnet_id`. */
export function formatKeyPath(path: readonly PathSegment[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? segment : `.${segment}`;
  }
  return out;
}

/** Positions inside one YAML document. */
export class SourceMap {
  readonly #doc: Document;
  readonly #lines: LineCounter;
  readonly #text: string;

  /**
   * @param doc document parsed with `parseDocument(text, { lineCounter })`
   * @param lines the same `LineCounter`
   * @param text the parsed text
   */
  constructor(doc: Document, lines: LineCounter, text: string) {
    this.#doc = doc;
    this.#lines = lines;
    this.#text = text;
  }

  /** Line/column of a character offset in the file. */
  positionOf(offset: number): Position {
    const { line, col } = this.#lines.linePos(offset);
    return { line, col };
  }

  /**
   * Finds the node at `path`, or the deepest existing node on the way.
   * @returns the node, the key node of its pair (when inside a mapping) and
   *   whether the whole path was found
   */
  #find(path: readonly PathSegment[]): { node?: Node; key?: Node; complete: boolean } {
    let node = this.#doc.contents as Node | null | undefined;
    let key: Node | undefined;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === segment);
        if (!pair) return { node, key, complete: false };
        key = pair.key as Node;
        node = (pair.value as Node | null) ?? undefined;
        if (!node) return { node: key, key, complete: false };
      } else if (isSeq(node) && typeof segment === "number" && node.items[segment]) {
        node = node.items[segment] as Node;
        key = undefined;
      } else {
        return { node: node ?? undefined, key, complete: false };
      }
    }
    return { node: node ?? undefined, key, complete: true };
  }

  /**
   * Position of the value at `path` (or of its key with `atKey`). When the
   * path does not exist (a missing key), the deepest existing node is used.
   */
  locate(path: readonly PathSegment[], options: { atKey?: boolean } = {}): Position {
    const found = this.#find(path);
    const node = options.atKey && found.complete && found.key ? found.key : found.node;
    return this.positionOf(node?.range?.[0] ?? 0);
  }

  /**
   * Position of `column` (1-based) inside the string value at `path`: exact
   * for single-line plain and quoted scalars without escapes, otherwise the
   * scalar's start.
   */
  locateInString(path: readonly PathSegment[], column: number): Position {
    const { node } = this.#find(path);
    const start = this.positionOf(node?.range?.[0] ?? 0);
    if (!isScalar(node) || typeof node.value !== "string" || !node.range) return start;
    const raw = this.#text.slice(node.range[0], node.range[1]);
    const quoted = node.type === "QUOTE_SINGLE" || node.type === "QUOTE_DOUBLE";
    const inner = quoted ? raw.slice(1, -1) : raw;
    if (inner !== node.value || node.value.includes("\n")) return start;
    return { line: start.line, col: start.col + (quoted ? 1 : 0) + column - 1 };
  }

  /** Key path of the innermost mapping entry or list item containing `offset`. */
  keyPathAt(offset: number): PathSegment[] {
    const path: PathSegment[] = [];
    let node = this.#doc.contents as Node | null | undefined;
    while (node) {
      if (isMap(node)) {
        const pair = node.items.find((p) => {
          const from = (p.key as Node | null)?.range?.[0] ?? Infinity;
          const to = (p.value as Node | null)?.range?.[1] ?? (p.key as Node | null)?.range?.[1] ??
            -1;
          return isPair(p) && offset >= from && offset <= to;
        });
        if (!pair || !isScalar(pair.key)) break;
        path.push(String(pair.key.value));
        node = pair.value as Node | null;
      } else if (isSeq(node)) {
        const index = node.items.findIndex((item) => {
          const range = (item as Node | null)?.range;
          return range != null && offset >= range[0] && offset <= range[1];
        });
        if (index < 0) break;
        path.push(index);
        node = node.items[index] as Node;
      } else {
        break;
      }
    }
    return path;
  }
}
