/**
 * Option parsers shared by commands.
 * @module
 */
import { InvalidArgumentError } from "commander";

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

/**
 * Parses `--wait-timeout`: a positive number of seconds.
 * @throws InvalidArgumentError (commander prints it and exits 2) for anything else
 */
export function waitTimeoutSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError(
      `--wait-timeout: "${value}" is not a positive number of seconds`,
    );
  }
  return n;
}
