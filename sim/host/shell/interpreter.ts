/**
 * Interpreter of the mini shell: runs a parsed {@link List} against a
 * simulated host. Word expansion (variables, `$(...)`, field splitting of
 * unquoted expansions, pathname globbing), redirections with the host's file
 * permissions, pipes (each command's output becomes the next one's stdin),
 * `&&`/`||`, `for`/`while`/`until`/`if`, heredocs, `read`, background jobs (`&`, detached from the session), profile
 * `overrides` (checked per simple command before the model), and
 * `command not found` (exit 127).
 * @module
 */
import { absPath, FsError } from "../model/fs.ts";
import type {
  Command,
  ForCommand,
  IfCommand,
  List,
  LoopCommand,
  Pipeline,
  Redirect,
  Word,
} from "./ast.ts";
import { expandGlob, hasGlob } from "./glob.ts";
import { parseScript, ShellSyntaxError } from "./parser.ts";
import type { CommandFn, Invocation, ProcessContext, ShellIO } from "../commands/types.ts";
import { ShellExit } from "../commands/types.ts";

/** Looks a command up by name; returns undefined when it does not exist on the host. */
export type CommandLookup = (name: string, ctx: ProcessContext) => CommandFn | undefined;

/** A shell bound to a command table. */
export class Shell {
  /** @param lookup resolves argv[0] to a command (also decides `command not found`) */
  constructor(private readonly lookup: CommandLookup) {}

  /**
   * Runs a command line like `bash -c TEXT`.
   * @returns the exit status (2 on a syntax error)
   * @throws the abort reason when `ctx.signal` aborts (session dropped or killed)
   */
  async run(text: string, ctx: ProcessContext, io: ShellIO): Promise<number> {
    let list: List;
    try {
      list = parseScript(text);
    } catch (e) {
      if (!(e instanceof ShellSyntaxError)) throw e;
      io.err(`bash: -c: line 1: ${e.message}\n`);
      return 2;
    }
    try {
      return await this.#list(list, ctx, io);
    } catch (e) {
      if (e instanceof ShellExit) return e.code;
      throw e;
    }
  }

  /**
   * Runs argv as one command (after expansion): overrides, builtins, then the table.
   * @throws the abort reason when `ctx.signal` aborts
   */
  async exec(
    argv: string[],
    ctx: ProcessContext,
    io: ShellIO,
    env: Record<string, string> = {},
  ): Promise<number> {
    ctx.signal.throwIfAborted();
    ctx.machine.settle();
    const override = this.#override(argv, ctx);
    if (override) {
      if (override.delay_seconds > 0) {
        await ctx.machine.clock.sleep(override.delay_seconds, ctx.signal);
      }
      if (override.stdout) io.out(override.stdout);
      if (override.stderr) io.err(override.stderr);
      return override.exit;
    }
    const name = argv[0];
    const builtin = BUILTINS[name];
    if (builtin) return builtin(argv.slice(1), ctx, io);
    const fn = this.lookup(name, ctx);
    if (!fn) {
      io.err(`bash: ${name}: command not found\n`);
      return 127;
    }
    const inv: Invocation = {
      name,
      args: argv.slice(1),
      env,
      ctx,
      io,
      exec: (a, c, i, e) => this.exec(a, c, i, e),
      script: (t, c, i) => this.run(t, c, i),
    };
    return await fn(inv);
  }

