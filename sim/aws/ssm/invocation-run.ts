/**
 * The life of one command invocation, as the SSM service and agent play it
 * out in simulated time:
 *
 * 1. `Pending` until the agent is online (at once, or when a reboot or
 *    driver reload ends). If the delivery timeout (`TimeoutSeconds`) passes
 *    first: `TimedOut` / `DeliveryTimedOut`. CancelCommand now: `Cancelled`.
 * 2. `InProgress`: the agent runs the script as root on the host
 *    ({@link SimAgentHost.run}). The agent is local, so the host losing its
 *    network (an ENA reload run by the script itself) does not stop it; the
 *    result is reported once the agent is online again.
 * 3. Terminal: exit 0 `Success`; other exit `Failed` (ResponseCode = exit
 *    status); `executionTimeout` passed: the script is killed, `TimedOut` /
 *    `ExecutionTimedOut`; CancelCommand: `Cancelling` until the agent gets it,
 *    then the script is killed and `Cancelled`; host powered off: `Failed`.
 *    A killed script's ResponseCode is 137 (128 + SIGKILL), as the agent
 *    reports it on Linux.
 *
 * Source: SSM User Guide "Understanding command statuses"; amazon-ssm-agent
 * (`CommandStoppedPreemptivelyExitCode = 137`, status on cancel / timeout /
 * shutdown).
 * @module
 */
import type { SimAccount } from "../../state/account.ts";
import type { SimInstance } from "../../state/instance.ts";
import type { SimCommand, SimInvocation } from "../../state/ssm-command.ts";
import type { SimAgentHost } from "../../types.ts";
import type { SimCore } from "../context.ts";

/** ResponseCode of a script the agent killed (timeout, cancel): 128 + SIGKILL. */
export const KILLED_RESPONSE_CODE = 137;

/** Per account: aborted when the simulator stops (ends every wait of every invocation). */
const stops = new WeakMap<SimAccount, AbortController>();

function stopSignal(account: SimAccount): AbortSignal {
  let stop = stops.get(account);
  if (!stop) stops.set(account, stop = new AbortController());
  return stop.signal;
}

function finish(
  core: SimCore,
  inv: SimInvocation,
  status: SimInvocation["status"],
  details: string,
  end = true,
): void {
  inv.status = status;
  inv.statusDetails = details;
  if (end && inv.startedAt !== undefined) inv.endedAt ??= core.clock.now();
}

/** Resolves after `seconds` of simulated time, or when `signal` aborts (never rejects). */
function sleepOrAbort(core: SimCore, seconds: number, signal: AbortSignal): Promise<void> {
  return core.clock.sleep(Math.max(0, seconds), signal).catch(() => {});
}

/**
 * Runs one invocation to its terminal status (see the module doc). Never
 * throws; resolves when the invocation is terminal or the simulator stops.
 */
export async function runInvocation(
  core: SimCore,
  command: SimCommand,
  inv: SimInvocation,
  instance: SimInstance,
): Promise<void> {
  const agent = instance.host?.agent;
  if (!agent) {
    finish(core, inv, "Failed", "Undeliverable");
    return;
  }
  const abort = inv.abort.signal;
  const stop = stopSignal(core.account);
  const delivered = await deliver(core, command, inv, agent, stop);
  if (!delivered) return;

  inv.status = "InProgress";
  inv.statusDetails = "InProgress";
  inv.startedAt = core.clock.now();
  const kill = new AbortController();
  let timedOut = false;
  const timer = new AbortController();
  sleepOrAbort(core, command.executionTimeoutSeconds, timer.signal).then(() => {
    if (timer.signal.aborted) return;
    timedOut = true;
    kill.abort(new Error("execution timed out"));
  });
  const onCancel = () => {
    // The agent gets the cancel when it is online; the script is then killed.
    agent.whenOnline(AbortSignal.any([timer.signal, stop])).then(
      () => kill.abort(new Error("command cancelled")),
      () => {},
    );
  };
  const onStop = () => kill.abort(new Error("simulator stopping"));
  abort.addEventListener("abort", onCancel, { once: true });
  stop.addEventListener("abort", onStop, { once: true });
  const outcome = await agent.run({
    commandId: command.commandId,
    script: (command.parameters.commands ?? []).join("\n"),
    workingDirectory: command.parameters.workingDirectory?.[0] ?? "",
    signal: kill.signal,
  });
  timer.abort();
  abort.removeEventListener("abort", onCancel);
  stop.removeEventListener("abort", onStop);
  inv.endedAt = core.clock.now();
  inv.stdout = outcome.stdout;
  inv.stderr = outcome.stderr;
  if ("exitCode" in outcome) {
    // The result reaches SSM when the agent is online again (after a reload).
    await agent.whenOnline(stop).catch(() => {});
    if (stop.aborted) return;
    inv.responseCode = outcome.exitCode;
    if (outcome.exitCode === 0) finish(core, inv, "Success", "Success");
    else finish(core, inv, "Failed", "Failed");
    return;
  }
  inv.responseCode = KILLED_RESPONSE_CODE;
  if (outcome.killed === "power" || stop.aborted) {
    finish(core, inv, "Failed", "Failed");
  } else if (timedOut) finish(core, inv, "TimedOut", "ExecutionTimedOut");
  else finish(core, inv, "Cancelled", "Cancelled");
}

/** Waits until the agent takes the invocation; false when it ended before (timeout, cancel, stop). */
async function deliver(
  core: SimCore,
  command: SimCommand,
  inv: SimInvocation,
  agent: SimAgentHost,
  stop: AbortSignal,
): Promise<boolean> {
  const abort = AbortSignal.any([inv.abort.signal, stop]);
  const now = core.clock.now();
  await sleepOrAbort(core, inv.visibleAt - now, abort);
  const deadline = command.requestedAt + command.timeoutSeconds;
  const give = new AbortController();
  const onAbort = () => give.abort(abort.reason);
  abort.addEventListener("abort", onAbort, { once: true });
  const timer = new AbortController();
  sleepOrAbort(core, deadline - core.clock.now(), timer.signal).then(() => {
    if (!timer.signal.aborted) give.abort("deadline");
  });
  try {
    if (!abort.aborted) await agent.whenOnline(give.signal);
    if (abort.aborted) throw abort.reason;
    return true;
  } catch {
    if (stop.aborted) return false;
    if (inv.abort.signal.aborted) finish(core, inv, "Cancelled", "Cancelled");
    else finish(core, inv, "TimedOut", "DeliveryTimedOut");
    return false;
  } finally {
    timer.abort();
    abort.removeEventListener("abort", onAbort);
  }
}

/** Ends every invocation still waiting or running (simulator stop). */
export function stopRunCommands(account: SimAccount): void {
  stopSignal(account);
  stops.get(account)!.abort(new Error("simulator stopping"));
}
