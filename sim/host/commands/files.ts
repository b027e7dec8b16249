/**
 * File commands of the simulated host (coreutils behaviour and messages):
 * `cat`, `test`/`[`, `readlink`, `ls`, `tee`, `cp`, `install`, `mv`, `rm`,
 * `mkdir`, `touch`, `chmod`, `ln`, `stat`.
 * @module
 */
import { posix } from "node:path";
import { FsError } from "../model/fs.ts";
import type { FsNode } from "../model/state.ts";
import type { CommandFn, Invocation } from "./types.ts";
import { fail, lsDate, parseFlags, pathOf, readInputs, userName } from "./util.ts";

const cat: CommandFn = async (inv) => {
  const { operands } = parseFlags(inv.args);
  const { inputs, failed } = await readInputs(inv, operands);
  for (const i of inputs) inv.io.out(i.text);
  return failed ? 1 : 0;
};

function testExpr(inv: Invocation, args: string[]): boolean | "error" {
  if (args.length === 0) return false;
  if (args[0] === "!") {
    const r = testExpr(inv, args.slice(1));
    return r === "error" ? r : !r;
  }
  if (args.length === 1) return args[0] !== "";
  if (
    args.length === 3 &&
    ["=", "==", "!=", "-eq", "-ne", "-gt", "-lt", "-ge", "-le"].includes(args[1])
  ) {
    const [a, op, b] = args;
    switch (op) {
      case "=":
      case "==":
        return a === b;
      case "!=":
        return a !== b;
      case "-eq":
        return Number(a) === Number(b);
      case "-ne":
        return Number(a) !== Number(b);
      case "-gt":
        return Number(a) > Number(b);
      case "-lt":
        return Number(a) < Number(b);
      case "-ge":
        return Number(a) >= Number(b);
      default:
        return Number(a) <= Number(b);
    }
  }
  if (args.length === 2) {
    const [op, operand] = args;
    const fs = inv.ctx.machine.fs;
    const path = pathOf(inv, operand);
    switch (op) {
      case "-n":
        return operand !== "";
      case "-z":
        return operand === "";
      case "-e":
        return fs.stat(path) !== undefined;
      case "-f":
        return fs.stat(path)?.node.kind === "file";
      case "-d":
        return fs.stat(path)?.node.kind === "dir";
      case "-c":
        return fs.stat(path)?.node.kind === "char";
      case "-L":
      case "-h":
        return fs.stat(path, false)?.node.kind === "link";
      case "-s": {
        const n = fs.stat(path)?.node;
        return !!n && (n.kind !== "file" || (n.content ?? "").length > 0);
      }
      case "-r":
      case "-w":
      case "-x": {
        const n = fs.stat(path);
        if (!n) return false;
        if (inv.ctx.uid === 0) return op !== "-w" || !n.dynamic;
        const bit = op === "-r" ? 4 : op === "-w" ? 2 : 1;
        return n.node.uid === inv.ctx.uid
          ? ((n.node.mode >> 6) & bit) !== 0
          : (n.node.mode & bit) !== 0;
      }
    }
  }
  inv.io.err(`${inv.name}: ${args[0]}: unary operator expected\n`);
  return "error";
}

const test: CommandFn = (inv) => {
  let args = inv.args;
  if (inv.name === "[") {
    if (args[args.length - 1] !== "]") return Promise.resolve(fail(inv, "missing `]'", 2));
    args = args.slice(0, -1);
  }
  const r = testExpr(inv, args);
  return Promise.resolve(r === "error" ? 2 : r ? 0 : 1);
};

const readlink: CommandFn = (inv) => {
  const { flags, operands } = parseFlags(inv.args);
  const fs = inv.ctx.machine.fs;
  const nl = flags.has("-n") ? "" : "\n";
  let status = 0;
  for (const op of operands) {
    const path = pathOf(inv, op);
    if (flags.has("-f") || flags.has("-e") || flags.has("-m") || flags.has("--canonicalize")) {
      try {
        const real = fs.resolve(path);
        const mustExist = flags.has("-e");
        if ((mustExist && !fs.stat(real)) || (!fs.stat(posix.dirname(real)) && !flags.has("-m"))) {
          status = 1;
          continue;
        }
        inv.io.out(real + nl);
      } catch {
        status = 1;
      }
      continue;
    }
    const node = fs.stat(path, false)?.node;
    if (node?.kind !== "link") {
      status = 1;
      continue;
    }
    inv.io.out((node.target ?? "") + nl);
  }
  return Promise.resolve(status);
};

