/**
 * Text commands of the simulated host: `echo`, `printf`, `grep` (BRE/ERE/fixed,
 * `-q -c -v -i -n -o -H -h -s -l -w -x -e`), `head`, `tail`, `wc`, `sort`,
 * `uniq`, `cut`, `tr`, `basename`, `dirname`.
 * @module
 */
import { posix } from "node:path";
import type { CommandFn } from "./types.ts";
import { fail, parseFlags, readInputs, textLines } from "./util.ts";

function escapes(s: string): string {
  return s.replace(/\\(\\|n|t|r|0[0-7]{0,3}|a|b|e|f|v|c)/g, (_m, e: string) => {
    switch (e[0]) {
      case "\\":
        return "\\";
      case "n":
        return "\n";
      case "t":
        return "\t";
      case "r":
        return "\r";
      case "0":
        return String.fromCharCode(parseInt(e.slice(1) || "0", 8));
      case "e":
        return "\x1b";
      default:
        return "";
    }
  });
}

const echo: CommandFn = (inv) => {
  let args = inv.args;
  let newline = true;
  let interpret = false;
  while (args.length && /^-[neE]+$/.test(args[0])) {
    if (args[0].includes("n")) newline = false;
    if (args[0].includes("e")) interpret = true;
    args = args.slice(1);
  }
  const text = args.join(" ");
  inv.io.out((interpret ? escapes(text) : text) + (newline ? "\n" : ""));
  return Promise.resolve(0);
};

const printf: CommandFn = (inv) => {
  const [format, ...rest] = inv.args;
  if (format === undefined) {
    return Promise.resolve(fail(inv, "usage: printf [-v var] format [arguments]", 2));
  }
  let args = rest;
  let out = "";
  do {
    let used = 0;
    out += escapes(format).replace(
      /%(-?\d*)(\.\d+)?([sdbcx%])/g,
      (_m, width: string, _p, conv: string) => {
        if (conv === "%") return "%";
        const a = args[used++] ?? "";
        let v = conv === "d"
          ? String(parseInt(a || "0", 10) || 0)
          : conv === "b"
          ? escapes(a)
          : conv === "x"
          ? (parseInt(a || "0", 10) || 0).toString(16)
          : conv === "c"
          ? a.slice(0, 1)
          : a;
        const w = Math.abs(Number(width || 0));
        v = width.startsWith("-") ? v.padEnd(w) : v.padStart(w);
        return v;
      },
    );
    args = args.slice(used);
    if (used === 0) break;
  } while (args.length);
  inv.io.out(out);
  return Promise.resolve(0);
};

/** Converts a POSIX basic regular expression to a JavaScript one. */
function breToJs(bre: string): string {
  let out = "";
  for (let i = 0; i < bre.length; i++) {
    const c = bre[i];
    if (c === "\\" && i + 1 < bre.length) {
      const n = bre[++i];
      out += "(){}|+?".includes(n) ? n : `\\${n}`;
    } else if ("(){}|+?".includes(c)) out += `\\${c}`;
    else out += c;
  }
  return out;
}

