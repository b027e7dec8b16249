/**
 * RPM packages on a target: which are missing (`rpm -q`) and installing them
 * (`sudo -n dnf install -y`), with failures diagnosed under layer `package`.
 * @module
 */
import type { Target } from "../../runner/types.ts";
import type { RemoteShell } from "../ssh/types.ts";
import { failure } from "./diagnose.ts";
import { shQuote } from "../ssh/quote.ts";

/**
 * The packages of `names` that `rpm -q <name>` does not report installed
 * (one query per package, so each answer is unambiguous).
 * @throws StepError `connection`/`cancelled` from the shell
 */
export async function missingPackages(
  shell: RemoteShell,
  names: readonly string[],
  signal: AbortSignal,
): Promise<string[]> {
  const missing: string[] = [];
  for (const name of names) {
    const result = await shell.run(`rpm -q ${shQuote(name)}`, { signal });
    if (result.exitCode !== 0) missing.push(name);
  }
  return missing;
}

/**
 * Installs `names` with `sudo -n dnf install -y`, then checks each with `rpm -q`.
 * Does nothing for an empty list.
 * @throws StepError kind `command` (diagnosis layer `package`, quoting dnf's
 *   output) when dnf fails or a package is still missing afterwards;
 *   `connection`/`cancelled` from the shell
 */
export async function installPackages(
  target: Target,
  shell: RemoteShell,
  names: readonly string[],
  signal: AbortSignal,
): Promise<void> {
  if (names.length === 0) return;
  const result = await shell.run(`dnf install -y ${names.map(shQuote).join(" ")}`, {
    sudo: true,
    signal,
  });
  if (result.exitCode !== 0) {
    throw failure(
      target,
      "command",
      "package",
      `dnf could not install ${names.join(", ")} (exit status ${result.exitCode})`,
      result,
    );
  }
  const still = await missingPackages(shell, names, signal);
  if (still.length > 0) {
    throw failure(
      target,
      "command",
      "package",
      `dnf reported success but rpm -q does not find ${still.join(", ")}`,
      result,
    );
  }
}
