/**
 * Error types shared by the runner and the plugins.
 * @module
 */

/**
 * Kinds of step errors. A pipeline's `retry.on` lists the kinds worth a retry.
 * - `timeout`: the step's timeout elapsed.
 * - `cancelled`: the run was interrupted.
 * - `connection`: a network or SSH connection failed or dropped.
 * - `throttled`: an API asked to slow down (e.g. EC2 `RequestLimitExceeded`).
 * - `capacity`: the provider had no capacity (`InsufficientInstanceCapacity`).
 * - `command`: a remote command exited non-zero.
 * - `auth`: credentials or permissions were refused.
 * - `config`: bad input discovered at run time (missing key file, unknown subnet).
 * - `usage`: the invocation needs a flag or answer it lacks (e.g. `--yes` for a big
 *   launch without a terminal) and the run could only tell once it started (the
 *   instance types come from a step's outputs). Like every step error once the
 *   run started, it fails the run (exit 1); what is known before the run is
 *   refused then instead (exit 2, see `checkBeforeRun` on step plugins).
 * - `not-ready`: a condition polled for has not happened yet (e.g. chrony not synced).
 * - `internal`: anything else.
 */
export type ErrorKind =
  | "timeout"
  | "cancelled"
  | "connection"
  | "throttled"
  | "capacity"
  | "command"
  | "auth"
  | "config"
  | "usage"
  | "not-ready"
  | "internal";

/** All error kinds, for schemas and docs. */
export const ERROR_KINDS: readonly ErrorKind[] = [
  "timeout",
  "cancelled",
  "connection",
  "throttled",
  "capacity",
  "command",
  "auth",
  "config",
  "usage",
  "not-ready",
  "internal",
];

/**
 * An error a step throws on purpose, with a kind the retry policy can match.
 * `evidence` carries raw output quoted in diagnostics (never secrets).
 */
export class StepError extends Error {
  /** Error kind for retry decisions and the report. */
  readonly kind: ErrorKind;
  /** Raw output that shows the failure, if any. */
  readonly evidence?: string;
  constructor(
    kind: ErrorKind,
    message: string,
    options?: { cause?: unknown; evidence?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "StepError";
    this.kind = kind;
    this.evidence = options?.evidence;
  }
}

/**
 * The stack of a thrown value with its `cause` chain (`Caused by: ...`), as
 * the runner records a failed step's error; undefined when `error` is not an
 * `Error` (a thrown string has no stack). Causes are followed up to 5 deep.
 */
export function errorStack(error: unknown): string | undefined {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const text = current.stack ?? `${current.name}: ${current.message}`;
    parts.push(depth === 0 ? text : `Caused by: ${text}`);
    current = current.cause;
  }
  if (current !== undefined && parts.length > 0 && !(current instanceof Error)) {
    parts.push(`Caused by: ${String(current)}`);
  }
  return parts.length > 0 ? parts.join("\n") : undefined;
}

/** One validation problem, located in a file or a flag. */
export interface ValidationIssue {
  /** File path or flag name (`--set`, `--config`). */
  source: string;
  /** 1-based line, when known. */
  line?: number;
  /** 1-based column, when known. */
  col?: number;
  /** Dotted key path, e.g. `steps[2].with.subnet_id`. */
  key?: string;
  /** What is wrong and what would be right. */
  message: string;
}

/** Formats an issue as `file:line:col: key: message`. */
export function formatIssue(issue: ValidationIssue): string {
  const where = issue.line === undefined
    ? issue.source
    : `${issue.source}:${issue.line}:${issue.col ?? 1}`;
  return issue.key ? `${where}: ${issue.key}: ${issue.message}` : `${where}: ${issue.message}`;
}

/** Thrown when a pipeline, config file or flag is invalid. Exit code 2. */
export class ValidationError extends Error {
  readonly issues: ValidationIssue[];
  constructor(issues: ValidationIssue[]) {
    super(issues.map(formatIssue).join("\n"));
    this.name = "ValidationError";
    this.issues = issues;
  }
}

/** Classifies any thrown value into an {@link ErrorKind}. */
export function errorKindOf(error: unknown): ErrorKind {
  if (error instanceof StepError) return error.kind;
  if (error instanceof DOMException && error.name === "TimeoutError") return "timeout";
  if (error instanceof DOMException && error.name === "AbortError") return "cancelled";
  return "internal";
}

/** Process exit codes, documented in the README. */
export const EXIT = {
  /** Every target reached a verdict. */
  OK: 0,
  /** Some target or step errored. */
  FAILED: 1,
  /**
   * Usage or validation error, found before the run started: nothing ran,
   * nothing was created, no run id or journal (`status: invalid`). A run that
   * started never exits 2.
   */
  USAGE: 2,
  /** Resources may be left behind (cleanup could not release everything). */
  LEFT_BEHIND: 3,
  /** Interrupted by Ctrl-C or SIGTERM. */
  INTERRUPTED: 130,
} as const;
