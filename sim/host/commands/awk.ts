/**
 * A subset of `awk` for the simulated host, enough for what scripts pipe into
 * it: `-F SEP`, `-v NAME=VALUE`, rules `PATTERN { ACTIONS }` with `BEGIN`/`END`,
 * patterns `/re/`, `!/re/`, comparisons (`NR==2`, `$1=="x"`, `$2 ~ /re/`) joined
 * by `&&`/`||`; actions `print [expr, ...]`, `printf fmt, ...`, assignments
 * (`=`, `+=`), `next`, `exit`; expressions with fields (`$N`, `$NF`), `NR`,
 * `NF`, strings, numbers, concatenation, `+ - * /`, `length()`, `tolower()`,
 * `toupper()`, `substr()`. Anything else is a syntax error (exit 2).
 * @module
 */
import type { CommandFn } from "./types.ts";
import { readInputs, textLines } from "./util.ts";

type Token = { t: "num" | "str" | "re" | "id" | "op"; v: string };

class AwkSyntaxError extends Error {}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const prevAllowsRegex = () => {
    const p = out[out.length - 1];
    return !p || (p.t === "op" && !")]".includes(p.v));
  };
  while (i < src.length) {
    const c = src[i];
    if (" \t".includes(c)) {
      i++;
      continue;
    }
    if (c === "\n") {
      out.push({ t: "op", v: ";" });
      i++;
      continue;
    }
    if (c === "#") {
      while (i < src.length && src[i] !== "\n") i++;
      continue;
    }
    if (c === '"') {
      let v = "";
      i++;
      while (i < src.length && src[i] !== '"') {
        if (src[i] === "\\") {
          const n = src[++i];
          v += n === "n" ? "\n" : n === "t" ? "\t" : n;
        } else v += src[i];
        i++;
      }
      i++;
      out.push({ t: "str", v });
      continue;
    }
    if (c === "/" && prevAllowsRegex()) {
      let v = "";
      i++;
      while (i < src.length && src[i] !== "/") {
        if (src[i] === "\\" && src[i + 1] === "/") {
          v += "/";
          i += 2;
          continue;
        }
        v += src[i++];
      }
      i++;
      out.push({ t: "re", v });
      continue;
    }
    const num = /^\d+(\.\d+)?/.exec(src.slice(i));
    if (num) {
      out.push({ t: "num", v: num[0] });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id) {
      out.push({ t: "id", v: id[0] });
      i += id[0].length;
      continue;
    }
    const op = /^(\+=|-=|==|!=|<=|>=|&&|\|\||!~|\+\+|--|[-+*/%<>=!~$(){};,])/.exec(src.slice(i));
    if (!op) throw new AwkSyntaxError(`syntax error at source line 1: ${src.slice(i, i + 10)}`);
    out.push({ t: "op", v: op[0] });
    i += op[0].length;
  }
  return out;
}

type Expr =
  | { k: "num"; v: number }
  | { k: "str"; v: string }
  | { k: "re"; v: string }
  | { k: "field"; e: Expr }
  | { k: "var"; name: string }
  | { k: "call"; name: string; args: Expr[] }
  | { k: "un"; op: string; e: Expr }
  | { k: "bin"; op: string; a: Expr; b: Expr }
  | { k: "assign"; op: string; name: string | Expr; e: Expr };

type Stmt =
  | { k: "print"; args: Expr[]; printf: boolean }
  | { k: "expr"; e: Expr }
  | { k: "next" }
  | { k: "exit"; e: Expr | null };

interface Rule {
  pattern: Expr | "BEGIN" | "END" | null;
  actions: Stmt[] | null;
}

