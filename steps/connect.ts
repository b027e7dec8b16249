/**
 * `connect`: opens the remote shell of each target and keeps it for the host
 * steps that follow. `transport: ssh` (default) opens an SSH session (waiting
 * for sshd with backoff, verifying the host key: against the user's
 * known_hosts file for hosts the run did not launch, against a launched
 * instance's console output, or trusting it on first use); `transport: ssm`
 * waits for the instance's SSM agent to be online and runs every command
 * through SSM Run Command (no key pair, inbound rule or public address needed).
 * @module
 */
import {
  defineStep,
  durationSeconds,
  type KnownStepWith,
  type PreRunContext,
  type PreRunProblem,
  z,
} from "../plugins/api.ts";
import { optionalPrivateKeyPath } from "../plugins/ssh/key-path.ts";
import { StepError } from "../runner/errors.ts";
import type { TargetStepContext } from "../runner/types.ts";
import { DEFAULT_SSM_REQUESTS_PER_SECOND } from "../plugins/ssm/rate-limiter.ts";
import type { LoginUserChoice } from "../plugins/ssh/open-shell.ts";
import type {} from "../plugins/aws/shared/facts.ts";

/** How host steps reach the targets. */
export const Transport = z.enum(["ssh", "ssm"]).describe(
  "ssh: an SSH session per target; ssm: SSM Run Command (AWS-RunShellScript), no SSH at all.",
);

/** Input of `connect`. */
export const ConnectInput = z.object({
  transport: Transport.default("ssh"),
  private_key: optionalPrivateKeyPath().describe(
    "Path of the private key of the instances' key pair (~ allowed; RSA PEM or ed25519 " +
      'OpenSSH). Not given or "": the keys of the ssh-agent at SSH_AUTH_SOCK, as ssh uses them. ' +
      "Not used with transport ssm.",
  ),
  user: z.preprocess(
    (v) => (v === "" || v === null ? undefined : v),
    z.string().regex(/^[a-z_][a-z0-9_.-]*$/i, "expected a user name such as ec2-user").optional(),
  ).describe(
    "Remote user when the target names none (a host given as user@host keeps its own). " +
      'Not given or "": the login user of the AMI the launch step booted (ubuntu on Ubuntu, ' +
      "admin on Debian, ec2-user on Amazon Linux and RHEL, ...), else ec2-user.",
  ),
  port: z.number().int().min(1).max(65535).optional().describe(
    "SSH port when the target names none (default: PTP_RUNNER_SSH_PORT or 22).",
  ),
  wait_timeout: durationSeconds(300).describe(
    "How long to wait for sshd to accept the key (ssh), or for the SSM agent to be online (ssm; " +
      "also the bound of the wait after a driver reload).",
  ),
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
  ssm_requests_per_second: z.number().positive().max(1000).default(
    DEFAULT_SSM_REQUESTS_PER_SECOND,
  ).describe(
    "transport ssm: most SSM requests per second per region, all targets together " +
      "(throttling beyond that is absorbed with backoff).",
  ),
}).strict().superRefine((input, ctx) => {
  if (input.transport === "ssh" && !input.private_key && !Deno.env.get("SSH_AUTH_SOCK")) {
    ctx.addIssue({
      code: "custom",
      path: ["private_key"],
      message: `${input.private_key === "" ? "is empty" : "is not given"}: give the path of ` +
        "the private key file, or run an ssh-agent holding the key (SSH_AUTH_SOCK is not set)",
    });
  }
});

/** Output of `connect`: the SSH endpoint and host key, or the SSM agent. */
export const ConnectOutput = z.object({
  changed: z.literal(false),
  transport: Transport,
  address: z.string().optional(),
  user: z.string().optional(),
  port: z.number().int().optional(),
  host_key_fingerprint: z.string().optional(),
  host_key_source: z.enum(["console", "tofu", "known-hosts"]).optional(),
  auth: z.enum(["key-file", "ssh-agent"]).optional().describe(
    "transport ssh: what authenticated: private_key, or the ssh-agent at SSH_AUTH_SOCK.",
  ),
  instance_id: z.string().optional().describe("transport ssm: the managed instance."),
  agent_version: z.string().optional().describe("transport ssm: SSM agent version."),
  platform: z.string().optional().describe("transport ssm: platform name and version."),
});

/**
 * Waits for the target's SSM agent and stores its SSM shell.
 * @throws StepError from {@link openSsmShell}, after recording a diagnosis (layer `ssm`).
 */
