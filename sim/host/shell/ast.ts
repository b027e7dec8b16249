/**
 * Syntax tree of the mini shell: the subset of `bash -c` command lines the
 * simulator understands (lists, `&&`/`||`, pipes, redirections, `&`, quotes,
 * `$VAR`, `${VAR}`, `$(...)`, `( ... )`, `{ ...; }`).
 * @module
 */

/** One piece of a word. `quoted` parts are not field-split nor globbed. */
export type WordPart =
  | { type: "lit"; text: string; quoted: boolean }
  | { type: "var"; name: string; quoted: boolean }
  | { type: "cmdsub"; list: List; quoted: boolean };

/** A word: parts concatenated. */
export type Word = WordPart[];

/** A redirection: `fd op target`, e.g. `2>&1` is `{fd: 2, op: ">&", target: "1"}`. */
export interface Redirect {
  fd: number;
  op: ">" | ">>" | "<" | ">&" | "&>";
  target: Word;
}

/** `NAME=value ... cmd args ... redirections`. */
export interface SimpleCommand {
  type: "simple";
  assigns: { name: string; value: Word }[];
  words: Word[];
  redirects: Redirect[];
}

/** `( list )` (subshell) or `{ list; }` (group). */
export interface CompoundCommand {
  type: "subshell" | "group";
  list: List;
  redirects: Redirect[];
}

/** Any command. */
export type Command = SimpleCommand | CompoundCommand;

/** `[!] cmd | cmd | ...`. */
export interface Pipeline {
  negate: boolean;
  commands: Command[];
}

/** `pipeline && pipeline || ...`, optionally run in the background (`&`). */
export interface AndOr {
  first: Pipeline;
  rest: { op: "&&" | "||"; pipeline: Pipeline }[];
  background: boolean;
}

/** A command list (`;`, newline or `&` separated). */
export type List = AndOr[];
