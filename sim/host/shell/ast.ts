/**
 * Syntax tree of the mini shell: the subset of `bash -c` command lines the
 * simulator understands (lists, `&&`/`||`, pipes, redirections, `&`, quotes,
 * `$VAR`, `${VAR}`, `${VAR:-word}`, `$(...)`, `( ... )`, `{ ...; }`, `for`, `while`,
 * `until`, `if`, heredocs).
 * @module
 */

/** One piece of a word. `quoted` parts are not field-split nor globbed. */
export type WordPart =
  | { type: "lit"; text: string; quoted: boolean }
  | {
    type: "var";
    name: string;
    quoted: boolean;
    /** `${VAR:-word}` (`colon`: also when empty) / `${VAR-word}`: the word used when unset. */
    fallback?: { colon: boolean; word: Word };
  }
  | { type: "cmdsub"; list: List; quoted: boolean };

/** A word: parts concatenated. */
export type Word = WordPart[];

/**
 * A redirection: `fd op target`, e.g. `2>&1` is `{fd: 2, op: ">&", target: "1"}`.
 * For a heredoc (`<<`) the target is the body (expanded unless the delimiter
 * was quoted); for a here-string (`<<<`) the word.
 */
export interface Redirect {
  fd: number;
  op: ">" | ">>" | "<" | ">&" | "&>" | "<<" | "<<<";
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

/** `for NAME in WORDS; do BODY; done` (`words` null: no `in`, iterates nothing). */
export interface ForCommand {
  type: "for";
  name: string;
  words: Word[] | null;
  body: List;
  redirects: Redirect[];
}

/** `while COND; do BODY; done` / `until ...`. */
export interface LoopCommand {
  type: "while" | "until";
  cond: List;
  body: List;
  redirects: Redirect[];
}

/** `if COND; then BODY; elif COND; then BODY; else BODY; fi`. */
export interface IfCommand {
  type: "if";
  clauses: { cond: List; body: List }[];
  elseBody: List | null;
  redirects: Redirect[];
}

/** Any command. */
export type Command = SimpleCommand | CompoundCommand | ForCommand | LoopCommand | IfCommand;

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
