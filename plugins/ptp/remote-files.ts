/**
 * Reading and writing small files on a target through its {@link RemoteShell},
 * using only commands the PTP steps rely on (`cat`, `tee`, `test`, `rm`).
 * @module
 */
import type { CommandResult, RemoteShell } from "../ssh/types.ts";
import { shQuote } from "../ssh/quote.ts";

/** A file read from a target. */
export interface RemoteFile {
  /** File content, or null when the file does not exist or cannot be read. */
  content: string | null;
  /** The `cat` result (evidence for diagnoses). */
  result: CommandResult;
}

/**
 * Reads `path` with `cat` (through `sudo -n` when `sudo`).
 * @returns content null when `cat` exits non-zero (missing or unreadable file)
 * @throws StepError `connection`/`cancelled` from the shell
 */
export async function readRemoteFile(
  shell: RemoteShell,
  path: string,
  signal: AbortSignal,
  sudo = false,
): Promise<RemoteFile> {
  const result = await shell.run(`cat ${shQuote(path)}`, { sudo, signal });
  return { content: result.exitCode === 0 ? result.stdout : null, result };
}

/**
 * Writes `content` to `path` as root (`sudo -n tee PATH >/dev/null`, content on
 * stdin), replacing the file; with `append`, `tee -a` adds to its end.
 * @returns the `tee` result; the caller checks `exitCode`
 * @throws StepError `connection`/`cancelled` from the shell
 */
export function writeRemoteFile(
  shell: RemoteShell,
  path: string,
  content: string,
  signal: AbortSignal | undefined,
  append = false,
): Promise<CommandResult> {
  const flag = append ? "-a " : "";
  return shell.run(`tee ${flag}${shQuote(path)} >/dev/null`, {
    sudo: true,
    signal,
    stdin: content,
  });
}

/**
 * Removes `path` as root (`sudo -n rm -f PATH`).
 * @throws StepError `connection`/`cancelled` from the shell
 */
export function removeRemoteFile(
  shell: RemoteShell,
  path: string,
  signal: AbortSignal | undefined,
): Promise<CommandResult> {
  return shell.run(`rm -f ${shQuote(path)}`, { sudo: true, signal });
}
