/**
 * A subset of GNU `sed` for the simulated host: options `-n`, `-e SCRIPT`
 * (repeatable), `-E`/`-r`, `-i[SUFFIX]` (in place, with the file permissions
 * of the caller); commands separated by `;` or newlines, each with an optional
 * address (`N`, `$`, `/re/`, `N,M`, `/re/,/re/`) and `!`: `s/re/rep/[gpI]`
 * (any delimiter, `&` and `\1` in the replacement), `d`, `p`, `q`, `=`.
 * Anything else: `sed: -e expression #1, char N: unknown command` (exit 1).
 * @module
 */
import { FsError } from "../model/fs.ts";
import type { CommandFn } from "./types.ts";
import { pathOf, readInputs, textLines } from "./util.ts";

type Address = { k: "line"; n: number } | { k: "last" } | { k: "re"; re: RegExp };

interface SedCommand {
  from: Address | null;
  to: Address | null;
  negate: boolean;
  op: "s" | "d" | "p" | "q" | "=";
  re?: RegExp;
  replacement?: string;
  print?: boolean;
}

class SedError extends Error {}

/** Converts a POSIX BRE (or ERE when `extended`) to a JavaScript pattern. */
function toJs(re: string, extended: boolean): string {
  if (extended) return re;
  let out = "";
  for (let i = 0; i < re.length; i++) {
    const c = re[i];
    if (c === "\\" && i + 1 < re.length) {
      const n = re[++i];
      out += "(){}|+?".includes(n) ? n : `\\${n}`;
    } else if ("(){}|+?".includes(c)) out += `\\${c}`;
    else out += c;
  }
  return out.replace(/\[\[:space:\]\]/g, "\\s").replace(/\[\[:digit:\]\]/g, "\\d");
}

function parseScript(script: string, extended: boolean): SedCommand[] {
  const cmds: SedCommand[] = [];
  let i = 0;
  const fail = (): never => {
    throw new SedError(`-e expression #1, char ${i + 1}: unknown command: \`${script[i] ?? ""}'`);
  };
  const delimited = (delim: string): string => {
    let out = "";
    while (i < script.length && script[i] !== delim) {
      if (script[i] === "\\" && script[i + 1] === delim) {
        out += delim;
        i += 2;
        continue;
      }
      if (script[i] === "\\") {
        out += script[i] + (script[i + 1] ?? "");
        i += 2;
        continue;
      }
      out += script[i++];
    }
    if (script[i] !== delim) {
      throw new SedError(`-e expression #1, char ${i}: unterminated \`s' command`);
    }
    i++;
    return out;
  };
  const address = (): Address | null => {
    const num = /^\d+/.exec(script.slice(i));
    if (num) {
      i += num[0].length;
      return { k: "line", n: Number(num[0]) };
    }
    if (script[i] === "$") {
      i++;
      return { k: "last" };
    }
    if (script[i] === "/") {
      i++;
      return { k: "re", re: new RegExp(toJs(delimited("/"), extended)) };
    }
    return null;
  };
  while (i < script.length) {
    while (i < script.length && " \t\n;".includes(script[i])) i++;
    if (i >= script.length) break;
    const from = address();
    let to: Address | null = null;
    if (from && script[i] === ",") {
      i++;
      to = address();
    }
    while (script[i] === " ") i++;
    let negate = false;
    if (script[i] === "!") {
      negate = true;
      i++;
    }
    const op = script[i++];
    if (op === "s") {
      const delim = script[i++];
      const re = delimited(delim);
      const replacement = delimited(delim);
      const flags = /^[gpI0-9]*/.exec(script.slice(i))![0];
      i += flags.length;
      cmds.push({
        from,
        to,
        negate,
        op: "s",
        re: new RegExp(
          toJs(re, extended),
          (flags.includes("g") ? "g" : "") + (flags.includes("I") ? "i" : ""),
        ),
        replacement,
        print: flags.includes("p"),
      });
    } else if (op === "d" || op === "p" || op === "q" || op === "=") {
      cmds.push({ from, to, negate, op });
    } else {
      i--;
      fail();
    }
  }
  return cmds;
}

