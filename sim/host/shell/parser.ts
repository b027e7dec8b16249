/**
 * Parser of the mini shell: turns a command line, as `bash -c` receives it,
 * into a {@link List}. Handles single/double quotes, backslash escapes,
 * comments, `;` `&` newline separators, `&&` `||` `|` `!`, redirections
 * (`>`, `>>`, `<`, `N>&M`, `&>`), `$VAR`, `${VAR}`, `$?`, `$(...)`,
 * `${VAR:-word}`, backquotes, `( ... )`, `{ ...; }`, `for`/`while`/`until`/`if`
 * compound commands, heredocs (`<<EOF`, `<<'EOF'`, `<<-EOF`) and here-strings (`<<<`).
 * @module
 */
import type { AndOr, Command, List, Pipeline, Redirect, Word, WordPart } from "./ast.ts";

/** Reserved words that end a list inside a compound command. */
type Keyword = "do" | "done" | "then" | "elif" | "else" | "fi";

/** A heredoc whose body is read at the next newline. */
interface PendingHeredoc {
  redirect: Redirect;
  delimiter: string;
  /** Delimiter was quoted: the body is literal. */
  quoted: boolean;
  /** `<<-`: leading tabs are stripped. */
  strip: boolean;
}

/** A syntax error, with bash's wording (`syntax error near unexpected token `;'`). */
export class ShellSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ShellSyntaxError";
  }
}

const META = " \t\n;&|<>()";

/**
 * Parses a whole command line.
 * @throws ShellSyntaxError on unbalanced quotes/parentheses or misplaced operators
 */
export function parseScript(src: string): List {
  const p = new Parser(src);
  const list = p.list(null);
  p.skipBlanks(true);
  if (!p.eof) throw p.unexpected();
  return list;
}

/** Parses heredoc text with `$VAR`, `$(...)` and backquotes expanded (quotes are literal). */
function parseExpandingText(text: string): Word {
  const p = new Parser(text);
  const parts: WordPart[] = [];
  p.expandingText(parts, false);
  return parts;
}

class Parser {
  pos = 0;
  #heredocs: PendingHeredoc[] = [];
  constructor(readonly src: string) {}

