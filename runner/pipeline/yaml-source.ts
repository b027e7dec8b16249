/**
 * Parsing of YAML (and JSON) files with positions: syntax errors keep the
 * `yaml` library's own line/column, and later checks report problems by key
 * path through {@link IssueCollector}.
 * @module
 */
import { yaml } from "./yaml-library.ts";
import { ValidationError, type ValidationIssue } from "../errors.ts";
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
 * Parses YAML text (JSON is YAML too). Duplicate keys, tabs used for
 * indentation, bad indentation and unclosed quotes/brackets are reported with
 * the parser's line/column and, when it can be found, the key path.
 * @param text file content
 * @param source file name for messages
 * @throws ValidationError listing every syntax error
 */
export function parseYamlText(text: string, source: string): YamlSource {
  const lines = new yaml.LineCounter();
  const doc = yaml.parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
  });
  const map = new SourceMap(doc, lines, text);
  const syntaxIssues: ValidationIssue[] = doc.errors.map((error) => {
    const { line, col } = lines.linePos(error.pos[0]);
    const key = formatKeyPath(map.keyPathAt(error.pos[0]));
    return {
      source,
      line,
      col,
      key: key || undefined,
      message: `YAML syntax error: ${yamlMessage(error.code, error.message)}`,
    };
  });
  // A duplicate key leaves a well-formed document: report it with the file's
  // other problems. Any other syntax error makes the content unreliable.
  if (doc.errors.some((error) => error.code !== "DUPLICATE_KEY")) {
    throw new ValidationError(syntaxIssues);
  }
  return { source, value: doc.toJS({ maxAliasCount: 100 }), map, syntaxIssues };
}

/** Adds a hint to the `yaml` library's terse messages. */
function yamlMessage(code: string, message: string): string {
  const text = message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
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