  #override(argv: string[], ctx: ProcessContext) {
    const overrides = ctx.machine.profile.overrides;
    if (!overrides.length) return undefined;
    let words = argv;
    if (words[0] === "sudo") {
      words = words.slice(1);
      if (words[0] === "-n") words = words.slice(1);
    }
    const text = words.join(" ");
    return overrides.find((o) =>
      o.command !== undefined ? o.command === text : new RegExp(o.regex!).test(text)
    );
  }

  async #list(list: List, ctx: ProcessContext, io: ShellIO): Promise<number> {
    let status = 0;
    for (const ao of list) {
      if (ao.background) {
        const bg: ProcessContext = { ...ctx, signal: ctx.lifetime, vars: { ...ctx.vars } };
        const quiet: ShellIO = {
          stdin: () => Promise.resolve(""),
          out: (s) => safe(() => io.out(s)),
          err: (s) => safe(() => io.err(s)),
        };
        this.#andOr(ao, bg, quiet).catch(() => {});
        status = 0;
        continue;
      }
      status = await this.#andOr(ao, ctx, io);
    }
    return status;
  }

  async #andOr(ao: List[number], ctx: ProcessContext, io: ShellIO): Promise<number> {
    let status = await this.#pipeline(ao.first, ctx, io);
    for (const { op, pipeline } of ao.rest) {
      if ((op === "&&" && status === 0) || (op === "||" && status !== 0)) {
        status = await this.#pipeline(pipeline, ctx, io);
      }
    }
    return status;
  }

  async #pipeline(p: Pipeline, ctx: ProcessContext, io: ShellIO): Promise<number> {
    let stdin = io.stdin;
    let status = 0;
    for (let i = 0; i < p.commands.length; i++) {
      const last = i === p.commands.length - 1;
      if (last) {
        status = await this.#command(p.commands[i], ctx, { ...io, stdin });
      } else {
        let buf = "";
        await this.#command(p.commands[i], { ...ctx, vars: { ...ctx.vars } }, {
          stdin,
          out: (s) => (buf += s),
          err: io.err,
        });
        const piped = buf;
        stdin = () => Promise.resolve(piped);
      }
    }
    if (p.negate) status = status === 0 ? 1 : 0;
    ctx.vars["?"] = String(status);
    return status;
  }

  async #command(cmd: Command, ctx: ProcessContext, io: ShellIO): Promise<number> {
    ctx.signal.throwIfAborted();
    if (cmd.type !== "simple" && cmd.type !== "subshell" && cmd.type !== "group") {
      const redirected = await this.#redirect(cmd.redirects, ctx, io);
      if (typeof redirected === "number") return redirected;
      const compound = cmd as ForCommand | LoopCommand | IfCommand;
      return await this.#compound(compound, ctx, withLineReader(redirected));
    }
    if (cmd.type !== "simple") {
      const redirected = await this.#redirect(cmd.redirects, ctx, io);
      if (typeof redirected === "number") return redirected;
      const inner = cmd.type === "subshell" ? { ...ctx, vars: { ...ctx.vars } } : ctx;
      try {
        return await this.#list(cmd.list, inner, redirected);
      } catch (e) {
        if (cmd.type === "subshell" && e instanceof ShellExit) return e.code;
        throw e;
      }
    }
    const env: Record<string, string> = {};
    for (const a of cmd.assigns) env[a.name] = await this.#expandOne(a.value, ctx, io);
    const argv: string[] = [];
    for (const w of cmd.words) argv.push(...await this.#expandFields(w, ctx, io));
    const redirected = await this.#redirect(cmd.redirects, ctx, io);
    if (typeof redirected === "number") return redirected;
    if (argv.length === 0) {
      Object.assign(ctx.vars, env);
      return 0;
    }
    return await this.exec(argv, ctx, redirected, env);
  }

  /** Runs `for`, `while`/`until` and `if`; loops stop after 10000 rounds (a runaway guard). */
  async #compound(
    cmd: ForCommand | LoopCommand | IfCommand,
    ctx: ProcessContext,
    io: ShellIO,
  ): Promise<number> {
    if (cmd.type === "if") {
      for (const clause of cmd.clauses) {
        if (await this.#list(clause.cond, ctx, io) === 0) {
          return await this.#list(clause.body, ctx, io);
        }
      }
      return cmd.elseBody ? await this.#list(cmd.elseBody, ctx, io) : 0;
    }
    let status = 0;
    if (cmd.type === "for") {
      const values: string[] = [];
      for (const w of cmd.words ?? []) values.push(...await this.#expandFields(w, ctx, io));
      for (const v of values) {
        ctx.vars[cmd.name] = v;
        const r = await this.#loopBody(cmd.body, ctx, io);
        status = r.status;
        if (r.stop) break;
      }
      return status;
    }
    for (let round = 0; round < 10000; round++) {
      const cond = await this.#list(cmd.cond, ctx, io);
      if ((cond === 0) !== (cmd.type === "while")) break;
      const r = await this.#loopBody(cmd.body, ctx, io);
      status = r.status;
      if (r.stop) break;
    }
    return status;
  }

  async #loopBody(
    body: List,
    ctx: ProcessContext,
    io: ShellIO,
  ): Promise<{ status: number; stop: boolean }> {
    try {
      return { status: await this.#list(body, ctx, io), stop: false };
    } catch (e) {
      if (e instanceof LoopControl) return { status: 0, stop: e.kind === "break" };
      throw e;
    }
  }

  async #cmdsub(list: List, ctx: ProcessContext, io: ShellIO): Promise<string> {
    let out = "";
    const sub = { ...ctx, vars: { ...ctx.vars } };
    try {
      const status = await this.#list(list, sub, {
        stdin: io.stdin,
        out: (s) => (out += s),
        err: io.err,
      });
      ctx.vars["?"] = String(status);
    } catch (e) {
      if (!(e instanceof ShellExit)) throw e;
    }
    return out.replace(/\n+$/, "");
  }

  #var(name: string, ctx: ProcessContext): string {
    if (name === "$") return "4242";
    if (name === "#") return "0";
    if (name === "0") return "bash";
    return ctx.vars[name] ?? "";
  }

  /** A `$VAR` part's value, with `${VAR:-word}`'s fallback. */
  async #varPart(
    part: Extract<Word[number], { type: "var" }>,
    ctx: ProcessContext,
    io: ShellIO,
  ): Promise<string> {
    const value = this.#var(part.name, ctx);
    if (!part.fallback) return value;
    const unset = !(part.name in ctx.vars);
    if (unset || (part.fallback.colon && value === "")) {
      return await this.#expandOne(part.fallback.word, ctx, io);
    }
    return value;
  }

  /** Expands a word without splitting or globbing (assignments, redirection targets). */
  async #expandOne(word: Word, ctx: ProcessContext, io: ShellIO): Promise<string> {
    let s = "";
    for (const part of word) {
      if (part.type === "lit") s += part.text;
      else if (part.type === "var") s += await this.#varPart(part, ctx, io);
      else s += await this.#cmdsub(part.list, ctx, io);
    }
    return s.startsWith("~") && word[0]?.type === "lit" && !word[0].quoted
      ? (ctx.vars.HOME ?? "/") + s.slice(1)
      : s;
  }

  /** Expands a word into fields: split unquoted expansions on blanks, then glob. */
  async #expandFields(word: Word, ctx: ProcessContext, io: ShellIO): Promise<string[]> {
    const fields: { text: string; literal: boolean[]; quoted: boolean }[] = [];
    let cur = { text: "", literal: [] as boolean[], quoted: false };
    let started = false;
    const add = (text: string, literal: boolean) => {
      cur.text += text;
      for (let i = 0; i < text.length; i++) cur.literal.push(literal);
      started = true;
    };
    for (let idx = 0; idx < word.length; idx++) {
      const part = word[idx];
      if (part.type === "lit") {
        let text = part.text;
        if (idx === 0 && !part.quoted && (text === "~" || text.startsWith("~/"))) {
          text = (ctx.vars.HOME ?? "/") + text.slice(1);
        }
        add(text, part.quoted);
        if (part.quoted) cur.quoted = true;
        continue;
      }
      const value = part.type === "var"
        ? await this.#varPart(part, ctx, io)
        : await this.#cmdsub(part.list, ctx, io);
      if (part.quoted) {
        add(value, true);
        cur.quoted = true;
        continue;
      }
      const pieces = value.split(/[ \t\n]+/);
      pieces.forEach((piece, i) => {
        if (i > 0) {
          if (started) fields.push(cur);
          cur = { text: "", literal: [], quoted: false };
          started = false;
        }
        if (piece) add(piece, true);
      });
    }
    if (started || cur.quoted) fields.push(cur);
    const out: string[] = [];
    for (const f of fields) {
      const globLiteral = f.literal.map((l, i) => l || !"*?[".includes(f.text[i]));
      if (hasGlob(f.text, globLiteral)) {
        const matches = expandGlob(ctx.machine.fs, f.text, globLiteral, ctx.cwd);
        if (matches.length) {
          out.push(...matches);
          continue;
        }
      }
      out.push(f.text);
    }
    return out;
  }

  /** Applies redirections; returns new streams, or an exit status after printing bash's error. */
  async #redirect(
    redirects: Redirect[],
    ctx: ProcessContext,
    io: ShellIO,
  ): Promise<ShellIO | number> {
    if (!redirects.length) return io;
    const fds: { 0: () => Promise<string>; 1: (s: string) => void; 2: (s: string) => void } = {
      0: io.stdin,
      1: io.out,
      2: io.err,
    };
    const fs = ctx.machine.fs;
    for (const r of redirects) {
      const target = await this.#expandOne(r.target, ctx, io);
      const fd = (r.fd === 2 ? 2 : r.fd === 0 ? 0 : 1) as 0 | 1 | 2;
      if (r.op === ">&") {
        if (target === "1" || target === "2") {
          if (fd !== 0) fds[fd] = fds[target === "1" ? 1 : 2];
          continue;
        }
        if (!/^\d+$/.test(target)) {
          // `>&file` means `&>file`.
          const w = this.#fileWriter(target, false, ctx, io);
          if (typeof w === "number") return w;
          fds[1] = fds[2] = w;
          continue;
        }
        io.err(`bash: line 1: ${target}: Bad file descriptor\n`);
        return 1;
      }
      if (r.op === "<<" || r.op === "<<<") {
        const text = r.op === "<<" ? target : target + "\n";
        fds[0] = () => Promise.resolve(text);
        continue;
      }
      if (r.op === "<") {
        if (target === "/dev/null") {
          fds[0] = () => Promise.resolve("");
          continue;
        }
        const path = absPath(target, ctx.cwd);
        try {
          const content = fs.read(path, ctx.uid);
          fds[0] = () => Promise.resolve(content);
        } catch (e) {
          if (!(e instanceof FsError)) throw e;
          io.err(`bash: line 1: ${target}: ${e.text}\n`);
          return 1;
        }
        continue;
      }
      const w = this.#fileWriter(target, r.op === ">>", ctx, io);
      if (typeof w === "number") return w;
      if (r.op === "&>") fds[1] = fds[2] = w;
      else if (fd !== 0) fds[fd] = w;
    }
    return { stdin: fds[0], out: fds[1], err: fds[2] };
  }

  #fileWriter(
    target: string,
    append: boolean,
    ctx: ProcessContext,
    io: ShellIO,
  ): ((s: string) => void) | number {
    if (target === "/dev/null") return () => {};
    if (target === "/dev/stdout") return io.out;
    if (target === "/dev/stderr") return io.err;
    const fs = ctx.machine.fs;
    const path = absPath(target, ctx.cwd);
    try {
      fs.write(path, "", ctx.uid, append);
    } catch (e) {
      if (!(e instanceof FsError)) throw e;
      io.err(`bash: line 1: ${target}: ${e.text}\n`);
      return 1;
    }
    return (s: string) => {
      try {
        fs.write(path, s, ctx.uid, true);
      } catch { /* file removed meanwhile */ }
    };
  }
}