function jsReplacement(rep: string): string {
  return rep.replace(/\$/g, "$$$$").replace(/\\(\d)/g, "$$$1").replace(/(^|[^\\])&/g, "$1$$&")
    .replace(/\\&/g, "&").replace(/\\n/g, "\n").replace(/\\\//g, "/");
}

function runSed(cmds: SedCommand[], lines: string[], quiet: boolean): string {
  let out = "";
  const ranges = new Map<SedCommand, boolean>();
  const hit = (a: Address, n: number, line: string) =>
    a.k === "line" ? a.n === n : a.k === "last" ? n === lines.length : a.re.test(line);
  for (let idx = 0; idx < lines.length; idx++) {
    const n = idx + 1;
    let line = lines[idx];
    let deleted = false;
    let quit = false;
    for (const c of cmds) {
      let selected = true;
      if (c.from && !c.to) selected = hit(c.from, n, line);
      else if (c.from && c.to) {
        if (ranges.get(c)) {
          selected = true;
          if (hit(c.to, n, line) || (c.to.k === "line" && n >= c.to.n)) ranges.set(c, false);
        } else if (hit(c.from, n, line)) {
          selected = true;
          ranges.set(c, !(c.to.k === "line" && c.to.n <= n));
        } else selected = false;
      }
      if (selected === c.negate) continue;
      if (c.op === "d") {
        deleted = true;
        break;
      }
      if (c.op === "p") out += line + "\n";
      if (c.op === "=") out += `${n}\n`;
      if (c.op === "q") {
        quit = true;
        break;
      }
      if (c.op === "s") {
        c.re!.lastIndex = 0;
        if (c.re!.test(line)) {
          c.re!.lastIndex = 0;
          line = line.replace(c.re!, jsReplacement(c.replacement!));
          if (c.print) out += line + "\n";
        }
      }
    }
    if (!deleted && !quiet) out += line + "\n";
    if (quit) break;
  }
  return out;
}

const sed: CommandFn = async (inv) => {
  const scripts: string[] = [];
  const files: string[] = [];
  let quiet = false;
  let extended = false;
  let inPlace = false;
  for (let i = 0; i < inv.args.length; i++) {
    const a = inv.args[i];
    if (a === "-e" || a === "--expression") scripts.push(inv.args[++i] ?? "");
    else if (a.startsWith("--expression=")) scripts.push(a.slice(13));
    else if (a === "-n" || a === "--quiet" || a === "--silent") quiet = true;
    else if (a === "-E" || a === "-r" || a === "--regexp-extended") extended = true;
    else if (a.startsWith("-i") || a.startsWith("--in-place")) inPlace = true;
    else if (/^-[nEri]+$/.test(a)) {
      if (a.includes("n")) quiet = true;
      if (a.includes("E") || a.includes("r")) extended = true;
      if (a.includes("i")) inPlace = true;
    } else if (!scripts.length && !a.startsWith("-")) scripts.push(a);
    else files.push(a);
  }
  if (!scripts.length) {
    inv.io.err("Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...\n");
    return 1;
  }
  let cmds: SedCommand[];
  try {
    cmds = parseScript(scripts.join("\n"), extended);
  } catch (e) {
    if (!(e instanceof SedError) && !(e instanceof SyntaxError)) throw e;
    inv.io.err(`sed: ${e instanceof SedError ? e.message : "-e expression #1: invalid regex"}\n`);
    return 1;
  }
  if (inPlace) {
    if (!files.length) {
      inv.io.err("sed: no input files\n");
      return 1;
    }
    const fs = inv.ctx.machine.fs;
    for (const f of files) {
      try {
        const text = fs.read(pathOf(inv, f), inv.ctx.uid);
        fs.write(pathOf(inv, f), runSed(cmds, textLines(text), quiet), inv.ctx.uid);
      } catch (e) {
        if (!(e instanceof FsError)) throw e;
        inv.io.err(
          e.code === "EACCES"
            ? `sed: couldn't open temporary file ${
              f.replace(/[^/]*$/, "")
            }sedXXXXXX: Permission denied\n`
            : `sed: can't read ${f}: ${e.text}\n`,
        );
        return e.code === "EACCES" ? 4 : 2;
      }
    }
    return 0;
  }
  const { inputs, failed } = await readInputs(inv, files, true);
  for (const f of files) {
    if (!inputs.some((i) => i.name === f)) {
      inv.io.err(`sed: can't read ${f}: No such file or directory\n`);
    }
  }
  inv.io.out(runSed(cmds, inputs.flatMap((i) => textLines(i.text)), quiet));
  return failed ? 2 : 0;
};

/** `sed` by name. */
export const sedCommands: Record<string, CommandFn> = { sed };