async function connectSsm(
  ctx: TargetStepContext,
  input: z.output<typeof ConnectInput>,
  signal: AbortSignal,
): Promise<z.input<typeof ConnectOutput>> {
  // The SSM plugin (and the AWS SDK) loads only when a run uses it.
  const { openSsmShell } = await import("../plugins/ssm/open-shell.ts");
  try {
    const { agent } = await openSsmShell(ctx, {
      waitTimeoutSeconds: input.wait_timeout,
      requestsPerSecond: input.ssm_requests_per_second,
    }, signal);
    const platform = [agent.platformName, agent.platformVersion].filter(Boolean).join(" ");
    return {
      changed: false,
      transport: "ssm",
      instance_id: agent.instanceId,
      ...(agent.agentVersion ? { agent_version: agent.agentVersion } : {}),
      ...(platform ? { platform } : {}),
    };
  } catch (error) {
    if (error instanceof StepError) {
      ctx.target.diagnostics.push({
        layer: "ssm",
        summary: error.message,
        ...(ctx.target.instanceId
          ? {
            command:
              `aws ssm describe-instance-information --filters Key=InstanceIds,Values=${ctx.target.instanceId}`,
          }
          : {}),
      });
    }
    throw error;
  }
}

/**
 * The user the session logs in as when the target names none: the `user`
 * input when given (it always wins), else the login user of the image the
 * launch step booted (`facts.loginUser`), else none (the default applies).
 */
export function loginUserChoice(
  input: Pick<z.output<typeof ConnectInput>, "user">,
  target: Pick<TargetStepContext["target"], "facts">,
): LoginUserChoice | undefined {
  if (input.user !== undefined) {
    return { user: input.user, source: "the connect step's user input" };
  }
  const image = target.facts.loginUser;
  if (!image) return undefined;
  return {
    user: image.user,
    source: image.known
      ? `the login user of the target's ${image.family} image`
      : "the default for an image whose login user is not known",
  };
}

/**
 * Opens (or reuses) the target's SSH session.
 * @throws StepError from {@link openShell}, after recording a diagnosis (layer `ssh`).
 */
async function runConnect(
  ctx: TargetStepContext,
  input: z.output<typeof ConnectInput>,
  signal: AbortSignal,
): Promise<z.input<typeof ConnectOutput>> {
  if (input.transport === "ssm") return await connectSsm(ctx, input, signal);
  const target = ctx.target;
  // ssh2 loads only when a run connects.
  const { openShell } = await import("../plugins/ssh/open-shell.ts");
  try {
    const { shell, hostKey, auth } = await openShell(ctx, {
      privateKey: input.private_key,
      login: loginUserChoice(input, target),
      port: input.port,
      waitTimeoutSeconds: input.wait_timeout,
      jumpHost: input.jump_host,
      hostKeyPolicy: input.host_key_policy,
      knownHostsFile: input.known_hosts_file,
    }, signal);
    const endpoint = shell.config.target;
    return {
      changed: false,
      transport: "ssh",
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

/**
 * Pre-run check: transport ssm reaches EC2 instances by instance id, so hosts
 * that `existing-hosts` gives by address (`hosts:`, e.g. `10.0.1.12`,
 * `ec2-user@host`) could only fail at `connect`; refused before the run,
 * naming both keys, where their values came from and what would work.
 * @returns one problem under `transport`, or none.
 */
export function ssmAddressTargetsProblems(
  own: KnownStepWith,
  { steps }: PreRunContext,
): PreRunProblem[] {
  if (own.values.transport !== "ssm") return [];
  const problems: PreRunProblem[] = [];
  for (const step of steps) {
    const hosts = step.uses === "existing-hosts" ? step.values.hosts : undefined;
    if (!Array.isArray(hosts) || hosts.length === 0) continue;
    const from = [own.from.transport, step.from.hosts].filter(Boolean).join(", ");
    problems.push({
      key: "transport",
      message: `transport ssm reaches EC2 instances by instance id, but steps[${step.index}]` +
        `.with.hosts gives ${hosts.length} host(s) by address, which have no instance id` +
        (from ? ` (the values come from ${from})` : "") +
        ": for SSM select the instances by id or tag (instance_ids, tags) instead of hosts, " +
        "or use transport ssh for hosts given by address",
    });
  }
  return problems;
}

export default defineStep({
  type: "connect",
  description: "Open the remote shell of each target: an SSH session (waits for sshd, verifies " +
    "the host key) or SSM Run Command (waits for the agent).",
  scope: "target",
  input: ConnectInput,
  output: ConnectOutput,
  reads: [
    "target.address",
    "target.port",
    "target.user",
    "target.instanceId",
    "target.region",
    "facts.loginUser",
    "settings.sshPort",
    "settings.region",
    "facts.instanceProfile",
  ],
  writes: [
    "services.ssh:shell:<target>",
    "services.ssm:rate-limiter:region:<region>",
    "journal.ssh.hostKey.<target>",
    "target.diagnostics",
  ],
  checkBeforeRun: ssmAddressTargetsProblems,
  async run(ctx, input, signal) {
    return await runConnect(ctx, input, signal);
  },
});
