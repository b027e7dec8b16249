/**
 * Shared set-up of the SSH plugin tests: key files on disk, a test context
 * with a target pointing at a test server, and an `openShell` call with
 * fast timings.
 * @module
 */
import {
  makeTarget,
  makeTestContext,
  type TargetTestContext,
  type TestContext,
} from "../helpers/context.ts";
import { openShell, type OpenShellOptions } from "../../plugins/ssh/open-shell.ts";
import type { TestKeyPair, TestServer } from "./test-server.ts";
import type { Target } from "../../runner/types.ts";
import { tempDirSync } from "../helpers/temp.ts";

/** Writes `key.private` to a fresh temp file with `mode` (default 0600); returns its path. */
export function writeKeyFile(key: TestKeyPair | string, mode = 0o600): string {
  const dir = tempDirSync("ptp-ssh-key-");
  const path = `${dir}/id_test`;
  Deno.writeTextFileSync(path, typeof key === "string" ? key : key.private, { mode });
  Deno.chmodSync(path, mode);
  return path;
}

/** A target-scope test context whose target points at `server`. */
export function contextFor(
  server: Pick<TestServer, "host" | "port">,
  target: Partial<Target> = {},
  stepId = "connect",
): TargetTestContext {
  return makeTestContext({
    step: { id: stepId, type: stepId },
    target: makeTarget({
      id: "t1",
      label: "c7i.large 1",
      address: server.host,
      port: server.port,
      ...target,
    }),
  });
}

/** `openShell` with fast, test-friendly defaults. */
export function fastOpen(
  ctx: TestContext,
  keyPath: string,
  overrides: Partial<OpenShellOptions> = {},
  signal: AbortSignal = new AbortController().signal,
) {
  return openShell(ctx, {
    privateKey: keyPath,
    waitTimeoutSeconds: 5,
    hostKeyPolicy: "tofu",
    readyTimeoutMs: 2000,
    backoff: { initialDelaySeconds: 0.05, maxDelaySeconds: 0.2, factor: 2 },
    ...overrides,
  }, signal);
}

/** Makes `ctx.sleep` really wait (`seconds` as given), for tests of the backoff. */
export function withRealSleep(ctx: TestContext): TestContext {
  ctx.sleep = (seconds: number, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, seconds * 1000);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  return ctx;
}

/** Closes every closable service a test context holds (the run does this at its end). */
export async function closeServices(ctx: TestContext): Promise<void> {
  for (const service of ctx.serviceMap.values()) {
    const closable = service as { close?: () => unknown };
    if (typeof closable?.close === "function") await closable.close();
  }
}

/** A console output shaped like a fresh AL2023 instance's (cloud-init prefixes lines with `ec2:`). */
export function consoleWith(lines: string[]): string {
  return [
    "[   12.345678] cloud-init[1234]: Cloud-init v. 22.2.2 finished",
    "ec2: #############################################################",
    "ec2: -----BEGIN SSH HOST KEY FINGERPRINTS-----",
    ...lines.map((l) => `ec2: ${l}`),
    "ec2: -----END SSH HOST KEY FINGERPRINTS-----",
    "ec2: #############################################################",
    "-----BEGIN SSH HOST KEY KEYS-----",
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample root@ip-172-31-5-10",
    "-----END SSH HOST KEY KEYS-----",
  ].join("\n");
}