/** `break` / `continue` unwinding to the nearest loop. */
class LoopControl extends Error {
  constructor(readonly kind: "break" | "continue") {
    super(kind);
  }
}

/**
 * Gives a loop's streams a shared line cursor: `read` takes one line at a
 * time, a command reading all stdin gets what is left.
 */
function withLineReader(io: ShellIO): ShellIO {
  if (io.readLine) return io;
  let text: string | null = null;
  let pos = 0;
  const load = async () => (text ??= await io.stdin());
  return {
    ...io,
    stdin: async () => {
      const all = await load();
      const rest = all.slice(pos);
      pos = all.length;
      return rest;
    },
    readLine: async () => {
      const all = await load();
      if (pos >= all.length) return null;
      const nl = all.indexOf("\n", pos);
      const line = all.slice(pos, nl < 0 ? all.length : nl);
      pos = nl < 0 ? all.length : nl + 1;
      return line;
    },
  };
}

function safe(fn: () => void): void {
  try {
    fn();
  } catch { /* channel closed */ }
}

type Builtin = (args: string[], ctx: ProcessContext, io: ShellIO) => Promise<number>;

/** Builtins that change the shell itself. */
const BUILTINS: Record<string, Builtin> = {
  cd: (args, ctx, io) => {
    const dir = absPath(args[0] ?? ctx.vars.HOME ?? "/", ctx.cwd);
    const node = ctx.machine.fs.stat(dir);
    if (!node) {
      io.err(`bash: line 1: cd: ${args[0]}: No such file or directory\n`);
      return Promise.resolve(1);
    }
    if (node.node.kind !== "dir") {
      io.err(`bash: line 1: cd: ${args[0]}: Not a directory\n`);
      return Promise.resolve(1);
    }
    ctx.cwd = dir;
    return Promise.resolve(0);
  },
  pwd: (_args, ctx, io) => {
    io.out(`${ctx.cwd}\n`);
    return Promise.resolve(0);
  },
  export: (args, ctx) => {
    for (const a of args) {
      const i = a.indexOf("=");
      if (i > 0) ctx.vars[a.slice(0, i)] = a.slice(i + 1);
    }
    return Promise.resolve(0);
  },
  exit: (args, ctx) => {
    throw new ShellExit(args[0] !== undefined ? Number(args[0]) & 255 : Number(ctx.vars["?"] ?? 0));
  },
  ":": () => Promise.resolve(0),
  set: () => Promise.resolve(0),
  break: () => {
    throw new LoopControl("break");
  },
  continue: () => {
    throw new LoopControl("continue");
  },
  /** `read [-r] [-p prompt] NAME...`: one line, split on blanks, the last name takes the rest. */
  read: async (args, ctx, io) => {
    const names: string[] = [];
    let raw = false;
    for (let i = 0; i < args.length; i++) {
      if (args[i] === "-r") raw = true;
      else if (args[i] === "-p" || args[i] === "-t" || args[i] === "-u") i++;
      else if (!args[i].startsWith("-")) names.push(args[i]);
    }
    if (!names.length) names.push("REPLY");
    let line: string | null;
    if (io.readLine) line = await io.readLine();
    else {
      const all = await io.stdin();
      line = all === "" ? null : all.split("\n")[0];
    }
    if (line === null) {
      for (const n of names) ctx.vars[n] = "";
      return 1;
    }
    if (!raw) line = line.replace(/\\(.)/g, "$1");
    const fields = line.trim().split(/[ \t]+/);
    names.forEach((n, i) => {
      ctx.vars[n] = i === names.length - 1 ? fields.slice(i).join(" ") : fields[i] ?? "";
    });
    return 0;
  },
};