function permString(n: FsNode): string {
  const type = n.kind === "dir" ? "d" : n.kind === "link" ? "l" : n.kind === "char" ? "c" : "-";
  let s = "";
  for (let shift = 6; shift >= 0; shift -= 3) {
    const b = (n.mode >> shift) & 7;
    s += (b & 4 ? "r" : "-") + (b & 2 ? "w" : "-") + (b & 1 ? "x" : "-");
  }
  if (n.mode & 0o1000) s = s.slice(0, 8) + (s[8] === "x" ? "t" : "T");
  return `${type}${s}.`;
}

const ls: CommandFn = (inv) => {
  const { flags, operands } = parseFlags(inv.args);
  const fs = inv.ctx.machine.fs;
  const long = flags.has("-l");
  const all = flags.has("-a") || flags.has("-A");
  const entries: { name: string; node: FsNode }[] = [];
  const listings: { dir: string; names: string[] }[] = [];
  let status = 0;
  for (const op of operands.length ? operands : ["."]) {
    const path = pathOf(inv, op);
    const ref = fs.stat(path, !long) ?? fs.stat(path, false);
    if (!ref) {
      inv.io.err(`ls: cannot access '${op}': No such file or directory\n`);
      status = 2;
      continue;
    }
    const isDir = fs.stat(path)?.node.kind === "dir" && !flags.has("-d");
    if (isDir && !(long && ref.node.kind === "link")) {
      try {
        listings.push({ dir: op, names: fs.list(path).filter((n) => all || !n.startsWith(".")) });
      } catch (e) {
        if (!(e instanceof FsError)) throw e;
        inv.io.err(`ls: cannot open directory '${op}': ${e.text}\n`);
        status = 2;
      }
    } else entries.push({ name: op, node: ref.node });
  }
  const render = (rows: { name: string; node: FsNode }[]) => {
    if (!long) return rows.map((r) => r.name + "\n").join("");
    const size = (n: FsNode) =>
      n.kind === "char"
        ? `${n.major}, ${n.minor}`
        : n.kind === "link"
        ? String(n.target?.length ?? 0)
        : n.kind === "dir"
        ? "4096"
        : String(new TextEncoder().encode(n.content ?? "").length);
    const width = Math.max(0, ...rows.map((r) => size(r.node).length));
    return rows.map((r) => {
      const n = r.node;
      const date = lsDate(inv.ctx.machine.wallDate(n.mtime));
      const target = n.kind === "link" ? ` -> ${n.target}` : "";
      const owner = userName(n.uid, inv.ctx.machine.state.loginUser);
      return `${permString(n)} 1 ${owner} ${owner} ${
        size(n).padStart(width)
      } ${date} ${r.name}${target}\n`;
    }).join("");
  };
  let out = render(entries.sort((a, b) => a.name.localeCompare(b.name)));
  for (const l of listings) {
    if (listings.length + entries.length > 1) out += `${out ? "\n" : ""}${l.dir}:\n`;
    const rows = l.names.map((name) => ({
      name,
      node: fs.stat(posix.join(pathOf(inv, l.dir), name), false)!.node,
    }));
    if (long) out += `total ${rows.length * 4}\n`;
    out += render(rows);
  }
  inv.io.out(out);
  return Promise.resolve(status);
};

const tee: CommandFn = async (inv) => {
  const { flags, operands } = parseFlags(inv.args);
  const text = await inv.io.stdin();
  let status = 0;
  for (const f of operands) {
    try {
      inv.ctx.machine.fs.write(pathOf(inv, f), text, inv.ctx.uid, flags.has("-a"));
    } catch (e) {
      if (!(e instanceof FsError)) throw e;
      status = fail(inv, `${f}: ${e.text}`);
    }
  }
  inv.io.out(text);
  return status;
};

