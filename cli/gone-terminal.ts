/**
 * Writing to stdout/stderr that may be gone: after the terminal closed (SIGHUP,
 * the SSH session to the operator's machine dropped) a write fails with EPIPE /
 * EIO (`Deno.errors.BrokenPipe`, `Deno.errors.Interrupted`, ...). A run must
 * still cancel, clean up and write its journal and reports, so a failed write
 * marks the stream gone and later writes are dropped instead of throwing out
 * of a signal handler or a step. Source: POSIX write(2) (EPIPE, EIO).
 * @module
 */

const encoder = new TextEncoder();

/** A synchronous sink such as `Deno.stdout`. */
export interface SyncWriter {
  writeSync(p: Uint8Array): number;
}

/**
 * A writer of text to `file` that never throws: the first failed write marks
 * the stream gone and every later call does nothing.
 * @returns the write function and `gone()` (true once a write failed).
 */
export function writerToMaybeGone(
  file: SyncWriter,
): { write(text: string): void; gone(): boolean } {
  let gone = false;
  return {
    write(text: string) {
      if (gone) return;
      const bytes = encoder.encode(text);
      let offset = 0;
      try {
        while (offset < bytes.length) offset += file.writeSync(bytes.subarray(offset));
      } catch {
        gone = true;
      }
    },
    gone: () => gone,
  };
}
