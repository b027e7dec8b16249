/**
 * Unified diffs of host file changes (npm `diff`), for `changes.ts`. A module
 * of its own, imported when a file change is recorded, so step definitions
 * load `diff` only when a step writes a file.
 * @module
 */
import { createTwoFilesPatch } from "diff";

/**
 * A unified diff from `before` (null = file absent) to `after` (null = removed)
 * for `path`, without the `Index:` header; empty string when equal.
 */
export function unifiedDiff(path: string, before: string | null, after: string | null): string {
  if (before === after) return "";
  const patch = createTwoFilesPatch(
    before === null ? "/dev/null" : `a${path}`,
    after === null ? "/dev/null" : `b${path}`,
    before ?? "",
    after ?? "",
    undefined,
    undefined,
    { context: 3 },
  );
  return patch.split("\n").filter((line, i) => !(i < 2 && /^(Index:|=+$)/.test(line)))
    .join("\n").trimEnd() + "\n";
}