function copyTree(inv: Invocation, src: string, dst: string, mode?: number): void {
  const fs = inv.ctx.machine.fs;
  const real = fs.resolve(src);
  const ref = fs.stat(real);
  if (!ref) throw new FsError("ENOENT", src);
  if (ref.node.kind === "dir") {
    fs.mkdir(dst, inv.ctx.uid, true);
    for (const path of fs.staticTree(real)) {
      if (path === real) continue;
      const node = fs.staticNode(path)!;
      fs.putNode(dst + path.slice(real.length), {
        ...node,
        uid: inv.ctx.uid,
        mtime: inv.ctx.machine.now(),
      });
    }
    return;
  }
  const content = fs.read(real, inv.ctx.uid);
  fs.write(dst, content, inv.ctx.uid);
  if (mode !== undefined) {
    const n = fs.stat(dst);
    if (n && !n.dynamic) n.node.mode = mode;
  }
}

function copyLike(inv: Invocation, move: boolean): number {
  const { flags, operands } = parseFlags(inv.args, ["-m", "-o", "-g", "-t"]);
  const cmd = inv.name.split("/").pop()!;
  if (operands.length < 2) {
    return fail(inv, `missing destination file operand after '${operands[0] ?? ""}'`);
  }
  const fs = inv.ctx.machine.fs;
  const dest = operands[operands.length - 1];
  const sources = operands.slice(0, -1);
  const destPath = pathOf(inv, dest);
  const destIsDir = fs.stat(destPath)?.node.kind === "dir";
  const mode = typeof flags.get("-m") === "string"
    ? parseInt(flags.get("-m") as string, 8)
    : undefined;
  let status = 0;
  if (cmd === "install" && flags.has("-D")) {
    try {
      fs.mkdir(posix.dirname(destPath), inv.ctx.uid, true);
    } catch (e) {
      if (!(e instanceof FsError)) throw e;
      return fail(inv, `cannot create directory '${posix.dirname(dest)}': ${e.text}`);
    }
  }
  if (cmd === "install" && flags.has("-d")) {
    for (const op of operands) {
      try {
        fs.mkdir(pathOf(inv, op), inv.ctx.uid, true);
      } catch (e) {
        if (!(e instanceof FsError)) throw e;
        status = fail(inv, `cannot create directory '${op}': ${e.text}`);
      }
    }
    return status;
  }
  for (const src of sources) {
    const srcPath = pathOf(inv, src);
    const target = destIsDir ? posix.join(destPath, posix.basename(srcPath)) : destPath;
    const srcNode = fs.stat(srcPath);
    if (!srcNode) {
      status = fail(inv, `cannot stat '${src}': No such file or directory`);
      continue;
    }
    if (
      !move && srcNode.node.kind === "dir" && !flags.has("-r") && !flags.has("-R") &&
      !flags.has("-a")
    ) {
      status = fail(inv, `-r not specified; omitting directory '${src}'`);
      continue;
    }
    if (!destIsDir && dest.endsWith("/")) {
      status = fail(inv, `cannot create regular file '${dest}': Not a directory`);
      continue;
    }
    try {
      if (move) fs.rename(srcPath, target, inv.ctx.uid);
      else copyTree(inv, srcPath, target, mode ?? (cmd === "install" ? 0o755 : undefined));
    } catch (e) {
      if (!(e instanceof FsError)) throw e;
      const shown = destIsDir ? posix.join(dest, posix.basename(srcPath)) : dest;
      status = fail(
        inv,
        move
          ? `cannot move '${src}' to '${shown}': ${e.text}`
          : `cannot create regular file '${shown}': ${e.text}`,
      );
    }
  }
  return status;
}

const rm: CommandFn = (inv) => {
  const { flags, operands } = parseFlags(inv.args);
  const force = flags.has("-f");
  let status = 0;
  for (const op of operands) {
    try {
      inv.ctx.machine.fs.remove(pathOf(inv, op), inv.ctx.uid, flags.has("-r") || flags.has("-R"));
    } catch (e) {
      if (!(e instanceof FsError)) throw e;
      if (force && e.code === "ENOENT") continue;
      status = fail(
        inv,
        e.code === "EISDIR"
          ? `cannot remove '${op}': Is a directory`
          : `cannot remove '${op}': ${e.text}`,
      );
    }
  }
  return Promise.resolve(status);
};

