/**
 * Temporary directories for tests that are removed when the test process
 * ends (the `unload` event), so a test run leaves nothing under the system
 * temp directory.
 * @module
 */

const made: string[] = [];
let registered = false;

function track(dir: string): string {
  made.push(dir);
  if (!registered) {
    registered = true;
    globalThis.addEventListener("unload", () => {
      for (const path of made) {
        try {
          Deno.removeSync(path, { recursive: true });
        } catch {
          // Already removed by the test, or never populated.
        }
      }
    });
  }
  return dir;
}

/** A new temporary directory named `<prefix>…`, removed at process end. */
export function tempDirSync(prefix: string): string {
  return track(Deno.makeTempDirSync({ prefix }));
}

/** A new temporary directory named `<prefix>…`, removed at process end. */
export async function tempDir(prefix: string): Promise<string> {
  return track(await Deno.makeTempDir({ prefix }));
}