class AwkParser {
  i = 0;
  constructor(readonly toks: Token[]) {}
  peek(v?: string): boolean {
    const t = this.toks[this.i];
    return t !== undefined && (v === undefined || (t.t === "op" || t.t === "id") && t.v === v);
  }
  eat(v: string): void {
    if (!this.peek(v)) throw new AwkSyntaxError(`syntax error: expected ${v}`);
    this.i++;
  }
  skipSeps(): void {
    while (this.peek(";")) this.i++;
  }
  program(): Rule[] {
    const rules: Rule[] = [];
    this.skipSeps();
    while (this.i < this.toks.length) {
      let pattern: Rule["pattern"] = null;
      if (this.peek("BEGIN") || this.peek("END")) {
        pattern = this.toks[this.i++].v as "BEGIN" | "END";
      } else if (!this.peek("{")) pattern = this.expr();
      const actions = this.peek("{") ? this.block() : null;
      rules.push({ pattern, actions });
      this.skipSeps();
    }
    return rules;
  }
  block(): Stmt[] {
    this.eat("{");
    const out: Stmt[] = [];
    this.skipSeps();
    while (!this.peek("}")) {
      if (this.i >= this.toks.length) throw new AwkSyntaxError("syntax error: missing }");
      out.push(this.stmt());
      this.skipSeps();
    }
    this.eat("}");
    return out;
  }
  stmt(): Stmt {
    if (this.peek("print") || this.peek("printf")) {
      const printf = this.toks[this.i++].v === "printf";
      const args: Expr[] = [];
      if (!this.peek(";") && !this.peek("}")) {
        args.push(this.expr(true));
        while (this.peek(",")) {
          this.i++;
          args.push(this.expr(true));
        }
      }
      return { k: "print", args, printf };
    }
    if (this.peek("next")) {
      this.i++;
      return { k: "next" };
    }
    if (this.peek("exit")) {
      this.i++;
      return { k: "exit", e: this.peek(";") || this.peek("}") ? null : this.expr() };
    }
    return { k: "expr", e: this.expr() };
  }
  /** `noGt`: in print arguments `>` would be a redirection; not supported, so refused. */
  expr(noGt = false): Expr {
    const left = this.or(noGt);
    const t = this.toks[this.i];
    if (t?.t === "op" && ["=", "+=", "-="].includes(t.v)) {
      this.i++;
      const target = left.k === "var" ? left.name : left.k === "field" ? left : null;
      if (target === null) throw new AwkSyntaxError("syntax error: bad assignment");
      return { k: "assign", op: t.v, name: target, e: this.expr(noGt) };
    }
    return left;
  }
  or(noGt: boolean): Expr {
    let a = this.and(noGt);
    while (this.peek("||")) {
      this.i++;
      a = { k: "bin", op: "||", a, b: this.and(noGt) };
    }
    return a;
  }
  and(noGt: boolean): Expr {
    let a = this.cmp(noGt);
    while (this.peek("&&")) {
      this.i++;
      a = { k: "bin", op: "&&", a, b: this.cmp(noGt) };
    }
    return a;
  }
  cmp(noGt: boolean): Expr {
    const a = this.concat();
    const t = this.toks[this.i];
    const ops = ["==", "!=", "<", "<=", ">=", "~", "!~", ...(noGt ? [] : [">"])];
    if (t?.t === "op" && ops.includes(t.v)) {
      this.i++;
      return { k: "bin", op: t.v, a, b: this.concat() };
    }
    return a;
  }
  concat(): Expr {
    let a = this.additive();
    for (;;) {
      const t = this.toks[this.i];
      const starts = t && (t.t !== "op" || ["$", "("].includes(t.v)) &&
        !(t.t === "id" && ["in"].includes(t.v));
      if (!starts) return a;
      a = { k: "bin", op: "concat", a, b: this.additive() };
    }
  }
  additive(): Expr {
    let a = this.mul();
    while (this.peek("+") || this.peek("-")) {
      const op = this.toks[this.i++].v;
      a = { k: "bin", op, a, b: this.mul() };
    }
    return a;
  }
  mul(): Expr {
    let a = this.unary();
    while (this.peek("*") || this.peek("/") || this.peek("%")) {
      const op = this.toks[this.i++].v;
      a = { k: "bin", op, a, b: this.unary() };
    }
    return a;
  }
  unary(): Expr {
    if (this.peek("!") || this.peek("-")) {
      const op = this.toks[this.i++].v;
      return { k: "un", op, e: this.unary() };
    }
    return this.primary();
  }
  primary(): Expr {
    const t = this.toks[this.i++];
    if (!t) throw new AwkSyntaxError("syntax error: unexpected end");
    if (t.t === "num") return { k: "num", v: Number(t.v) };
    if (t.t === "str") return { k: "str", v: t.v };
    if (t.t === "re") return { k: "re", v: t.v };
    if (t.t === "op" && t.v === "$") return { k: "field", e: this.primary() };
    if (t.t === "op" && t.v === "(") {
      const e = this.expr();
      this.eat(")");
      return e;
    }
    if (t.t === "id") {
      if (this.peek("(")) {
        this.i++;
        const args: Expr[] = [];
        while (!this.peek(")")) {
          args.push(this.expr());
          if (this.peek(",")) this.i++;
        }
        this.eat(")");
        return { k: "call", name: t.v, args };
      }
      return { k: "var", name: t.v };
    }
    throw new AwkSyntaxError(`syntax error at source line 1: ${t.v}`);
  }
}

