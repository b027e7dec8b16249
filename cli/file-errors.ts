/**
 * Plain words for file-system errors of paths the user gives (`--log-json`,
 * `--report-dir`), instead of Deno's texts (which for `/proc` or `/sys`
 * paths suggest re-running with `--allow-all`).
 * @module
 */
import { dirname } from "node:path";

/** Why `path` cannot be written, in plain words (no Deno permission advice). */
export function fileErrorText(error: unknown, path: string): string {
  if (error instanceof Deno.errors.NotFound) return `${dirname(path)} does not exist`;
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (error instanceof Deno.errors.AlreadyExists) return "it exists and is not a directory";
  if (error instanceof Deno.errors.IsADirectory) return "it is a directory";
  if (error instanceof Deno.errors.NotADirectory) return "a part of the path is not a directory";
  if (error instanceof Deno.errors.NotCapable) {
    return "files cannot be written there (a special file system such as /proc, /sys or /dev)";
  }
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/[,;:]?\s*run again with[\s\S]*$/i, "").replace(/\s*\(os error \d+\)/, "");
}

/**
 * Checks that a report directory can be written: creates it when missing
 * (owner-only, as the report step would) and writes and removes a probe file.
 * @returns null when it can, else why not (plain words)
 */
export async function reportDirProblem(dir: string): Promise<string | null> {
  try {
    const info = await Deno.stat(dir).catch((error) => {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    });
    if (info && !info.isDirectory) return "it exists and is not a directory";
    if (!info) await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    const probe = await Deno.makeTempFile({ dir, prefix: ".ptp-runner-probe-" });
    await Deno.remove(probe);
    return null;
  } catch (error) {
    return fileErrorText(error, dir);
  }
}
