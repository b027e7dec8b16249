/**
 * Option parsers shared by commands that need nothing of commander (so the
 * commands of `quick.ts` load without it; see `wait-timeout.ts` for one that does).
 * @module
 */

/**
 * Collects a repeatable option (`--set a=1 --set b=2`) into a list; pass as
 * commander's option parser with `[]` as the default.
 * @param value this occurrence's value
 * @param previous values collected so far
 * @returns the new list
 */
export function collectValues(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
