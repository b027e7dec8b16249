/**
 * Loads the real command outputs of `shared/samples/`, copied into
 * `tests/fixtures/samples/` so the tests do not depend on `shared/` being beside the repo.
 * @module
 */

/** Directory of the copied samples. */
export const SAMPLES_DIR = new URL("../fixtures/samples/", import.meta.url);

/** Directory of the original samples (`shared/samples/` beside the repo), may be absent. */
export const SHARED_SAMPLES_DIR = new URL("../../../shared/samples/", import.meta.url);

/** Text of sample `name` (e.g. `chronyc-sources-phc.txt`). */
export function sample(name: string): string {
  return Deno.readTextFileSync(new URL(name, SAMPLES_DIR));
}
