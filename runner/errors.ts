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
 *   launch without a terminal); exit 2 when nothing was created and nothing else failed.
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
 * A step failure as the runner records it: the original error wrapped with
 * the step id and type.
 */
export class StepFailure extends Error {
  readonly stepId: string;
  readonly stepType: string;
  readonly kind: ErrorKind;
  constructor(stepId: string, stepType: string, kind: ErrorKind, message: string, cause?: unknown) {
    super(`step "${stepId}" (${stepType}): ${message}`, { cause });
    this.name = "StepFailure";
    this.stepId = stepId;
    this.stepType = stepType;
    this.kind = kind;
  }
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
  if (error instanceof StepError || error instanceof StepFailure) return error.kind;
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
   * Usage or validation error; nothing ran, or a step stopped with a `usage`
   * error (a missing flag or answer) before anything was created.
   */
  USAGE: 2,
  /** Resources may be left behind (cleanup could not release everything). */
  LEFT_BEHIND: 3,
  /** Interrupted by Ctrl-C or SIGTERM. */
  INTERRUPTED: 130,
} as const;
