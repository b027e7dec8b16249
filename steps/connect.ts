/**
 * `connect`: opens the SSH session of each target (waiting for sshd with
 * backoff, verifying the host key: against the user's known_hosts file for
 * hosts the run did not launch, against a launched instance's console output,
 * or trusting it on first use) and keeps it for the host steps that follow.
 * @module
 */
import { defineStep, durationSeconds, z } from "../plugins/api.ts";
import { optionalPrivateKeyPath } from "../plugins/ssh/key-path.ts";
import { StepError } from "../runner/errors.ts";
import type { TargetStepContext } from "../runner/types.ts";

/** Input of `connect`. */
export const ConnectInput = z.object({
  private_key: optionalPrivateKeyPath().describe(
    "Path of the private key of the instances' key pair (~ allowed; RSA PEM or ed25519 " +
      'OpenSSH). Not given or "": the keys of the ssh-agent at SSH_AUTH_SOCK, as ssh uses them.',
  ),
  user: z.string().regex(/^[a-z_][a-z0-9_.-]*$/i, "expected a user name such as ec2-user")
    .default("ec2-user").describe("Remote user when the target names none."),
  port: z.number().int().min(1).max(65535).optional().describe(
    "SSH port when the target names none (default: PTP_RUNNER_SSH_PORT or 22).",
  ),
  wait_timeout: durationSeconds(300).describe("How long to wait for sshd to accept the key."),
  jump_host: z.string().optional().describe("Jump host as user@host[:port]."),
  host_key_policy: z.enum(["console", "tofu", "known-hosts"]).optional().describe(
    "known-hosts (default for hosts the run did not launch, e.g. existing-hosts): the key must " +
      "be listed in known_hosts_file, as ssh with StrictHostKeyChecking yes; console (default " +
      "for launched instances): check the key against the fingerprints in the instance's " +
      "console output (trust on first use when there are none); tofu: trust the first key seen.",
  ),
  known_hosts_file: z.string().min(1).default("~/.ssh/known_hosts").describe(
    "known_hosts file of host_key_policy known-hosts, also for the jump host (~ allowed).",
  ),
}).strict().superRefine((input, ctx) => {
  if (!input.private_key && !Deno.env.get("SSH_AUTH_SOCK")) {
    ctx.addIssue({
      code: "custom",
      path: ["private_key"],
      message: `${input.private_key === "" ? "is empty" : "is not given"}: give the path of ` +
        "the private key file, or run an ssh-agent holding the key (SSH_AUTH_SOCK is not set)",
    });
  }
});

/** Output of `connect`. */
export const ConnectOutput = z.object({
  changed: z.literal(false),
  address: z.string(),
  user: z.string(),
  port: z.number().int(),
  host_key_fingerprint: z.string(),
  host_key_source: z.enum(["console", "tofu", "known-hosts"]),
  auth: z.enum(["key-file", "ssh-agent"]).describe(
    "What authenticated: private_key, or the ssh-agent at SSH_AUTH_SOCK.",
  ),
});

/**
 * Opens (or reuses) the target's SSH session.
 * @throws StepError from {@link openShell}, after recording a diagnosis (layer `ssh`).
 */
async function runConnect(
  ctx: TargetStepContext,
  input: z.output<typeof ConnectInput>,
  signal: AbortSignal,
): Promise<z.input<typeof ConnectOutput>> {
  const target = ctx.target;
  // ssh2 loads only when a run connects.
  const { openShell } = await import("../plugins/ssh/open-shell.ts");
  try {
    const { shell, hostKey, auth } = await openShell(ctx, {
      privateKey: input.private_key,
      user: input.user,
      port: input.port,
      waitTimeoutSeconds: input.wait_timeout,
      jumpHost: input.jump_host,
      hostKeyPolicy: input.host_key_policy,
      knownHostsFile: input.known_hosts_file,
    }, signal);
    const endpoint = shell.config.target;
    return {
      changed: false,
      address: endpoint.host,
      user: endpoint.user,
      port: endpoint.port,
      host_key_fingerprint: hostKey.fingerprint,
      host_key_source: hostKey.source,
      auth,
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

export default defineStep({
  type: "connect",
  description: "Open an SSH session to each target (waits for sshd, verifies the host key).",
  scope: "target",
  input: ConnectInput,
  output: ConnectOutput,
  reads: [
    "target.address",
    "target.port",
    "target.user",
    "target.instanceId",
    "target.region",
    "settings.sshPort",
  ],
  writes: ["services.ssh:shell:<target>", "journal.ssh.hostKey.<target>", "target.diagnostics"],
  async run(ctx, input, signal) {
    return await runConnect(ctx, input, signal);
  },
});
