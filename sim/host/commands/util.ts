/**
 * Helpers shared by the simulated commands: path resolution against the
 * process, reading input files or stdin with coreutils-style errors, and
 * short-option splitting (`-rf` -> `-r -f`).
 * @module
 */
import { absPath, FsError } from "../model/fs.ts";
import type { Invocation } from "./types.ts";

/** Absolute path of an argument for the invoking process. */
export function pathOf(inv: Invocation, p: string): string {
  return absPath(p, inv.ctx.cwd);
}

/**
 * Splits arguments into flags and operands: `-abc` -> a, b, c; `--long` kept
 * whole; `--` ends options. Flags listed in `withValue` take the next argument
 * (or the rest of the cluster) as their value.
 */
export function parseFlags(
  args: string[],
  withValue: string[] = [],
): { flags: Map<string, string | true>; operands: string[] } {
  const flags = new Map<string, string | true>();
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith("--") && a.length > 2) {
      const eq = a.indexOf("=");
      if (eq > 0) flags.set(a.slice(0, eq), a.slice(eq + 1));
      else if (withValue.includes(a)) flags.set(a, args[++i] ?? "");
      else flags.set(a, true);
    } else if (a.startsWith("-") && a.length > 1 && !/^-\d+$/.test(a)) {
      for (let j = 1; j < a.length; j++) {
        const f = `-${a[j]}`;
        if (withValue.includes(f)) {
          flags.set(f, j + 1 < a.length ? a.slice(j + 1) : (args[++i] ?? ""));
          break;
        }
        flags.set(f, true);
      }
    } else operands.push(a);
  }
  return { flags, operands };
}

/**
 * Reads each named file (or stdin when none / `-`), reporting
 * `cmd: FILE: No such file or directory` for failures.
 * @returns the contents read (with their names) and whether any failed
 */
export async function readInputs(
  inv: Invocation,
  files: string[],
  quiet = false,
): Promise<{ inputs: { name: string; text: string }[]; failed: boolean }> {
  if (files.length === 0) {
    return { inputs: [{ name: "(standard input)", text: await inv.io.stdin() }], failed: false };
  }
  const inputs: { name: string; text: string }[] = [];
  let failed = false;
  for (const f of files) {
    if (f === "-") {
      inputs.push({ name: "(standard input)", text: await inv.io.stdin() });
      continue;
    }
    try {
      inputs.push({ name: f, text: inv.ctx.machine.fs.read(pathOf(inv, f), inv.ctx.uid) });
    } catch (e) {
      if (!(e instanceof FsError)) throw e;
      failed = true;
      if (!quiet) inv.io.err(`${inv.name.split("/").pop()}: ${f}: ${e.text}\n`);
    }
  }
  return { inputs, failed };
}

/** Prints `cmd: message` to stderr and returns `code`. */
export function fail(inv: Invocation, message: string, code = 1): number {
  inv.io.err(`${inv.name.split("/").pop()}: ${message}\n`);
  return code;
}

/** Lines of a text without the empty string after a final newline. */
export function textLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** `Mon DD HH:MM` as `ls -l` prints a recent time. */
export function lsDate(d: Date): string {
  const mon = d.toLocaleString("en-US", { month: "short", timeZone: "UTC" });
  const hh = String(d.getUTCHours()).padStart(2, "0");
  const mm = String(d.getUTCMinutes()).padStart(2, "0");
  return `${mon} ${String(d.getUTCDate()).padStart(2, " ")} ${hh}:${mm}`;
}

/** User name of a uid: `root` for 0, else the host's login user (`ec2-user`, `ubuntu`, ...). */
export function userName(uid: number, loginUser: string): string {
  return uid === 0 ? "root" : loginUser;
}
