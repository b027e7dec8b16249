/**
 * The part every stored remote shell (SSH session, SSM Run Command) shares:
 * calls made without a step name the step that opened the shell, and
 * {@link StepBoundShell.forStep} gives a view whose `command` events, logs
 * and waits belong to another step.
 * @module
 */
import type { StepContext } from "../../runner/types.ts";
import type { StepBindableShell } from "./shell-registry.ts";
import type { CommandResult, RemoteShell, RunOptions } from "./types.ts";

/** A remote shell that runs each call on behalf of a step's context. */
export abstract class StepBoundShell implements StepBindableShell {
  /** Context of the step that opened the shell: un-bound calls emit through it. */
  protected readonly openerCtx: StepContext;

  /** @param ctx context of the step that opened the shell */
  constructor(ctx: StepContext) {
    this.openerCtx = ctx;
  }

  /**
   * Runs `command` on behalf of `ctx`'s step (its `command` event names that step).
   * @throws see {@link RemoteShell.run}
   */
  abstract runFor(ctx: StepContext, command: string, options?: RunOptions): Promise<CommandResult>;

  /**
   * Reconnects on behalf of `ctx`'s step (its waits and logs).
   * @throws see {@link RemoteShell.reconnect}
   */
  abstract reconnectFor(ctx: StepContext, signal?: AbortSignal): Promise<void>;

  /** See {@link RemoteShell.run}; events name the step that opened the shell. */
  run(command: string, options: RunOptions = {}): Promise<CommandResult> {
    return this.runFor(this.openerCtx, command, options);
  }

  /** See {@link RemoteShell.reconnect}. */
  reconnect(signal?: AbortSignal): Promise<void> {
    return this.reconnectFor(this.openerCtx, signal);
  }

  /** A view of this shell whose events, logs and waits belong to `ctx`'s step. */
  forStep(ctx: StepContext): RemoteShell {
    return {
      run: (command, options) => this.runFor(ctx, command, options),
      reconnect: (signal) => this.reconnectFor(ctx, signal),
    };
  }
}

/**
 * The last `max` characters of command output (trimmed), for error evidence.
 * @param max characters kept (default 2000)
 */
export function outputTail(text: string, max = 2000): string {
  const trimmed = text.trim();
  return trimmed.length > max ? `...${trimmed.slice(-max)}` : trimmed;
}
