/**
 * Pathname expansion (`*`, `?`, `[...]`) for the mini shell, as bash does it
 * without options: a pattern that matches nothing stays as written; names
 * starting with `.` are matched only by a pattern starting with `.`.
 * @module
 */
import type { HostFs } from "../model/fs.ts";

/**
 * Translates one glob path component into an anchored RegExp.
 * @param pattern the component, e.g. `ptp*`
 * @param literal per character: true when it was quoted (never special)
 */
export function globToRegExp(pattern: string, literal?: boolean[]): RegExp {
  let re = "^";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    const special = !literal?.[i];
    if (special && c === "*") re += "[^/]*";
    else if (special && c === "?") re += "[^/]";
    else if (special && c === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end < 0) re += "\\[";
      else {
        let body = pattern.slice(i + 1, end);
        if (body.startsWith("!")) body = "^" + body.slice(1);
        re += `[${body.replace(/\\/g, "\\\\")}]`;
        i = end;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(re + "$");
}

/** True when the word has an unquoted glob character. */
export function hasGlob(text: string, literal: boolean[]): boolean {
  for (let i = 0; i < text.length; i++) {
    if (!literal[i] && (text[i] === "*" || text[i] === "?" || text[i] === "[")) return true;
  }
  return false;
}

/**
 * Expands a pattern against the host's file system.
 * @param text the word after quote removal
 * @param literal per character: true when quoted
 * @param cwd directory relative patterns start from
 * @returns sorted matches (relative when the pattern was), or `[]` when none
 */
export function expandGlob(fs: HostFs, text: string, literal: boolean[], cwd: string): string[] {
  const absolute = text.startsWith("/");
  const comps: { text: string; literal: boolean[] }[] = [];
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i === text.length || text[i] === "/") {
      if (i > start) comps.push({ text: text.slice(start, i), literal: literal.slice(start, i) });
      start = i + 1;
    }
  }
  let paths = [absolute ? "" : "."];
  for (const comp of comps) {
    const next: string[] = [];
    const glob = hasGlob(comp.text, comp.literal);
    for (const base of paths) {
      const dir = base === "" ? "/" : base === "." ? cwd : absolute ? base : `${cwd}/${base}`;
      if (!glob) {
        next.push(base === "." ? comp.text : `${base}/${comp.text}`);
        continue;
      }
      let names: string[];
      try {
        names = fs.list(dir);
      } catch {
        continue;
      }
      const re = globToRegExp(comp.text, comp.literal);
      for (const name of names) {
        if (name.startsWith(".") && !comp.text.startsWith(".")) continue;
        if (re.test(name)) next.push(base === "." ? name : `${base}/${name}`);
      }
    }
    paths = next;
  }
  return paths.filter((p) => {
    const abs = p.startsWith("/") ? p : `${cwd}/${p}`;
    return fs.exists(abs) || fs.stat(abs, false) !== undefined;
  }).sort();
}
