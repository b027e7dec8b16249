/**
 * Terminal colours: the one place that decides whether to colour and that
 * hands out colour functions (from the `picocolors` package; no ANSI codes
 * are written here).
 *
 * The decision is ours rather than picocolors' own `isColorSupported`,
 * because callers pass the terminal state (tests and `run` inject a fake
 * TTY) and because picocolors also colours whenever `CI` is set, which would
 * put escape codes into piped CI logs.
 * @module
 */
import { createColors } from "picocolors";

/** Colour functions; each returns its text unchanged when colour is off. */
export interface Palette {
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
  bold(text: string): string;
  dim(text: string): string;
}

/** Read access to environment variables (`Deno.env` fits). */
export interface EnvReader {
  get(name: string): string | undefined;
}

/**
 * Whether to colour output. `NO_COLOR` set to a non-empty value turns colour
 * off (https://no-color.org), and wins over `FORCE_COLOR`; otherwise
 * `FORCE_COLOR` set to a non-empty value turns it on even when the output is
 * not a terminal (https://force-color.org); otherwise colour follows `isTTY`.
 * @param isTTY whether the output is a terminal (default: stdout's state)
 * @param env environment to read (default `Deno.env`; needs env permission)
 */
export function colorEnabled(
  isTTY: boolean = Deno.stdout.isTerminal(),
  env: EnvReader = Deno.env,
): boolean {
  if (env.get("NO_COLOR")) return false;
  if (env.get("FORCE_COLOR")) return true;
  return isTTY;
}

/**
 * Colour functions for `enabled` (callers pass {@link colorEnabled}'s answer);
 * identity functions when false.
 */
export function palette(enabled: boolean): Palette {
  const colors = createColors(enabled);
  return {
    green: colors.green,
    yellow: colors.yellow,
    red: colors.red,
    bold: colors.bold,
    dim: colors.dim,
  };
}