class Exit {
  constructor(readonly code: number) {}
}
class Next {}

/** awk's value: number when it looks like one (for comparisons), else string. */
function isNum(v: string | number): boolean {
  return typeof v === "number" || /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(v);
}

function str(v: string | number): string {
  return typeof v === "number"
    ? (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6))))
    : v;
}

interface AwkRun {
  vars: Record<string, string | number>;
  fields: string[];
  fs: string;
  out: string;
}

function setRecord(r: AwkRun, line: string): void {
  const parts = r.fs === " " ? line.trim().split(/[ \t]+/).filter(Boolean) : line.split(
    r.fs.length === 1 ? r.fs : new RegExp(r.fs),
  );
  r.fields = [line, ...(line === "" ? [] : parts)];
  r.vars.NF = r.fields.length - 1;
}

function evaluate(e: Expr, r: AwkRun): string | number {
  switch (e.k) {
    case "num":
      return e.v;
    case "str":
      return e.v;
    case "re":
      return new RegExp(e.v).test(r.fields[0]) ? 1 : 0;
    case "field": {
      const n = Number(evaluate(e.e, r));
      return r.fields[n] ?? "";
    }
    case "var":
      return r.vars[e.name] ?? "";
    case "un": {
      const v = evaluate(e.e, r);
      return e.op === "!" ? (truthy(v) ? 0 : 1) : -Number(v);
    }
    case "call": {
      const a = e.args.map((x) => evaluate(x, r));
      switch (e.name) {
        case "length":
          return str(a.length ? a[0] : r.fields[0]).length;
        case "tolower":
          return str(a[0] ?? "").toLowerCase();
        case "toupper":
          return str(a[0] ?? "").toUpperCase();
        case "substr": {
          const s = str(a[0] ?? "");
          const start = Math.max(1, Number(a[1] ?? 1));
          return a.length > 2 ? s.substr(start - 1, Number(a[2])) : s.slice(start - 1);
        }
        case "int":
          return Math.trunc(Number(a[0] ?? 0));
        default:
          throw new AwkSyntaxError(`calling undefined function ${e.name}`);
      }
    }
    case "assign": {
      const current = typeof e.name === "string" ? r.vars[e.name] ?? "" : evaluate(e.name, r);
      const v = evaluate(e.e, r);
      const value = e.op === "=" ? v : Number(current || 0) + (e.op === "+=" ? 1 : -1) * Number(v);
      if (typeof e.name === "string") r.vars[e.name] = value;
      else {
        const n = Number(evaluate((e.name as Extract<Expr, { k: "field" }>).e, r));
        r.fields[n] = str(value);
        if (n > 0) r.fields[0] = r.fields.slice(1).join(str(r.vars.OFS ?? " "));
      }
      return value;
    }
    case "bin": {
      if (e.op === "&&") return truthy(evaluate(e.a, r)) && truthy(evaluate(e.b, r)) ? 1 : 0;
      if (e.op === "||") return truthy(evaluate(e.a, r)) || truthy(evaluate(e.b, r)) ? 1 : 0;
      if (e.op === "~" || e.op === "!~") {
        const re = e.b.k === "re" ? e.b.v : str(evaluate(e.b, r));
        const hit = new RegExp(re).test(str(evaluate(e.a, r)));
        return hit === (e.op === "~") ? 1 : 0;
      }
      const a = evaluate(e.a, r);
      const b = evaluate(e.b, r);
      switch (e.op) {
        case "concat":
          return str(a) + str(b);
        case "+":
          return Number(a) + Number(b);
        case "-":
          return Number(a) - Number(b);
        case "*":
          return Number(a) * Number(b);
        case "/":
          return Number(a) / Number(b);
        case "%":
          return Number(a) % Number(b);
      }
      const numeric = isNum(a) && isNum(b) && !(e.a.k === "str" || e.b.k === "str");
      const x = numeric ? Number(a) : str(a);
      const y = numeric ? Number(b) : str(b);
      const ok = e.op === "=="
        ? x === y
        : e.op === "!="
        ? x !== y
        : e.op === "<"
        ? x < y
        : e.op === "<="
        ? x <= y
        : e.op === ">"
        ? x > y
        : x >= y;
      return ok ? 1 : 0;
    }
  }
}

