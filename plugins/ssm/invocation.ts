/**
 * One command on one managed instance through SSM Run Command: SendCommand
 * (`AWS-RunShellScript`), then GetCommandInvocation polled with a growing,
 * bounded interval until the invocation is final; on abort (Ctrl-C or a step
 * timeout) CancelCommand, then a bounded wait for the final state.
 *
 * Statuses (SSM API Reference "GetCommandInvocation", `Status`): Pending,
 * InProgress, Delayed, Cancelling are not final; Success, Failed, TimedOut,
 * Cancelled are. `StatusDetails` says why: `Undeliverable` (the agent is not
 * reachable), `DeliveryTimedOut` (not picked up within `TimeoutSeconds`),
 * `ExecutionTimedOut`, `Terminated`. `ResponseCode` is the script's exit
 * status, -1 when it never ran. Right after SendCommand the invocation may
 * not exist yet (`InvocationDoesNotExist`): that is polled again.
 * @module
 */
import {
  CancelCommandCommand,
  GetCommandInvocationCommand,
  type GetCommandInvocationCommandOutput,
  SendCommandCommand,
} from "@aws-sdk/client-ssm";
import { CappedBackoff } from "../../runner/capped-backoff.ts";
import { StepError } from "../../runner/errors.ts";
import { awsErrorCode, awsErrorMessage, isAbort, toStepError } from "../aws/shared/aws-errors.ts";
import { detectTruncation, RUN_SHELL_SCRIPT, type Truncation } from "./script.ts";
import { sendSsm, type SsmSender } from "./send.ts";

/** Statuses after which an invocation changes no more. */
const FINAL = new Set(["Success", "Failed", "TimedOut", "Cancelled"]);
/** `StatusDetails` that mean the command never reached a running agent. */
const NOT_DELIVERED = new Set(["Undeliverable", "DeliveryTimedOut", "Terminated"]);

/** How GetCommandInvocation is polled (simulated seconds). */
export interface PollPolicy {
  /** Wait before the first poll. */
  firstSeconds: number;
  /** Longest wait between polls (the interval doubles up to it). */
  maxSeconds: number;
  /** Bound of the wait for the final state after CancelCommand. */
  cancelWaitSeconds: number;
  /** How long an invocation may stay unknown (`InvocationDoesNotExist`) after SendCommand. */
  missingSeconds: number;
}

/** Default polling: 0.5 s, 1, 2, 4, then every 5 s; 60 s after a cancel. */
export const DEFAULT_POLL: PollPolicy = {
  firstSeconds: 0.5,
  maxSeconds: 5,
  cancelWaitSeconds: 60,
  missingSeconds: 30,
};

/**
 * Seconds an instance's agent has to pick a command up (SendCommand
 * `TimeoutSeconds`, 30 to 2,592,000): long enough to ride out a driver reload
 * or a reboot, short enough that a dead agent is reported.
 */
export const DELIVERY_TIMEOUT_SECONDS = 600;

/** What the run's waits are made with. */
export interface InvocationTiming {
  /** Waits simulated seconds (scaled by the run's time scale); rejects on abort. */
  sleep(seconds: number, signal?: AbortSignal): Promise<void>;
}

/** The final state of one invocation. */
export interface InvocationOutcome {
  commandId: string;
  /** Final `Status` (or the last seen when a cancel's wait ran out). */
  status: string;
  statusDetails?: string;
  /** Exit status of the script; null when it did not run to an exit (cancelled, timed out, undelivered). */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Streams cut by GetCommandInvocation's limits. */
  truncated: Truncation;
  /** True when the agent never ran the command or lost it (Undeliverable, DeliveryTimedOut, Terminated). */
  undelivered: boolean;
  /** True when cancelled because `signal` aborted. */
  aborted: boolean;
  /** GetCommandInvocation calls made for it. */
  polls: number;
}

/** What to run where. */
export interface InvocationRequest {
  instanceId: string;
  /** AWS-RunShellScript `commands` parameter. */
  commands: string[];
  /** Comment shown in the SSM console (at most 100 characters are sent). */
  comment?: string;
}

/**
 * Runs one invocation to its final state.
 * @throws StepError `connection`/`auth`/`config`/`throttled` when SendCommand is
 *   refused or polling fails (the SSM error code and message are quoted);
 *   never throws on abort: returns `aborted: true` after cancelling.
 */
