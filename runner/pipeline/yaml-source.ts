/**
 * Parsing of YAML (and JSON) files with positions: syntax errors keep the
 * `yaml` library's own line/column, and later checks report problems by key
 * path through {@link IssueCollector}.
 * @module
 */
import { yaml } from "./yaml-library.ts";
import { ValidationError, type ValidationIssue } from "../errors.ts";
import { jsonSyntaxError } from "./json-strict.ts";
import { formatKeyPath, type PathSegment, type Position, SourceMap } from "./source-map.ts";

/** A parsed YAML file. */
export interface YamlSource {
  /** File name used in messages (as the user gave it). */
  source: string;
  /** The document as plain JS (mappings as objects). */
  value: unknown;
  /** Positions of key paths. */
  map: SourceMap;
  /** Recoverable syntax problems (duplicate keys), reported with the others. */
  syntaxIssues?: ValidationIssue[];
}

/**
 * The parser's errors that have a cause of their own: every duplicate key,
 * and only the first other syntax error. After an unclosed `[` or `{` the
 * parser reads the rest of the file into that collection, so every later
 * error (bad indentation, implicit keys, the enclosing `{`) follows from the
 * first one; reporting them would send the user after problems that are not
 * there.
 */
function withoutCascades(errors: InstanceType<typeof yaml.YAMLError>[]) {
  let first = true;
  return errors.filter((error) => {
    if (error.code === "DUPLICATE_KEY") return true;
    const keep = first;
    first = false;
    return keep;
  });
}

/**
 * Parses YAML text; when `source` ends in `.json` the text must be strict JSON
 * (`JSON.parse`, see json-strict.ts), reported as a "JSON syntax error" at its
 * line/column. Duplicate keys, tabs used for
 * indentation, bad indentation and unclosed quotes/brackets are reported with
 * the parser's line/column and, when it can be found, the key path.
 * @param text file content
 * @param source file name for messages
 * @throws ValidationError listing every syntax error
 */
export function parseYamlText(text: string, source: string): YamlSource {
  const binary = notText(text, source);
  if (binary) throw new ValidationError([binary]);
  const deep = tooDeep(text, source);
  if (deep) throw new ValidationError([deep]);
  const lines = new yaml.LineCounter();
  const doc = yaml.parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
  });
  const map = new SourceMap(doc, lines, text);
  // A `.json` file is parsed as YAML for positions (JSON is YAML), but its
  // author wrote JSON: what JSON refuses is an error even where YAML allows it.
  const syntax = /\.json$/i.test(source) ? "JSON" : "YAML";
  if (syntax === "JSON" && text.trim() !== "") {
    const error = jsonSyntaxError(text);
    if (error) {
      const { line, col } = lines.linePos(error.offset);
      const key = doc.errors.length === 0 ? formatKeyPath(map.keyPathAt(error.offset)) : "";
      throw new ValidationError([{
        source,
        line,
        col,
        key: key || undefined,
        message: `JSON syntax error: ${error.message}`,
      }]);
    }
  }
  const textLines = text.split("\n");
  const syntaxIssues: ValidationIssue[] = withoutCascades(doc.errors).map((error) => {
    const { line, col } = lines.linePos(error.pos[0]);
    const key = formatKeyPath(map.keyPathAt(error.pos[0]));
    const hint = unquotedExpressionHint(textLines[line - 1] ?? "");
    return {
      source,
      line,
      col,
      key: key || undefined,
      message: `${syntax} syntax error: ${yamlMessage(error.code, error.message)}` +
        (hint ? ` (${hint})` : ""),
    };
  });
  // A duplicate key leaves a well-formed document: report it with the file's
  // other problems. Any other syntax error makes the content unreliable.
  if (doc.errors.some((error) => error.code !== "DUPLICATE_KEY")) {
    throw new ValidationError(syntaxIssues);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (!(error instanceof ReferenceError) || !/alias/i.test(error.message)) throw error;
    // The `yaml` library refuses an alias expansion growing past the bound: an alias bomb.
    let first: number | undefined;
    yaml.visit(doc, {
      Alias(_, node) {
        if (yaml.isAlias(node) && node.range) first = node.range[0];
        return yaml.visit.BREAK;
      },
    });
    const { line, col } = lines.linePos(first ?? 0);
    throw new ValidationError([{
      source,
      line,
      col,
      message: `too many aliases: expanding the YAML aliases (*name) exceeds the limit of ` +
        `${MAX_ALIAS_COUNT} (an alias bomb?); write the values out`,
    }]);
  }
  return { source, value, map, syntaxIssues };
}

/** The `yaml` library's `maxAliasCount`: bound of alias expansions before it refuses. */
export const MAX_ALIAS_COUNT = 100;
/** Deepest nesting of flow collections (`[`, `{`) or block indentation accepted, in levels. */
export const MAX_NESTING = 64;

/**
 * A one-line problem when `text` is not text: it holds NUL or other control
 * characters YAML does not allow, or bytes that are not UTF-8 (decoded as
 * U+FFFD). Source: YAML 1.2.2 section 5.1 (printable character set).
 */
function notText(text: string, source: string): ValidationIssue | undefined {
  // Control characters are exactly what is looked for here.
  // deno-lint-ignore no-control-regex
  const at = text.search(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffd]/);
  if (at < 0) return undefined;
  const before = text.slice(0, at);
  const line = before.split("\n").length;
  const col = at - before.lastIndexOf("\n");
  return {
    source,
    line,
    col,
    message: "not a text file (binary or non-UTF-8 content); a pipeline is a YAML text file",
  };
}

/**
 * A problem when flow collections nest deeper than {@link MAX_NESTING} or a
 * line is indented more than 4 × {@link MAX_NESTING} columns: such input only
 * exhausts the parser's stack. Brackets inside quotes and comments are not counted.
 */