function truthy(v: string | number): boolean {
  return typeof v === "number" ? v !== 0 : v !== "" && !(isNum(v) && Number(v) === 0);
}

function sprintf(fmt: string, args: (string | number)[]): string {
  let i = 0;
  return fmt.replace(/%(-?\d*)(?:\.(\d+))?([sdifgx%])/g, (_m, w: string, prec, conv: string) => {
    if (conv === "%") return "%";
    const a = args[i++] ?? "";
    let v = conv === "d" || conv === "i"
      ? String(Math.trunc(Number(a) || 0))
      : conv === "f"
      ? (Number(a) || 0).toFixed(prec === undefined ? 6 : Number(prec))
      : conv === "x"
      ? (Math.trunc(Number(a)) || 0).toString(16)
      : conv === "g"
      ? str(Number(a) || 0)
      : str(a);
    if (conv === "s" && prec !== undefined) v = v.slice(0, Number(prec));
    const width = Math.abs(Number(w || 0));
    return w.startsWith("-") ? v.padEnd(width) : v.padStart(width);
  });
}

function run(stmts: Stmt[], r: AwkRun): void {
  for (const s of stmts) {
    if (s.k === "next") throw new Next();
    if (s.k === "exit") throw new Exit(s.e ? Number(evaluate(s.e, r)) : 0);
    if (s.k === "expr") {
      evaluate(s.e, r);
      continue;
    }
    const vals = s.args.map((a) => evaluate(a, r));
    if (s.printf) r.out += sprintf(str(vals[0] ?? ""), vals.slice(1));
    else r.out += (vals.length ? vals.map(str).join(str(r.vars.OFS ?? " ")) : r.fields[0]) + "\n";
  }
}

const awk: CommandFn = async (inv) => {
  const args = [...inv.args];
  const vars: Record<string, string | number> = { OFS: " " };
  let fs = " ";
  let program: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (program === undefined && a === "-F") fs = args[++i] ?? " ";
    else if (program === undefined && a.startsWith("-F")) fs = a.slice(2);
    else if (program === undefined && a === "-v") {
      const [k, ...v] = (args[++i] ?? "").split("=");
      vars[k] = v.join("=");
    } else if (program === undefined) program = a;
    else files.push(a);
  }
  if (program === undefined) {
    inv.io.err("usage: awk [-F fs][-v var=value][prog | -f progfile][file ...]\n");
    return 2;
  }
  if (fs === "\\t" || fs === "t") fs = "\t";
  let rules: Rule[];
  try {
    rules = new AwkParser(tokenize(program)).program();
  } catch (e) {
    if (!(e instanceof AwkSyntaxError)) throw e;
    inv.io.err(`awk: ${e.message}\n awk: source line number 1\n`);
    return 2;
  }
  const r: AwkRun = { vars: { ...vars, NR: 0, FS: fs }, fields: [""], fs, out: "" };
  let code = 0;
  const phase = (kind: "BEGIN" | "END") => {
    for (const rule of rules) if (rule.pattern === kind && rule.actions) run(rule.actions, r);
  };
  try {
    phase("BEGIN");
    const { inputs, failed } = await readInputs(inv, files);
    if (failed) code = 2;
    records: for (const line of inputs.flatMap((i) => textLines(i.text))) {
      r.vars.NR = Number(r.vars.NR) + 1;
      setRecord(r, line);
      for (const rule of rules) {
        if (rule.pattern === "BEGIN" || rule.pattern === "END") continue;
        if (rule.pattern !== null && !truthy(evaluate(rule.pattern, r))) continue;
        try {
          run(rule.actions ?? [{ k: "print", args: [], printf: false }], r);
        } catch (e) {
          if (e instanceof Next) continue records;
          throw e;
        }
      }
    }
    phase("END");
  } catch (e) {
    if (!(e instanceof Exit)) throw e;
    code = e.code;
  }
  inv.io.out(r.out);
  return code;
};

/** `awk` (also as `gawk`, `mawk`). */
export const awkCommands: Record<string, CommandFn> = { awk, gawk: awk, mawk: awk };