const grep: CommandFn = async (inv) => {
  const { flags, operands } = parseFlags(inv.args, ["-e", "-m", "-A", "-B", "-C"]);
  const patterns: string[] = [];
  for (let i = 0; i < inv.args.length; i++) {
    if (inv.args[i] === "-e") patterns.push(inv.args[i + 1] ?? "");
  }
  let files = operands;
  if (!patterns.length) {
    if (!files.length) return fail(inv, "Usage: grep [OPTION]... PATTERNS [FILE]...", 2);
    patterns.push(files[0]);
    files = files.slice(1);
  }
  const ere = flags.has("-E") || inv.name === "egrep";
  const fixed = flags.has("-F");
  const sources = patterns.flatMap((p) => p.split("\n")).map((p) => {
    let src = fixed ? p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") : ere ? p : breToJs(p);
    src = src.replace(/\[\[:space:\]\]/g, "\\s").replace(/\[\[:digit:\]\]/g, "\\d")
      .replace(/\[:space:\]/g, "\\s").replace(/\[:digit:\]/g, "\\d").replace(
        /\[:alpha:\]/g,
        "a-zA-Z",
      )
      .replace(/\[:alnum:\]/g, "a-zA-Z0-9");
    if (flags.has("-w")) src = `(?<![\\w])(?:${src})(?![\\w])`;
    if (flags.has("-x")) src = `^(?:${src})$`;
    return src;
  });
  let re: RegExp;
  try {
    re = new RegExp(sources.join("|"), flags.has("-i") ? "gi" : "g");
  } catch {
    return fail(inv, "Invalid regular expression", 2);
  }
  const { inputs, failed } = await readInputs(inv, files, flags.has("-s"));
  const prefix = (files.length > 1 || flags.has("-H") || flags.has("-r")) && !flags.has("-h");
  const invert = flags.has("-v");
  const max = flags.has("-m") ? Number(flags.get("-m")) : Infinity;
  let matchedAny = false;
  let out = "";
  for (const input of inputs) {
    let count = 0;
    const lines = textLines(input.text);
    for (let n = 0; n < lines.length && count < max; n++) {
      const line = lines[n];
      re.lastIndex = 0;
      const hit = re.test(line) !== invert;
      if (!hit) continue;
      count++;
      matchedAny = true;
      if (flags.has("-q") || flags.has("-c") || flags.has("-l")) continue;
      const head = `${prefix ? `${input.name}:` : ""}${flags.has("-n") ? `${n + 1}:` : ""}`;
      if (flags.has("-o") && !invert) {
        re.lastIndex = 0;
        for (const m of line.matchAll(re)) if (m[0]) out += `${head}${m[0]}\n`;
      } else out += `${head}${line}\n`;
    }
    if (flags.has("-c")) out += `${prefix ? `${input.name}:` : ""}${count}\n`;
    if (flags.has("-l") && count) out += `${input.name}\n`;
    if (flags.has("-q") && matchedAny) break;
  }
  if (!flags.has("-q")) inv.io.out(out);
  if (matchedAny && flags.has("-q")) return 0;
  return failed ? 2 : matchedAny ? 0 : 1;
};

function countArg(args: string[]): { n: number; fromStart: boolean; rest: string[] } {
  const { flags, operands } = parseFlags(
    args.map((a) => (/^-\d+$/.test(a) ? `-n${a.slice(1)}` : a)),
    ["-n", "-c"],
  );
  const raw = String(flags.get("-n") ?? "10");
  return { n: Number(raw.replace(/^\+/, "")), fromStart: raw.startsWith("+"), rest: operands };
}

const head: CommandFn = async (inv) => {
  const { n, rest } = countArg(inv.args);
  const { inputs, failed } = await readInputs(inv, rest);
  for (const i of inputs) inv.io.out(textLines(i.text).slice(0, n).map((l) => l + "\n").join(""));
  return failed ? 1 : 0;
};

const tail: CommandFn = async (inv) => {
  const { n, fromStart, rest } = countArg(inv.args);
  const { inputs, failed } = await readInputs(inv, rest);
  for (const i of inputs) {
    const lines = textLines(i.text);
    const from = fromStart ? Math.max(0, n - 1) : Math.max(0, lines.length - n);
    inv.io.out(lines.slice(from).map((l) => l + "\n").join(""));
  }
  return failed ? 1 : 0;
};

const wc: CommandFn = async (inv) => {
  const { flags, operands } = parseFlags(inv.args);
  const { inputs, failed } = await readInputs(inv, operands);
  for (const i of inputs) {
    const l = (i.text.match(/\n/g) ?? []).length;
    const w = i.text.split(/\s+/).filter(Boolean).length;
    const c = new TextEncoder().encode(i.text).length;
    const name = operands.length ? ` ${i.name}` : "";
    if (flags.has("-l")) inv.io.out(`${l}${name}\n`);
    else if (flags.has("-w")) inv.io.out(`${w}${name}\n`);
    else if (flags.has("-c")) inv.io.out(`${c}${name}\n`);
    else {inv.io.out(
        `${String(l).padStart(7)} ${String(w).padStart(7)} ${String(c).padStart(7)}${name}\n`,
      );}
  }
  return failed ? 1 : 0;
};