function tooDeep(text: string, source: string): ValidationIssue | undefined {
  const lines = text.split("\n");
  let depth = 0;
  for (const [index, lineText] of lines.entries()) {
    const indent = lineText.length - lineText.trimStart().length;
    if (indent > 4 * MAX_NESTING && lineText.trim() !== "") {
      return nestingIssue(source, index + 1, indent + 1);
    }
    let quote: string | undefined;
    for (let i = 0; i < lineText.length; i++) {
      const c = lineText[i];
      if (quote) {
        if (c === quote) quote = undefined;
        continue;
      }
      if (c === "#" && (i === 0 || /\s/.test(lineText[i - 1]))) break;
      if ((c === "'" || c === '"') && depth > 0) quote = c;
      else if (c === "[" || c === "{") {
        if (++depth > MAX_NESTING) return nestingIssue(source, index + 1, i + 1);
      } else if ((c === "]" || c === "}") && depth > 0) depth--;
    }
  }
  return undefined;
}

function nestingIssue(source: string, line: number, col: number): ValidationIssue {
  return {
    source,
    line,
    col,
    message: `nesting deeper than ${MAX_NESTING} levels; a pipeline never needs that`,
  };
}

/**
 * A hint when `lineText` holds an unquoted `${{ }}` expression: inside a flow
 * mapping or list (`{ hosts: ${{ inputs.hosts }} }`) its `{` and `}` are YAML
 * syntax, so the parser fails with a message that does not say why.
 * @returns e.g. `quote the expression, e.g. hosts: "${{ inputs.hosts }}"`, or
 *   undefined when every `${{` on the line is inside quotes
 */
export function unquotedExpressionHint(lineText: string): string | undefined {
  let quote: string | undefined;
  for (let i = 0; i < lineText.length; i++) {
    const c = lineText[i];
    if (quote) {
      if (c === quote) quote = undefined;
      continue;
    }
    if (c === "#" && (i === 0 || /\s/.test(lineText[i - 1]))) return undefined;
    if (c === "'" || c === '"') quote = c;
    else if (lineText.startsWith("${{", i)) {
      const end = lineText.indexOf("}}", i);
      const expression = end < 0 ? "${{ ... }}" : lineText.slice(i, end + 2);
      const key = lineText.slice(0, i).match(/([\w.-]+):\s*$/)?.[1];
      return `quote the expression, e.g. ${key ? `${key}: ` : ""}"${expression}"`;
    }
  }
  return undefined;
}

/** Adds a hint to the `yaml` library's terse messages. */
function yamlMessage(code: string, message: string): string {
  const text = message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
  const unclosed = text.match(/^Flow (?:sequence|map) .*end with an? ([\]}])$/)?.[1];
  if (unclosed) {
    const opener = unclosed === "]" ? "[" : "{";
    return `${text} (is a "${opener}" left without its "${unclosed}"? ` +
      `Otherwise check the indentation of this line and the one above)`;
  }
  switch (code) {
    case "DUPLICATE_KEY":
      return `${text} (this key appears twice in the same mapping; remove or rename one)`;
    case "TAB_AS_INDENT":
      return `${text} (indent with spaces)`;
    case "BAD_INDENT":
    case "BLOCK_AS_IMPLICIT_KEY":
    case "MULTILINE_IMPLICIT_KEY":
      return `${text} (check the indentation of this line and the one above)`;
    default:
      return text;
  }
}

/**
 * Reads a text file for validation.
 * @throws ValidationError when the file is missing, a directory or unreadable
 */
export async function readSourceFile(path: string, source: string, what: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    throw new ValidationError([{ source, message: fileErrorMessage(error, path, what) }]);
  }
}

/**
 * Synchronous {@link readSourceFile} (for `--config`).
 * @throws ValidationError when the file is missing, a directory or unreadable
 */
export function readSourceFileSync(path: string, source: string, what: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch (error) {
    throw new ValidationError([{ source, message: fileErrorMessage(error, path, what) }]);
  }
}

function fileErrorMessage(error: unknown, path: string, what: string): string {
  if (error instanceof Deno.errors.NotFound) return `${what} not found: ${path}`;
  if (error instanceof Deno.errors.IsADirectory) {
    return `${what} is a directory, expected a file: ${path}`;
  }
  return `cannot read ${what} ${path}: ${(error as Error).message}`;
}

/** Collects located problems of one file. */
export class IssueCollector {
  readonly issues: ValidationIssue[] = [];
  readonly #file: YamlSource;

  constructor(file: YamlSource) {
    this.#file = file;
    this.issues.push(...(file.syntaxIssues ?? []));
  }

  /**
   * Adds a problem at a key path.
   * @param path key path from the document root
   * @param message what is wrong and what would be right
   * @param options `atKey`: point at the key rather than the value;
   *   `position`: an exact position (e.g. inside an expression)
   */
  add(
    path: readonly PathSegment[],
    message: string,
    options: { atKey?: boolean; position?: Position } = {},
  ): void {
    const { line, col } = options.position ?? this.#file.map.locate(path, options);
    const key = formatKeyPath(path);
    this.issues.push({ source: this.#file.source, line, col, key: key || undefined, message });
  }

  /** Throws a {@link ValidationError} of every collected problem, in file order, if any. */
  throwIfAny(): void {
    if (this.issues.length === 0) return;
    const sorted = this.issues
      .map((issue, index) => ({ issue, index }))
      .sort((a, b) =>
        (a.issue.line ?? 0) - (b.issue.line ?? 0) || (a.issue.col ?? 0) - (b.issue.col ?? 0) ||
        a.index - b.index
      )
      .map(({ issue }) => issue);
    throw new ValidationError(sorted);
  }
}
