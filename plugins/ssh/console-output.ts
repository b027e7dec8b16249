/**
 * Fetches the SSH host key fingerprints an EC2 instance printed on its
 * console (EC2 `GetConsoleOutput`), polling a few times because they appear
 * only once cloud-init finished booting. Imports the AWS SDK: load lazily.
 *
 * Domain source: PTP.md section 7; AWS API reference `GetConsoleOutput`
 * (`Output` is base64-encoded).
 * @module
 */
import { GetConsoleOutputCommand } from "@aws-sdk/client-ec2";
import { Buffer } from "node:buffer";
import { ec2Client } from "../aws/shared/clients.ts";
import type { StepContext } from "../../runner/types.ts";
import { type ConsoleFingerprint, parseConsoleFingerprints } from "./host-key.ts";

/** Polling of the console output: attempts and the delay between them (seconds, scaled by `timeScale`). */
export interface ConsolePolling {
  attempts: number;
  delaySeconds: number;
}

/** Default polling: 6 reads, 10 s apart (about one minute). */
export const DEFAULT_CONSOLE_POLLING: ConsolePolling = { attempts: 6, delaySeconds: 10 };

/**
 * Reads the host key fingerprints of `instanceId` from its console output.
 * @returns the fingerprints, or an empty list when the console never showed
 *   them or the API could not be used (logged as a warning; the caller falls
 *   back to trust on first use).
 * @throws the signal's reason when aborted.
 */
export async function consoleHostKeyFingerprints(
  ctx: StepContext,
  instanceId: string,
  region: string,
  signal: AbortSignal,
  polling: ConsolePolling = DEFAULT_CONSOLE_POLLING,
): Promise<ConsoleFingerprint[]> {
  const client = await ec2Client(ctx, region);
  for (let attempt = 1; attempt <= polling.attempts; attempt++) {
    signal.throwIfAborted();
    try {
      const out = await client.send(
        new GetConsoleOutputCommand({ InstanceId: instanceId, Latest: true }),
        { abortSignal: signal },
      );
      const text = out.Output ? Buffer.from(out.Output, "base64").toString("utf8") : "";
      const found = parseConsoleFingerprints(text);
      if (found.length > 0) return found;
    } catch (error) {
      signal.throwIfAborted();
      ctx.log.warn(
        `cannot read the console output of ${instanceId} (${(error as Error).name}: ${
          (error as Error).message
        }); host key will be trusted on first use`,
      );
      return [];
    }
    if (attempt < polling.attempts) await ctx.sleep(polling.delaySeconds, signal);
  }
  ctx.log.warn(
    `console output of ${instanceId} shows no SSH host key fingerprints after ${polling.attempts} reads; host key will be trusted on first use`,
  );
  return [];
}