export async function runInvocation(
  sender: SsmSender,
  timing: InvocationTiming,
  request: InvocationRequest,
  signal: AbortSignal | undefined,
  poll: PollPolicy = DEFAULT_POLL,
): Promise<InvocationOutcome> {
  signal?.throwIfAborted();
  // Not aborted by the signal: once sent, the command must be known so it can be cancelled.
  let commandId: string;
  try {
    const sent = await sendSsm(
      sender,
      "SendCommand",
      (client) =>
        client.send(
          new SendCommandCommand({
            InstanceIds: [request.instanceId],
            DocumentName: RUN_SHELL_SCRIPT,
            Parameters: { commands: request.commands },
            TimeoutSeconds: DELIVERY_TIMEOUT_SECONDS,
            ...(request.comment ? { Comment: request.comment.slice(0, 100) } : {}),
          }),
        ),
    );
    commandId = sent.Command?.CommandId ?? "";
  } catch (error) {
    if (awsErrorCode(error) === "InvalidInstanceId") {
      // The instance is not a managed instance now: agent offline, not registered, or stopped.
      throw new StepError(
        "connection",
        `SSM refuses commands for ${request.instanceId} (InvalidInstanceId: ` +
          `${awsErrorMessage(error)}): its agent is not online`,
        { cause: error },
      );
    }
    throw toStepError(
      error,
      `send a command to ${request.instanceId} (SSM SendCommand)`,
      "ssm:SendCommand",
    );
  }
  if (!commandId) {
    throw new StepError("internal", `SSM SendCommand to ${request.instanceId} gave no CommandId`);
  }
  const state: PollState = { commandId, instanceId: request.instanceId, polls: 0 };
  const delays = new CappedBackoff(poll.firstSeconds, poll.maxSeconds);
  let missingFor = 0;
  while (true) {
    const delay = delays.next();
    try {
      await timing.sleep(delay, signal);
    } catch (error) {
      if (signal?.aborted) return await cancel(sender, timing, state, poll);
      throw error;
    }
    if (signal?.aborted) return await cancel(sender, timing, state, poll);
    let seen: GetCommandInvocationCommandOutput | undefined;
    try {
      seen = await getInvocation(sender, state, signal);
    } catch (error) {
      if (signal?.aborted) return await cancel(sender, timing, state, poll);
      throw error;
    }
    if (seen === undefined) {
      missingFor += delay;
      if (missingFor > poll.missingSeconds) {
        throw new StepError(
          "connection",
          `SSM command ${commandId} for ${request.instanceId} is still unknown to ` +
            `GetCommandInvocation after ${poll.missingSeconds}s`,
        );
      }
    } else if (FINAL.has(seen.Status ?? "")) {
      return outcome(state, seen, false);
    }
  }
}

interface PollState {
  commandId: string;
  instanceId: string;
  polls: number;
}

/**
 * One GetCommandInvocation; undefined while the invocation does not exist yet.
 * @throws StepError for any other SSM error.
 */
async function getInvocation(
  sender: SsmSender,
  state: PollState,
  signal?: AbortSignal,
): Promise<GetCommandInvocationCommandOutput | undefined> {
  state.polls++;
  try {
    return await sendSsm(
      sender,
      "GetCommandInvocation",
      (client, abortSignal) =>
        client.send(
          new GetCommandInvocationCommand({
            CommandId: state.commandId,
            InstanceId: state.instanceId,
          }),
          { abortSignal },
        ),
      signal,
    );
  } catch (error) {
    if (isAbort(error, signal)) throw error;
    if (awsErrorCode(error) === "InvocationDoesNotExist") return undefined;
    throw toStepError(
      error,
      `read the result of SSM command ${state.commandId} on ${state.instanceId}`,
      "ssm:GetCommandInvocation",
    );
  }
}

/**
 * CancelCommand, then polls (without the aborted signal) until the invocation
 * is final or `cancelWaitSeconds` pass.
 */
async function cancel(
  sender: SsmSender,
  timing: InvocationTiming,
  state: PollState,
  poll: PollPolicy,
): Promise<InvocationOutcome> {
  try {
    await sendSsm(
      sender,
      "CancelCommand",
      (client) =>
        client.send(
          new CancelCommandCommand({ CommandId: state.commandId, InstanceIds: [state.instanceId] }),
        ),
    );
  } catch (error) {
    // Already final (InvalidCommandId for a finished command) or not cancellable: the wait tells.
    sender.log.debug(
      `SSM CancelCommand ${state.commandId}: ${awsErrorCode(error)}: ${awsErrorMessage(error)}`,
    );
  }
  let waited = 0;
  let last: GetCommandInvocationCommandOutput | undefined;
  const delays = new CappedBackoff(poll.firstSeconds, poll.maxSeconds);
  while (waited <= poll.cancelWaitSeconds) {
    const delay = delays.next();
    await timing.sleep(delay);
    waited += delay;
    try {
      last = await getInvocation(sender, state) ?? last;
    } catch (error) {
      sender.log.debug(`after cancelling ${state.commandId}: ${(error as Error).message}`);
    }
    if (last && FINAL.has(last.Status ?? "")) break;
  }
  if (!last || !FINAL.has(last.Status ?? "")) {
    sender.log.warn(
      `SSM command ${state.commandId} on ${state.instanceId} was cancelled but is still ` +
        `${last?.Status ?? "unknown"} after ${poll.cancelWaitSeconds}s`,
    );
  }
  return last ? outcome(state, last, true) : {
    commandId: state.commandId,
    status: "Cancelling",
    exitCode: null,
    stdout: "",
    stderr: "",
    truncated: { stdout: false, stderr: false },
    undelivered: false,
    aborted: true,
    polls: state.polls,
  };
}

function outcome(
  state: PollState,
  seen: GetCommandInvocationCommandOutput,
  aborted: boolean,
): InvocationOutcome {
  const status = seen.Status ?? "unknown";
  const details = seen.StatusDetails;
  const stdout = seen.StandardOutputContent ?? "";
  const stderr = seen.StandardErrorContent ?? "";
  const code = seen.ResponseCode;
  const ran = (status === "Success" || status === "Failed") && typeof code === "number" &&
    code >= 0 && !NOT_DELIVERED.has(details ?? "");
  return {
    commandId: state.commandId,
    status,
    ...(details ? { statusDetails: details } : {}),
    exitCode: ran ? code! : null,
    stdout,
    stderr,
    truncated: detectTruncation(stdout, stderr),
    undelivered: NOT_DELIVERED.has(details ?? "") ||
      (status === "Failed" && (code === undefined || code < 0)),
    aborted,
    polls: state.polls,
  };
}
