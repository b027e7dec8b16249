/**
 * Run Command state of one region: commands (SendCommand) and their
 * invocations, one per targeted instance. Plain data; the API semantics are
 * in `sim/aws/ssm/`, the running in `sim/aws/ssm/invocation-run.ts`.
 *
 * Status words are the wire values of the SSM API: `Status` of an invocation
 * (`CommandInvocationStatus`: Pending, InProgress, Delayed, Success,
 * Cancelled, TimedOut, Failed, Cancelling) and `StatusDetails` (Pending,
 * InProgress, Success, Failed, Cancelled, DeliveryTimedOut,
 * ExecutionTimedOut, Undeliverable, ...). Source: SSM API Reference,
 * `CommandInvocation` and "Understanding command statuses".
 * @module
 */

/** `CommandInvocationStatus` of the SSM API. */
export type InvocationStatus =
  | "Pending"
  | "InProgress"
  | "Delayed"
  | "Success"
  | "Cancelled"
  | "TimedOut"
  | "Failed"
  | "Cancelling";

/** One `Target` of SendCommand (`InstanceIds` or `tag:<key>` / `tag-key`). */
export interface SimTarget {
  Key: string;
  Values: string[];
}

/** One command invocation: the command on one instance. */
export interface SimInvocation {
  commandId: string;
  instanceId: string;
  /** Simulated time of SendCommand. */
  requestedAt: number;
  /** Simulated time from which GetCommandInvocation knows it. */
  visibleAt: number;
  status: InvocationStatus;
  statusDetails: string;
  /** Exit status of the script; -1 until it ran. */
  responseCode: number;
  /** Simulated times the script started and ended (undefined until then). */
  startedAt?: number;
  endedAt?: number;
  /** Everything the script wrote (bounded by the host); the API truncates on output. */
  stdout: string;
  stderr: string;
  /** CancelCommand was received for it. */
  cancelRequested: boolean;
  /** Aborts the delivery wait or kills the running script. */
  readonly abort: AbortController;
}

/** One SendCommand. */
export interface SimCommand {
  commandId: string;
  documentName: string;
  documentVersion: string;
  comment: string;
  /** Request `Parameters` as given (`commands`, `workingDirectory`, `executionTimeout`). */
  parameters: Record<string, string[]>;
  instanceIds: string[];
  targets: SimTarget[];
  requestedAt: number;
  /** Delivery timeout (`TimeoutSeconds`, default 3600). */
  timeoutSeconds: number;
  /** `executionTimeout` in seconds (default 3600). */
  executionTimeoutSeconds: number;
  maxConcurrency: string;
  maxErrors: string;
  /** Invocations by instance id, in target order. */
  invocations: Map<string, SimInvocation>;
}

/** Terminal invocation statuses (no further change). */
export const TERMINAL_STATUSES: ReadonlySet<InvocationStatus> = new Set([
  "Success",
  "Cancelled",
  "TimedOut",
  "Failed",
]);

/** Commands of one region, by command id (in send order). */
export type SsmCommandTable = Map<string, SimCommand>;