const sort: CommandFn = async (inv) => {
  const { flags, operands } = parseFlags(inv.args);
  const { inputs } = await readInputs(inv, operands);
  let lines = inputs.flatMap((i) => textLines(i.text));
  lines = flags.has("-n") ? lines.sort((a, b) => parseFloat(a) - parseFloat(b)) : lines.sort();
  if (flags.has("-r")) lines.reverse();
  if (flags.has("-u")) lines = [...new Set(lines)];
  inv.io.out(lines.map((l) => l + "\n").join(""));
  return 0;
};

const uniq: CommandFn = async (inv) => {
  const { inputs } = await readInputs(inv, parseFlags(inv.args).operands);
  const lines = inputs.flatMap((i) => textLines(i.text)).filter((l, i, a) =>
    i === 0 || a[i - 1] !== l
  );
  inv.io.out(lines.map((l) => l + "\n").join(""));
  return 0;
};

const cut: CommandFn = async (inv) => {
  const { flags, operands } = parseFlags(inv.args, ["-d", "-f", "-c"]);
  const { inputs } = await readInputs(inv, operands);
  const delim = (flags.get("-d") as string | undefined) ?? "\t";
  const spec = String(flags.get("-f") ?? flags.get("-c") ?? "1");
  const wanted = (n: number) =>
    spec.split(",").some((r) => {
      const [a, b] = r.split("-");
      const lo = a === "" ? 1 : Number(a);
      const hi = b === undefined ? lo : b === "" ? Infinity : Number(b);
      return n >= lo && n <= hi;
    });
  for (const line of inputs.flatMap((i) => textLines(i.text))) {
    if (flags.has("-c")) {
      inv.io.out([...line].filter((_c, i) => wanted(i + 1)).join("") + "\n");
      continue;
    }
    const parts = line.split(delim);
    inv.io.out(
      (parts.length === 1 ? line : parts.filter((_p, i) => wanted(i + 1)).join(delim)) + "\n",
    );
  }
  return 0;
};

const tr: CommandFn = async (inv) => {
  const { flags, operands } = parseFlags(inv.args);
  const text = await inv.io.stdin();
  const expand = (set: string) =>
    set.replace(/(.)-(.)/g, (_m, a: string, b: string) => {
      let out = "";
      for (let c = a.charCodeAt(0); c <= b.charCodeAt(0); c++) out += String.fromCharCode(c);
      return out;
    }).replace(/\[:digit:\]/g, "0123456789").replace(/\[:space:\]/g, " \t\n").replace(
      /\[:upper:\]/g,
      "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    )
      .replace(/\[:lower:\]/g, "abcdefghijklmnopqrstuvwxyz").replace(/\\n/g, "\n").replace(
        /\\t/g,
        "\t",
      );
  const from = expand(operands[0] ?? "");
  const to = expand(operands[1] ?? "");
  let out = "";
  const squeeze = flags.has("-s");
  const squeezeSet = flags.has("-d") ? "" : to || from;
  for (const c of text) {
    const i = from.indexOf(c);
    let next: string;
    if (flags.has("-d")) next = i >= 0 ? "" : c;
    else if (squeeze && !to) next = c;
    else next = i >= 0 ? (to[Math.min(i, to.length - 1)] ?? c) : c;
    if (squeeze && next && squeezeSet.includes(next) && out.endsWith(next)) continue;
    out += next;
  }
  inv.io.out(out);
  return 0;
};

/** Text commands by name. */
export const textCommands: Record<string, CommandFn> = {
  echo,
  printf,
  grep,
  egrep: grep,
  head,
  tail,
  wc,
  sort,
  uniq,
  cut,
  tr,
  basename: (inv) => {
    const [p, suffix] = parseFlags(inv.args).operands;
    let b = posix.basename(p ?? "");
    if (suffix && b.endsWith(suffix)) b = b.slice(0, -suffix.length);
    inv.io.out(b + "\n");
    return Promise.resolve(0);
  },
  dirname: (inv) => {
    inv.io.out(posix.dirname(parseFlags(inv.args).operands[0] ?? ".") + "\n");
    return Promise.resolve(0);
  },
};
