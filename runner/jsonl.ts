/**
 * `--log-json FILE` (`-` = stdout): every run event as one JSON object per line, written
 * synchronously as it happens (nothing buffered, so a crash loses nothing).
 * Events arrive already redacted from the {@link EventBus}.
 * @module
 */
import { chmodOwnerOnlySync, OWNER_ONLY_FILE_MODE } from "./owner-only.ts";
import type { RunEvent } from "./types.ts";

/** Where the lines go: a file, or stdout (which {@link JsonLinesWriter.close} leaves open). */
interface LineSink {
  writeSync(bytes: Uint8Array): number;
  close?(): void;
}

/** Appends run events to a JSON Lines file (or stdout). */
export class JsonLinesWriter {
  #file: LineSink | undefined;
  #encoder = new TextEncoder();

  private constructor(file: LineSink) {
    this.#file = file;
  }

  /**
   * Creates (or truncates) `path` for writing, mode 0600 (see `owner-only.ts`);
   * `-` means stdout.
   * @throws Deno.errors.* when the file cannot be created (e.g. missing directory).
   */
  static open(path: string): JsonLinesWriter {
    if (path === "-") return JsonLinesWriter.to({ writeSync: (b) => Deno.stdout.writeSync(b) });
    const file = Deno.openSync(path, {
      write: true,
      create: true,
      truncate: true,
      mode: OWNER_ONLY_FILE_MODE,
    });
    try {
      // Owner-only whatever the umask, also when the file already existed.
      chmodOwnerOnlySync(path);
    } catch (error) {
      file.close();
      throw error;
    }
    return new JsonLinesWriter(file);
  }

  /** A writer to `sink` (e.g. stdout; closing the writer does not close the sink). */
  static to(sink: { writeSync(bytes: Uint8Array): number }): JsonLinesWriter {
    return new JsonLinesWriter({ writeSync: (b) => sink.writeSync(b) });
  }

  /** Writes one event as a line. Ignored after {@link close}. */
  write(event: RunEvent): void {
    if (!this.#file) return;
    const bytes = this.#encoder.encode(JSON.stringify(event) + "\n");
    let offset = 0;
    while (offset < bytes.length) offset += this.#file.writeSync(bytes.subarray(offset));
  }

  /** Closes the file; later writes are dropped. */
  close(): void {
    this.#file?.close?.();
    this.#file = undefined;
  }
}
