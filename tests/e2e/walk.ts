/**
 * Every regular file under a directory, recursively (for tests that grep all a run wrote).
 * @module
 */
import { join } from "node:path";

/** Yields the path of every regular file under `dir` (depth first). */
export async function* walk(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* walk(path);
    else if (entry.isFile) yield path;
  }
}
