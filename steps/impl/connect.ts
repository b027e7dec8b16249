/**
 * Implementation of the `connect` step (loaded lazily: imports ssh2).
 * @module
 */
import { StepError } from "../../runner/errors.ts";
import type { StepContext } from "../../runner/types.ts";
import { openShell } from "../../plugins/ssh/open-shell.ts";
import { currentTarget } from "../../plugins/ptp/step-target.ts";
import type { z } from "zod";
import type { ConnectInput, ConnectOutput } from "../connect.ts";

/**
 * Opens (or reuses) the target's SSH session.
 * @throws StepError from {@link openShell}, after recording a diagnosis (layer `ssh`).
 */
export async function runConnect(
  ctx: StepContext,
  input: z.output<typeof ConnectInput>,
  signal: AbortSignal,
): Promise<z.input<typeof ConnectOutput>> {
  const target = currentTarget(ctx);
  try {
    const { shell, hostKey } = await openShell(ctx, {
      privateKey: input.private_key,
      user: input.user,
      port: input.port,
      waitTimeoutSeconds: input.wait_timeout,
      jumpHost: input.jump_host,
      hostKeyPolicy: input.host_key_policy,
    }, signal);
    const endpoint = shell.config.target;
    return {
      changed: false,
      address: endpoint.host,
      user: endpoint.user,
      port: endpoint.port,
      host_key_fingerprint: hostKey.fingerprint,
      host_key_source: hostKey.source,
    };
  } catch (error) {
    if (error instanceof StepError) {
      target.diagnostics.push({
        layer: "ssh",
        summary: error.message,
        ...(target.address ? { command: `ssh ${target.address}` } : {}),
        ...(error.evidence ? { output: error.evidence } : {}),
      });
    }
    throw error;
  }
}
