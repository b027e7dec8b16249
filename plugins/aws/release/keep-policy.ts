/**
 * The `--keep` setting (`RunSettings.keep`): which launched instances cleanup
 * leaves running. Pure and light.
 * @module
 */

/**
 * A parsed `--keep` value.
 * - `none`: terminate every instance of the run.
 * - `all`: keep every instance of the run, whatever its verdict.
 * - `functional`: keep the instances whose PHC verdict is `functional`.
 * - `ids`: keep exactly the listed instance ids.
 * - `ask`: no `--keep` given: ask when interactive, else behave as `none`.
 */
export type KeepPolicy =
  | { mode: "none" | "all" | "functional" | "ask" }
  | { mode: "ids"; ids: string[] };

/**
 * Parses a `--keep` value (`none` | `all` | `functional` | comma-separated
 * instance ids); undefined or empty gives `ask`.
 * @throws Error naming `--keep` and the accepted forms when an entry is neither a
 *   keyword nor an instance id (`i-` followed by letters/digits).
 */
export function parseKeepPolicy(keep: string | undefined): KeepPolicy {
  const value = keep?.trim() ?? "";
  if (value === "") return { mode: "ask" };
  if (value === "none" || value === "all" || value === "functional") return { mode: value };
  const ids = value.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const bad = ids.filter((id) => !/^i-[0-9a-zA-Z]+$/.test(id));
  if (bad.length > 0 || ids.length === 0) {
    throw new Error(
      `--keep: "${bad.join(", ") || value}" is not valid; use none, all, functional ` +
        `or comma-separated instance ids (i-0123456789abcdef0)`,
    );
  }
  return { mode: "ids", ids };
}
