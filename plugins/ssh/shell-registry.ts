/**
 * Where a target's {@link RemoteShell} lives: the run's service registry,
 * under a key per target. `connect` stores it; host steps fetch it.
 * @module
 */
import { StepError } from "../../runner/errors.ts";
import type { StepContext } from "../../runner/types.ts";
import type { RemoteShell } from "./types.ts";

/** Service-registry key of the remote shell of target `targetId`. */
export function shellServiceKey(targetId: string): string {
  return `ssh:shell:${targetId}`;
}

/**
 * The remote shell of the current target, opened earlier by the `connect` step.
 * @throws StepError kind `config` when there is no current target or `connect` has not run for it.
 */
export function shellFor(ctx: StepContext): Promise<RemoteShell> {
  const target = ctx.target;
  if (!target) {
    return Promise.reject(new StepError("config", `step "${ctx.step.id}" needs a target`));
  }
  return ctx.services.get<RemoteShell>(shellServiceKey(target.id), () => {
    throw new StepError(
      "config",
      `no SSH session for ${target.label}: add a "connect" step before "${ctx.step.id}"`,
    );
  });
}
