/**
 * Diagnoses of the PTP host steps: every failure names its layer and quotes
 * the raw output of the command that showed it (PTP.md section 6), then
 * becomes a {@link StepError}.
 * @module
 */
import { type ErrorKind, StepError } from "../../runner/errors.ts";
import type { Diagnostic, Target } from "../../runner/types.ts";
import type { CommandResult } from "../ssh/types.ts";

/** Layers a diagnosis can name (Diagnostic.layer). */
export type DiagnosticLayer =
  | "hardware"
  | "driver"
  | "udev"
  | "chrony"
  | "service"
  | "package"
  | "build";

/** Evidence of a diagnosis: a command and what it printed. */
export interface Evidence {
  /** Command line as run. */
  command: string;
  /** Raw output (stdout and stderr). */
  output: string;
}

/**
 * The last `count` non-empty-trailing lines of `text` (trailing blank lines dropped).
 * @param text any text
 * @param count number of lines to keep (default 20)
 */
export function lastLines(text: string, count = 20): string {
  const all = text.replace(/\s+$/, "").split(/\r?\n/);
  return all.slice(Math.max(0, all.length - count)).join("\n");
}

/**
 * Evidence from a command result: stdout then stderr, trimmed, limited to
 * the last `maxLines` lines (default 40), with the exit status when not 0.
 */
export function evidenceOf(result: CommandResult, maxLines = 40): Evidence {
  const parts = [result.stdout.trim(), result.stderr.trim()].filter((p) => p !== "");
  let output = lastLines(parts.join("\n"), maxLines);
  if (result.exitCode !== 0) {
    const status = result.exitCode === null
      ? `connection dropped${result.signal ? ` (signal ${result.signal})` : ""}`
      : `exit status ${result.exitCode}`;
    output = output === "" ? `(${status})` : `${output}\n(${status})`;
  }
  return { command: result.command, output };
}

/**
 * Records a diagnosis on `target.diagnostics` and returns it.
 * @param evidence a command result, explicit evidence, or none
 */
export function diagnose(
  target: Target,
  layer: DiagnosticLayer,
  summary: string,
  evidence?: CommandResult | Evidence,
): Diagnostic {
  const ev = evidence && "exitCode" in evidence ? evidenceOf(evidence) : evidence;
  const diagnostic: Diagnostic = { layer, summary };
  if (ev) {
    diagnostic.command = ev.command;
    diagnostic.output = ev.output;
  }
  target.diagnostics.push(diagnostic);
  return diagnostic;
}

/**
 * Records a diagnosis and returns the {@link StepError} to throw, carrying the
 * same evidence. Usage: `throw failure(target, "command", "package", "dnf failed", result)`.
 */
export function failure(
  target: Target,
  kind: ErrorKind,
  layer: DiagnosticLayer,
  summary: string,
  evidence?: CommandResult | Evidence,
): StepError {
  const d = diagnose(target, layer, summary, evidence);
  return new StepError(kind, `${layer}: ${summary}`, { evidence: d.output });
}
