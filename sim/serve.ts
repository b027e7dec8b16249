/**
 * `ptp-runner sim`: starts the simulator, prints how to point a shell (AWS
 * SDK / AWS CLI / ptp-runner) at it, and serves until Ctrl-C (SIGINT) or
 * SIGTERM.
 * @module
 */
import { type SimulatorHandle, startSimulator, type StartSimulatorOptions } from "./mod.ts";
import type { RecordedRequest } from "./types.ts";

/** Options of the `sim` command (already validated by `cli/sim.ts`). */
export interface SimCommandOptions {
  speed?: number;
  profiles?: string;
  port?: number;
  sshPort?: number;
  stateDir?: string;
  /** Instance types whose RunInstances answers InsufficientInstanceCapacity. */
  faultCapacity?: string[];
  /** Actions whose DryRun answers UnauthorizedOperation. */
  faultDenyDryRun?: string[];
  /** Simulated seconds before DescribeInstances shows a new instance. */
  faultVisibilitySeconds?: number;
  /** Simulated seconds RunInstances takes to answer. */
  faultRunInstancesDelaySeconds?: number;
  /** Print one line per AWS request received. */
  verbose?: boolean;
}

/** Quotes `value` for a POSIX shell when it contains anything but safe characters. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * What `ptp-runner sim` prints once started: the endpoint, `export` lines for
 * every variable of `sim.env` plus the key file, the pre-created resources and
 * a `run` command line that uses them.
 */
export function formatSimulatorBanner(sim: SimulatorHandle): string {
  const exports = Object.entries({ ...sim.env, PTP_RUNNER_SIM_KEY: sim.privateKeyPath })
    .map(([name, value]) => `export ${name}=${shellQuote(value)}`);
  const inputs = sim.defaultInputs;
  const sets = [
    `subnet_id=${inputs.subnet_id}`,
    `key_name=${inputs.key_name}`,
    `private_key=${inputs.private_key}`,
    `security_group_ids=${(inputs.security_group_ids as string[]).join(",")}`,
    `placement_group=${inputs.placement_group}`,
  ].map((s) => `  --set ${shellQuote(s)}`);
  return [
    `ptp-runner simulator listening on ${sim.endpoint} (EC2, SSM, STS; region ${sim.region})`,
    `speed: ${sim.clock.speed} simulated seconds per real second; SSH port ${sim.sshPort} on 127.0.0.N`,
    "",
    "# Point a shell at the simulator:",
    ...exports,
    "",
    "# Pre-created resources:",
    `#   subnet            ${sim.subnetId} (${sim.region}a)`,
    `#   security groups   ${sim.securityGroupId} (TCP 22 from 0.0.0.0/0), ${sim.closedSecurityGroupId} (no inbound)`,
    `#   placement groups  ${sim.placementGroupName} (precision-time), ${sim.clusterPlacementGroupName} (cluster)`,
    `#   key pair          ${sim.keyPairName} (ed25519), private key ${sim.privateKeyPath}`,
    "",
    "# Then, in that shell:",
    `ptp-runner run pipelines/ptp.yaml --yes \\`,
    sets.join(" \\\n"),
    "",
    "Press Ctrl-C to stop (every simulated instance is stopped with it).",
  ].join("\n");
}

/** One log line for a request (`--verbose`). */
export function formatRequest(r: RecordedRequest): string {
  const outcome = r.errorCode ? `${r.status} ${r.errorCode}` : String(r.status);
  return `t=${r.simTime.toFixed(1)}s ${r.service} ${r.action} -> ${outcome}`;
}

/**
 * Runs the command: starts the simulator, prints the banner to stdout, serves
 * until SIGINT/SIGTERM (or `signal` aborts), then stops everything. `extra`
 * adds simulator options (tests pass a fake host fleet).
 * @returns exit code 0 after a clean stop.
 * @throws ValidationError for a bad profiles file; errors of `startSimulator`.
 */
export async function runSimCommand(
  options: SimCommandOptions,
  signal?: AbortSignal,
  write: (text: string) => void = (text) => console.log(text),
  extra: Partial<StartSimulatorOptions> = {},
): Promise<number> {
  const start: StartSimulatorOptions = {
    speed: options.speed,
    profilesFile: options.profiles,
    port: options.port,
    sshPort: options.sshPort,
    stateDir: options.stateDir,
    faults: {
      capacity: new Set(options.faultCapacity ?? []),
      denyDryRun: new Set(options.faultDenyDryRun ?? []),
      instanceVisibilitySeconds: options.faultVisibilitySeconds ?? 0,
      runInstancesDelaySeconds: options.faultRunInstancesDelaySeconds ?? 0,
    },
    onRequest: options.verbose ? (r) => console.error(formatRequest(r)) : undefined,
    ...extra,
  };
  const sim = await startSimulator(start);
  write(formatSimulatorBanner(sim));
  const stopped = Promise.withResolvers<void>();
  const onSignal = () => stopped.resolve();
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  signal?.addEventListener("abort", onSignal, { once: true });
  if (signal?.aborted) onSignal();
  try {
    await stopped.promise;
  } finally {
    // Listeners stay until the simulator stopped: a repeated Ctrl-C (deno task
    // forwards one press twice) must not kill the process before the state
    // directory, which holds the private key, is removed.
    write("stopping the simulator ...");
    await sim.stop();
    for (const s of signals) Deno.removeSignalListener(s, onSignal);
  }
  return 0;
}
