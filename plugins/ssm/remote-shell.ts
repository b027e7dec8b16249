/**
 * {@link RemoteShell} over SSM Run Command: every `run` is one
 * `AWS-RunShellScript` invocation on the target's instance (see
 * invocation.ts), so no key pair, inbound rule or public address is needed.
 * Host steps use it exactly as the SSH shell; the differences are the
 * transport's:
 * - commands run as root, so `sudo` is not added (see script.ts);
 * - stdout beyond GetCommandInvocation's 24,000 characters is an error (the
 *   step would parse a cut output), stderr beyond 8,000 is marked on the
 *   result (`truncated`) and logged;
 * - `reconnect()` waits for the agent to report `Online` again;
 * - an abort cancels the command on the host (CancelCommand) and waits for
 *   its final state; `close()` waits for cancellations still under way.
 * @module
 */
import { StepError } from "../../runner/errors.ts";
import { outputTail, StepBoundShell } from "../ssh/step-bound-shell.ts";
import type { StepContext } from "../../runner/types.ts";
import type { CommandResult, RunOptions } from "../ssh/types.ts";
import { waitForAgentOnline } from "./agent.ts";
import type { AgentPoller } from "./agent-poller.ts";
import {
  DEFAULT_POLL,
  type InvocationOutcome,
  type PollPolicy,
  runInvocation,
} from "./invocation.ts";
import { runShellScriptCommands, SSM_STDERR_LIMIT, SSM_STDOUT_LIMIT } from "./script.ts";
import type { SsmSender } from "./send.ts";
import type { RegionRateLimiter } from "./rate-limiter.ts";
import type { SSMClient } from "@aws-sdk/client-ssm";

/** Everything an SSM shell needs. */
export interface SsmShellConfig {
  /** Target id, put on `command` events. */
  targetId: string;
  /** The managed instance, e.g. `i-0123456789abcdef0`. */
  instanceId: string;
  /** The region's limiter (see send.ts). */
  limiter: RegionRateLimiter;
  /**
   * The region's shared agent poller, used by the wait after a reload
   * (default: that wait asks about this instance alone).
   */
  agentPoller?: AgentPoller;
  /**
   * The SSM client of the instance's region as seen by `ctx`'s step (the run
   * shares one client per region; each call's `aws-call` event names the step
   * that made it).
   */
  clientFor(ctx: StepContext): Promise<SSMClient>;
  /** Bound of the wait for the agent in {@link RemoteShell.reconnect}, seconds. */
  agentWaitSeconds: number;
  /** GetCommandInvocation polling (default {@link DEFAULT_POLL}). */
  poll?: PollPolicy;
}

/** The command as messages quote it: its first 120 characters. */
function brief(command: string): string {
  const line = command.replace(/\s+/g, " ").trim();
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}

/** An SSM "session" to one target: stateless on the wire, one invocation per command. */
export class SsmRemoteShell extends StepBoundShell {
  readonly config: SsmShellConfig;
  /** Invocations not yet final (an aborted one is being cancelled). */
  #inFlight = new Set<Promise<unknown>>();
  #closed = false;

  /** @param ctx context of the step that opened it (un-bound calls log and emit through it). */
  constructor(ctx: StepContext, config: SsmShellConfig) {
    super(ctx);
    this.config = config;
  }

