/**
 * Where a target's {@link RemoteShell} lives: the run's service registry,
 * under a key per target. `connect` stores it; host steps fetch it.
 * @module
 */
import { StepError } from "../../runner/errors.ts";
import type { StepContext, TargetStepContext } from "../../runner/types.ts";
import type { RemoteShell } from "./types.ts";

/** Service-registry key of the remote shell of target `targetId`. */
export function shellServiceKey(targetId: string): string {
  return `ssh:shell:${targetId}`;
}

/**
 * A stored shell that can give a view bound to a step, so that the `command`
 * events it emits name that step (the ssh2 session implements it; fakes
 * injected by tests need not).
 */
export interface StepBindableShell extends RemoteShell {
  forStep(ctx: StepContext): RemoteShell;
}

function isBindable(shell: RemoteShell): shell is StepBindableShell {
  return typeof (shell as Partial<StepBindableShell>).forStep === "function";
}

/**
 * The remote shell of the current target, opened earlier by the `connect`
 * step, bound to `ctx`'s step when the stored shell supports it.
 * @throws StepError kind `config` when `connect` has not run for the target.
 */
export async function shellFor(ctx: TargetStepContext): Promise<RemoteShell> {
  const shell = await storedShell(ctx);
  return isBindable(shell) ? shell.forStep(ctx) : shell;
}

function storedShell(ctx: TargetStepContext): Promise<RemoteShell> {
  const target = ctx.target;
  return ctx.services.get<RemoteShell>(shellServiceKey(target.id), () => {
    throw new StepError(
      "config",
      `no SSH session for ${target.label}: add a "connect" step before "${ctx.step.id}"`,
    );
  });
}
