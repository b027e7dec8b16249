/**
 * Files and directories the tool writes are readable by their owner only: the
 * journal holds host keys and the AWS account, reports name hosts and
 * instances. Modes given at creation are reduced by the umask but never raised
 * above it, and an existing file keeps its mode, so each path is also
 * `chmod`ed explicitly: 0600 for files, 0700 for directories, whatever the
 * umask. On Windows (no POSIX modes) nothing is changed.
 * Source: POSIX open(2)/mkdir(2) ("mode & ~umask"), chmod(2).
 * @module
 */
import { join } from "node:path";

/** Mode of every file the tool writes: owner read/write. */
export const OWNER_ONLY_FILE_MODE = 0o600;
/** Mode of every directory the tool creates: owner read/write/search. */
export const OWNER_ONLY_DIR_MODE = 0o700;

const posix = Deno.build.os !== "windows";

/** Sets `path` to `mode` (no-op on Windows). @throws Deno file-system errors. */
export async function chmodOwnerOnly(path: string, mode = OWNER_ONLY_FILE_MODE): Promise<void> {
  if (posix) await Deno.chmod(path, mode);
}

/** Synchronous {@link chmodOwnerOnly}. */
export function chmodOwnerOnlySync(path: string, mode = OWNER_ONLY_FILE_MODE): void {
  if (posix) Deno.chmodSync(path, mode);
}

/**
 * Creates `base/segments[0]/segments[1]/...` (each level that is missing) and
 * makes every level below `base` owner-only (0700). `base` itself (the working
 * directory) is left as it is.
 * @returns the full path.
 * @throws Deno file-system errors.
 */
export async function makeOwnerOnlyDirs(base: string, ...segments: string[]): Promise<string> {
  let path = base;
  for (const segment of segments) {
    path = join(path, segment);
    await Deno.mkdir(path, { recursive: true, mode: OWNER_ONLY_DIR_MODE });
    await chmodOwnerOnly(path, OWNER_ONLY_DIR_MODE);
  }
  return path;
}