  /**
   * Runs `command` as one SSM invocation and emits a `command` event.
   * @throws see {@link RemoteShell.run}; also StepError `command` when stdout
   *   exceeded what GetCommandInvocation returns.
   */
  override async runFor(
    ctx: StepContext,
    command: string,
    options: RunOptions = {},
  ): Promise<CommandResult> {
    if (this.#closed) {
      throw new StepError("internal", `SSM shell of ${this.config.instanceId} was closed`);
    }
    options.signal?.throwIfAborted();
    const { instanceId, targetId } = this.config;
    const sender = await this.#sender(ctx);
    const started = performance.now();
    const running = runInvocation(
      sender,
      { sleep: (seconds, signal) => ctx.sleep(seconds, signal) },
      {
        instanceId,
        commands: runShellScriptCommands(command, options.stdin),
        comment: `ptp-runner ${ctx.runId} ${ctx.step.id}`,
      },
      options.signal,
      this.config.poll ?? DEFAULT_POLL,
    );
    this.#track(running);
    let outcome: InvocationOutcome;
    try {
      outcome = await running;
    } catch (error) {
      if (error instanceof StepError && error.kind === "connection" && options.expectDisconnect) {
        return this.#emitted(ctx, command, null, started);
      }
      throw error;
    }
    const durationMs = Math.round(performance.now() - started);
    ctx.emit({
      type: "command",
      targetId,
      stepId: ctx.step.id,
      command,
      exitCode: outcome.exitCode,
      durationMs,
    });
    if (outcome.aborted) {
      throw options.signal?.reason ?? new DOMException("aborted", "AbortError");
    }
    const result: CommandResult = {
      command,
      stdout: outcome.stdout,
      stderr: outcome.stderr,
      exitCode: outcome.exitCode,
      durationMs,
      ...(outcome.truncated.stdout || outcome.truncated.stderr
        ? { truncated: outcome.truncated }
        : {}),
    };
    if (outcome.undelivered || outcome.exitCode === null) {
      if (options.expectDisconnect) return result;
      throw new StepError(
        "connection",
        `SSM command ${outcome.commandId} (\`${brief(command)}\`) on ${instanceId} ended ` +
          `${outcome.status}${outcome.statusDetails ? ` (${outcome.statusDetails})` : ""}` +
          (outcome.undelivered
            ? ": the agent did not run it (instance stopped, agent offline or no route to SSM)"
            : ""),
        { evidence: outputTail(outcome.stderr + outcome.stdout) || undefined },
      );
    }
    if (outcome.truncated.stdout) {
      throw new StepError(
        "command",
        `\`${brief(command)}\` on ${instanceId} wrote more than the ${
          SSM_STDOUT_LIMIT.toLocaleString("en-US")
        } ` +
          `characters of stdout SSM GetCommandInvocation returns (SSM command ${outcome.commandId}): ` +
          "the output is truncated, so it is not used",
        { evidence: outputTail(outcome.stdout.slice(0, 2000)) || undefined },
      );
    }
    if (outcome.truncated.stderr) {
      ctx.log.warn(
        `stderr of \`${brief(command)}\` on ${instanceId} is truncated to the first ` +
          `${
            SSM_STDERR_LIMIT.toLocaleString("en-US")
          } characters (SSM GetCommandInvocation's limit)`,
      );
    }
    if (options.check && result.exitCode !== 0) {
      const evidence = outputTail(result.stderr) || outputTail(result.stdout);
      throw new StepError(
        "command",
        `\`${brief(command)}\` exited with status ${result.exitCode} on ${instanceId}${
          evidence ? `: ${evidence.split("\n").slice(-1)[0]}` : ""
        }`,
        { evidence: evidence || undefined },
      );
    }
    return result;
  }

  #emitted(ctx: StepContext, command: string, exitCode: null, started: number): CommandResult {
    const durationMs = Math.round(performance.now() - started);
    ctx.emit({
      type: "command",
      targetId: this.config.targetId,
      stepId: ctx.step.id,
      command,
      exitCode,
      durationMs,
    });
    return { command, stdout: "", stderr: "", exitCode, durationMs };
  }

  /**
   * Waits (bounded by `agentWaitSeconds`) for the agent to report `Online`:
   * after a driver reload or a reboot the agent is offline for a while.
   * @throws StepError `connection` when the wait runs out; the signal's reason on abort.
   */
  override async reconnectFor(ctx: StepContext, signal?: AbortSignal): Promise<void> {
    const sender = await this.#sender(ctx);
    const agent = await waitForAgentOnline(
      sender,
      { sleep: (seconds, s) => ctx.sleep(seconds, s) },
      this.config.instanceId,
      { timeoutSeconds: this.config.agentWaitSeconds, purpose: "again" },
      signal,
      this.config.agentPoller
        ? (s, id, sig) => this.config.agentPoller!.look(s, id, sig)
        : undefined,
    );
    ctx.log.info(
      agent.firstSeen
        ? `SSM agent of ${this.config.instanceId} is online again after ` +
          `${Math.round(agent.waitedSeconds)}s (was ${agent.firstSeen})`
        : `SSM agent of ${this.config.instanceId} is online`,
    );
  }

  async #sender(ctx: StepContext): Promise<SsmSender> {
    return {
      client: await this.config.clientFor(ctx),
      limiter: this.config.limiter,
      log: ctx.log,
    };
  }

  /** Tracks an invocation so {@link close} can wait for it (and its cancellation). */
  #track(promise: Promise<unknown>): void {
    const settled: Promise<void> = promise.then(() => {}, () => {}).finally(() =>
      this.#inFlight.delete(settled)
    );
    this.#inFlight.add(settled);
  }

  /**
   * Marks the shell closed; waits for invocations under way (an aborted one
   * until its cancellation is final, bounded by the poll policy). Never throws.
   */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#inFlight]);
  }
}