  /** Consumes a newline and reads the bodies of heredocs started on its line. */
  #eatNewline(): void {
    this.pos++;
    const pending = this.#heredocs;
    this.#heredocs = [];
    for (const h of pending) {
      let body = "";
      while (!this.eof) {
        const nl = this.src.indexOf("\n", this.pos);
        const end = nl < 0 ? this.src.length : nl;
        let line = this.src.slice(this.pos, end);
        this.pos = nl < 0 ? end : nl + 1;
        if (h.strip) line = line.replace(/^\t+/, "");
        if (line === h.delimiter) break;
        body += line + "\n";
      }
      h.redirect.target = h.quoted
        ? [{ type: "lit", text: body, quoted: true }]
        : parseExpandingText(body);
    }
  }

  /** The reserved word at pos when it is one of `words` (followed by a separator). */
  #atKeyword(words: string[]): string | null {
    const m = /^[a-z]+/.exec(this.src.slice(this.pos, this.pos + 8));
    if (!m || !words.includes(m[0])) return null;
    const after = this.src[this.pos + m[0].length];
    return after === undefined || META.includes(after) ? m[0] : null;
  }

  #expectKeyword(word: Keyword): void {
    this.skipBlanks(true);
    if (this.#atKeyword([word]) !== word) {
      if (this.eof) throw new ShellSyntaxError("syntax error: unexpected end of file");
      throw this.unexpected();
    }
    this.pos += word.length;
  }

  get eof(): boolean {
    return this.pos >= this.src.length;
  }

  peek(n = 0): string {
    return this.src[this.pos + n] ?? "";
  }

  unexpected(): ShellSyntaxError {
    const rest = this.src.slice(this.pos);
    const token = /^(&&|\|\||;;|[;&|()<>]|\S+)/.exec(rest)?.[0] ?? "newline";
    return new ShellSyntaxError(
      `syntax error near unexpected token \`${token === "\n" ? "newline" : token}'`,
    );
  }

  /** Skips blanks, line continuations and comments (and newlines when asked). */
  skipBlanks(newlines = false): void {
    while (!this.eof) {
      const c = this.peek();
      if (c === " " || c === "\t") this.pos++;
      else if (newlines && c === "\n") this.#eatNewline();
      else if (c === "\\" && this.peek(1) === "\n") this.pos += 2;
      else if (c === "#") {
        while (!this.eof && this.peek() !== "\n") this.pos++;
      } else break;
    }
  }

  #atGroupEnd(): boolean {
    return this.peek() === "}" && (this.pos + 1 >= this.src.length || META.includes(this.peek(1)));
  }

  list(term: ")" | "}" | null, keywords: Keyword[] = []): List {
    const items: List = [];
    for (;;) {
      this.skipBlanks(true);
      if (this.eof) break;
      if (term === ")" && this.peek() === ")") break;
      if (term === "}" && this.#atGroupEnd()) break;
      if (keywords.length && this.#atKeyword(keywords)) break;
      const ao = this.andOr();
      items.push(ao);
      this.skipBlanks();
      const c = this.peek();
      if (c === "&" && this.peek(1) !== "&" && this.peek(1) !== ">") {
        this.pos++;
        ao.background = true;
      } else if (c === ";" && this.peek(1) !== ";") this.pos++;
      else if (c === "\n") this.#eatNewline();
      else break;
    }
    return items;
  }

  andOr(): AndOr {
    const ao: AndOr = { first: this.pipeline(), rest: [], background: false };
    for (;;) {
      this.skipBlanks();
      const two = this.src.slice(this.pos, this.pos + 2);
      if (two !== "&&" && two !== "||") break;
      this.pos += 2;
      this.skipBlanks(true);
      ao.rest.push({ op: two, pipeline: this.pipeline() });
    }
    return ao;
  }

  pipeline(): Pipeline {
    this.skipBlanks();
    let negate = false;
    if (this.peek() === "!" && " \t".includes(this.peek(1))) {
      negate = true;
      this.pos++;
    }
    const commands = [this.command()];
    for (;;) {
      this.skipBlanks();
      if (this.peek() !== "|" || this.peek(1) === "|") break;
      this.pos++;
      this.skipBlanks(true);
      commands.push(this.command());
    }
    return { negate, commands };
  }

  command(): Command {
    this.skipBlanks();
    const c = this.peek();
    if (c === "(") {
      this.pos++;
      const list = this.list(")");
      if (this.peek() !== ")") throw new ShellSyntaxError("syntax error: unexpected end of file");
      this.pos++;
      return { type: "subshell", list, redirects: this.#trailingRedirects() };
    }
    if (c === "{" && " \t\n".includes(this.peek(1))) {
      this.pos++;
      const list = this.list("}");
      if (!this.#atGroupEnd()) throw new ShellSyntaxError("syntax error: unexpected end of file");
      this.pos++;
      return { type: "group", list, redirects: this.#trailingRedirects() };
    }
    const keyword = this.#atKeyword(["for", "while", "until", "if"]);
    if (keyword === "for") return this.#for();
    if (keyword === "while" || keyword === "until") {
      this.pos += keyword.length;
      const cond = this.list(null, ["do"]);
      this.#expectKeyword("do");
      const body = this.list(null, ["done"]);
      this.#expectKeyword("done");
      return { type: keyword, cond, body, redirects: this.#trailingRedirects() };
    }
    if (keyword === "if") return this.#if();
    const cmd: Command = { type: "simple", assigns: [], words: [], redirects: [] };
    for (;;) {
      this.skipBlanks();
      const ch = this.peek();
      if (this.eof || ";|)\n".includes(ch) || (ch === "&" && this.peek(1) !== ">")) break;
      if (ch === "(") throw this.unexpected();
      const redirect = this.#redirect();
      if (redirect) {
        cmd.redirects.push(redirect);
        continue;
      }
      const word = this.word();
      const first = word[0];
      const m = first?.type === "lit" && !first.quoted
        ? /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(first.text)
        : null;
      if (m && cmd.words.length === 0) {
        const rest: Word = first.type === "lit" && first.text.length > m[0].length
          ? [{ type: "lit", text: first.text.slice(m[0].length), quoted: false }, ...word.slice(1)]
          : word.slice(1);
        cmd.assigns.push({ name: m[1], value: rest });
      } else cmd.words.push(word);
    }
    if (cmd.words.length === 0 && cmd.assigns.length === 0 && cmd.redirects.length === 0) {
      throw this.unexpected();
    }
    return cmd;
  }

  #for(): Command {
    this.pos += 3;
    this.skipBlanks();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.src.slice(this.pos));
    if (!m) throw this.unexpected();
    this.pos += m[0].length;
    this.skipBlanks();
    let words: Word[] | null = null;
    if (this.#atKeyword(["in"])) {
      this.pos += 2;
      words = [];
      for (;;) {
        this.skipBlanks();
        const c = this.peek();
        if (c === ";") {
          this.pos++;
          break;
        }
        if (c === "\n") {
          this.#eatNewline();
          break;
        }
        if (this.eof || META.includes(c)) throw this.unexpected();
        words.push(this.word());
      }
    } else if (this.peek() === ";") this.pos++;
    this.#expectKeyword("do");
    const body = this.list(null, ["done"]);
    this.#expectKeyword("done");
    return { type: "for", name: m[0], words, body, redirects: this.#trailingRedirects() };
  }

  #if(): Command {
    this.pos += 2;
    const clauses: { cond: List; body: List }[] = [];
    let elseBody: List | null = null;
    for (;;) {
      const cond = this.list(null, ["then"]);
      this.#expectKeyword("then");
      const body = this.list(null, ["elif", "else", "fi"]);
      clauses.push({ cond, body });
      this.skipBlanks(true);
      const next = this.#atKeyword(["elif", "else", "fi"]);
      if (next === "elif") {
        this.pos += 4;
        continue;
      }
      if (next === "else") {
        this.pos += 4;
        elseBody = this.list(null, ["fi"]);
      }
      this.#expectKeyword("fi");
      return { type: "if", clauses, elseBody, redirects: this.#trailingRedirects() };
    }
  }

  #trailingRedirects(): Redirect[] {
    const out: Redirect[] = [];
    for (;;) {
      this.skipBlanks();
      const r = this.#redirect();
      if (!r) return out;
      out.push(r);
    }
  }

  #redirect(): Redirect | null {
    const m = /^(\d*)(<<<|<<-|<<|>>|>&|>|<&|<|&>)/.exec(this.src.slice(this.pos));
    if (!m) return null;
    this.pos += m[0].length;
    this.skipBlanks();
    if (this.eof || META.includes(this.peek())) throw this.unexpected();
    const target = this.word();
    if (m[2] === "<<" || m[2] === "<<-") {
      const redirect: Redirect = { fd: m[1] !== "" ? Number(m[1]) : 0, op: "<<", target: [] };
      this.#heredocs.push({
        redirect,
        delimiter: target.map((p) => (p.type === "lit" ? p.text : "")).join(""),
        quoted: target.some((p) => p.type === "lit" && p.quoted),
        strip: m[2] === "<<-",
      });
      return redirect;
    }
    if (m[2] === "<<<") return { fd: m[1] !== "" ? Number(m[1]) : 0, op: "<<<", target };
    const op = m[2] === "<&" ? "<" : m[2] as Redirect["op"];
    const fd = m[1] !== "" ? Number(m[1]) : op === "<" ? 0 : 1;
    return { fd, op, target };
  }

  word(): Word {
    const parts: WordPart[] = [];
    let lit = "";
    const flush = () => {
      if (lit) parts.push({ type: "lit", text: lit, quoted: false });
      lit = "";
    };
    while (!this.eof) {
      const c = this.peek();
      if (META.includes(c)) break;
      if (c === "\\") {
        const next = this.peek(1);
        this.pos += 2;
        if (next === "\n" || next === "") continue;
        flush();
        parts.push({ type: "lit", text: next, quoted: true });
      } else if (c === "'") {
        const end = this.src.indexOf("'", this.pos + 1);
        if (end < 0) throw new ShellSyntaxError("unexpected EOF while looking for matching `''");
        flush();
        parts.push({ type: "lit", text: this.src.slice(this.pos + 1, end), quoted: true });
        this.pos = end + 1;
      } else if (c === '"') {
        flush();
        this.pos++;
        this.#doubleQuoted(parts);
      } else if (c === "$") {
        const part = this.#dollar(false);
        if (part) {
          flush();
          parts.push(part);
        } else {
          lit += "$";
          this.pos++;
        }
      } else if (c === "`") {
        flush();
        parts.push(this.#backquote(false));
      } else {
        lit += c;
        this.pos++;
      }
    }
    flush();
    return parts;
  }

  #doubleQuoted(parts: WordPart[]): void {
    // An empty quoted part first: `""` still makes a (empty) field.
    parts.push({ type: "lit", text: "", quoted: true });
    this.expandingText(parts, true);
  }

  /**
   * Text with `$` expansions and backquotes, as inside double quotes; up to the
   * closing `"` when `untilQuote`, else to the end (heredoc bodies).
   */
  expandingText(parts: WordPart[], untilQuote: boolean): void {
    let lit = "";
    const flush = () => {
      if (lit) parts.push({ type: "lit", text: lit, quoted: true });
      lit = "";
    };
    for (;;) {
      if (this.eof) {
        if (!untilQuote) return flush();
        throw new ShellSyntaxError("unexpected EOF while looking for matching `\"'");
      }
      const c = this.peek();
      if (c === '"' && untilQuote) {
        this.pos++;
        flush();
        return;
      }
      if (c === "\\" && '$`"\\\n'.includes(this.peek(1))) {
        if (this.peek(1) !== "\n") lit += this.peek(1);
        this.pos += 2;
      } else if (c === "$") {
        const part = this.#dollar(true);
        if (part) {
          flush();
          parts.push(part);
        } else {
          lit += "$";
          this.pos++;
        }
      } else if (c === "`") {
        flush();
        parts.push(this.#backquote(true));
      } else {
        lit += c;
        this.pos++;
      }
    }
  }

  #backquote(quoted: boolean): WordPart {
    const end = this.src.indexOf("`", this.pos + 1);
    if (end < 0) throw new ShellSyntaxError("unexpected EOF while looking for matching ``'");
    const inner = this.src.slice(this.pos + 1, end);
    this.pos = end + 1;
    return { type: "cmdsub", list: parseScript(inner), quoted };
  }

  /** `$...` at pos; null when `$` is literal. */
  #dollar(quoted: boolean): WordPart | null {
    const next = this.peek(1);
    if (next === "(") {
      if (this.peek(2) === "(") throw new ShellSyntaxError("arithmetic expansion is not supported");
      this.pos += 2;
      const list = this.list(")");
      if (this.peek() !== ")") {
        throw new ShellSyntaxError("unexpected EOF while looking for matching `)'");
      }
      this.pos++;
      return { type: "cmdsub", list, quoted };
    }
    if (next === "{") {
      const end = this.src.indexOf("}", this.pos + 2);
      if (end < 0) throw new ShellSyntaxError("unexpected EOF while looking for matching `}'");
      const name = this.src.slice(this.pos + 2, end);
      const withDefault = /^([A-Za-z_][A-Za-z0-9_]*)(:?)-(.*)$/s.exec(name);
      if (withDefault) {
        this.pos = end + 1;
        return {
          type: "var",
          name: withDefault[1],
          quoted,
          fallback: { colon: withDefault[2] === ":", word: parseExpandingText(withDefault[3]) },
        };
      }
      if (!/^([A-Za-z_][A-Za-z0-9_]*|[?$#0!@*])$/.test(name)) {
        throw new ShellSyntaxError(`\${${name}}: bad substitution`);
      }
      this.pos = end + 1;
      return { type: "var", name, quoted };
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*|[?$#0!@*])/.exec(this.src.slice(this.pos + 1));
    if (!m) return null;
    this.pos += 1 + m[0].length;
    return { type: "var", name: m[0], quoted };
  }
}