const mkdir: CommandFn = (inv) => {
  const { flags, operands } = parseFlags(inv.args, ["-m"]);
  let status = 0;
  for (const op of operands) {
    try {
      inv.ctx.machine.fs.mkdir(pathOf(inv, op), inv.ctx.uid, flags.has("-p"));
    } catch (e) {
      if (!(e instanceof FsError)) throw e;
      status = fail(inv, `cannot create directory '${op}': ${e.text}`);
    }
  }
  return Promise.resolve(status);
};

const touch: CommandFn = (inv) => {
  const fs = inv.ctx.machine.fs;
  let status = 0;
  for (const op of parseFlags(inv.args).operands) {
    try {
      fs.write(pathOf(inv, op), "", inv.ctx.uid, true);
    } catch (e) {
      if (!(e instanceof FsError)) throw e;
      status = fail(inv, `cannot touch '${op}': ${e.text}`);
    }
  }
  return Promise.resolve(status);
};

const chmod: CommandFn = (inv) => {
  const [mode, ...files] = parseFlags(inv.args).operands;
  const fs = inv.ctx.machine.fs;
  let status = 0;
  for (const f of files) {
    const ref = fs.stat(pathOf(inv, f));
    if (!ref) status = fail(inv, `cannot access '${f}': No such file or directory`);
    else if (ref.dynamic || (inv.ctx.uid !== 0 && ref.node.uid !== inv.ctx.uid)) {
      status = fail(inv, `changing permissions of '${f}': Operation not permitted`);
    } else if (/^[0-7]+$/.test(mode)) ref.node.mode = parseInt(mode, 8);
    else if (mode.includes("+x")) ref.node.mode |= 0o111;
  }
  return Promise.resolve(status);
};

const ln: CommandFn = (inv) => {
  const { flags, operands } = parseFlags(inv.args);
  const fs = inv.ctx.machine.fs;
  if (!flags.has("-s")) return Promise.resolve(fail(inv, "hard links are not supported here"));
  const [target, link] = operands;
  const path = pathOf(inv, link ?? posix.basename(target));
  try {
    if (flags.has("-f") && fs.stat(path, false)) fs.remove(path, inv.ctx.uid);
    fs.symlink(target, path, inv.ctx.uid);
  } catch (e) {
    if (!(e instanceof FsError)) throw e;
    return Promise.resolve(fail(inv, `failed to create symbolic link '${link}': ${e.text}`));
  }
  return Promise.resolve(0);
};

const stat: CommandFn = (inv) => {
  const { flags, operands } = parseFlags(inv.args, ["-c", "--format"]);
  const fs = inv.ctx.machine.fs;
  let status = 0;
  for (const op of operands) {
    const ref = fs.stat(pathOf(inv, op), flags.has("-L"));
    if (!ref) {
      status = fail(inv, `cannot statx '${op}': No such file or directory`);
      continue;
    }
    const n = ref.node;
    const fmt = (flags.get("-c") ?? flags.get("--format")) as string | undefined;
    if (fmt) {
      inv.io.out(
        fmt.replace(/%a/g, (n.mode & 0o7777).toString(8)).replace(
          /%U/g,
          userName(n.uid, inv.ctx.machine.state.loginUser),
        )
          .replace(/%n/g, op).replace(/%s/g, String((n.content ?? "").length))
          .replace(
            /%F/g,
            n.kind === "dir"
              ? "directory"
              : n.kind === "link"
              ? "symbolic link"
              : n.kind === "char"
              ? "character special file"
              : "regular file",
          ) + "\n",
      );
    } else inv.io.out(`  File: ${op}\n  Size: ${(n.content ?? "").length}\n`);
  }
  return Promise.resolve(status);
};

/** File commands by name. */
export const fileCommands: Record<string, CommandFn> = {
  cat,
  test,
  "[": test,
  readlink,
  ls,
  tee,
  cp: (inv) => Promise.resolve(copyLike(inv, false)),
  install: (inv) => Promise.resolve(copyLike(inv, false)),
  mv: (inv) => Promise.resolve(copyLike(inv, true)),
  rm,
  mkdir,
  touch,
  chmod,
  ln,
  stat,
};
