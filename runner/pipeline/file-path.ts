/**
 * The absolute path of a pipeline file, without `node:path`: any `node:`
 * import loads Deno's Node compatibility layer, ~12 ms of the CLI's start-up
 * (about half of `deno eval 0`), and `validate` needs nothing else of it.
 * @module
 */

/**
 * `path` made absolute against `cwd`, as `node:path`'s `resolve(cwd, path)`
 * gives it on POSIX systems: `.` and empty segments dropped, `..` removing
 * the segment before it (never above `/`), no trailing `/`. On Windows it is
 * `node:path`'s own `resolve`.
 * @param cwd absolute directory (e.g. `Deno.cwd()`)
 * @param path relative or absolute path
 */
export async function absolutePath(cwd: string, path: string): Promise<string> {
  if (Deno.build.os === "windows") return (await import("node:path")).resolve(cwd, path);
  const segments: string[] = [];
  for (const segment of (path.startsWith("/") ? path : `${cwd}/${path}`).split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  return `/${segments.join("/")}`;
}
