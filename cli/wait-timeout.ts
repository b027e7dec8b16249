/**
 * The `--wait-timeout` option parser of `cleanup` and `sweep`.
 * @module
 */
import { InvalidArgumentError } from "commander";

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
