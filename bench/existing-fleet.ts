/**
 * Benchmark: a rollout on a fleet of instances that already run. The
 * simulator (started here) holds K tagged instances spread over two
 * regions; the CLI runs `pipelines/existing-hosts.yaml` as a subprocess,
 * selecting them by tag across both regions, in batches (default 10%), over
 * the given transport (the instances carry the `ssm-core` instance profile,
 * so their SSM agents are online from the start). We record wall time, the
 * CLI's peak resident memory (GNU time), the most hosts with an open SSH
 * connection at once, and the SSM Run Command calls the simulator answered
 * (none over SSH), with the most commands in flight at once: polling
 * (GetCommandInvocation) has to grow with the commands sent, not faster;
 * the agent waits (DescribeInstanceInformation) ask about up to 50 instances
 * of a region per call.
 * Prints figures; never fails on a timing.
 * @module
 */
import { runMeasured } from "./measured-cli.ts";
import { type SimulatorHandle, startSimulator } from "../sim/mod.ts";
import { runTaskV8Flags } from "./fleet.ts";

/** How the host steps reach the hosts (the pipeline's `transport` input; `ssh` by default). */
export type FleetTransport = "ssh" | "ssm";

/** Transports `deno task bench` measures (the `ssm` line reads `ssm fleet: ...`). */
export const FLEET_TRANSPORTS: readonly FleetTransport[] = ["ssh", "ssm"];

/** Options of {@link runExistingFleet}. */
export interface ExistingFleetOptions {
  /** Instances in the fleet (all selected). */
  instances: number;
  /** Transport of the host steps (`ssm` sets `--set transport=ssm`). */
  transport: FleetTransport;
  /** `batch` input, e.g. `10%` (default). */
  batch?: string;
  /** Targets worked on at once inside a batch (`--concurrency`; default: the batch size). */
  concurrency?: number;
  /** Simulator speed (simulated seconds per real second; default 200). */
  speed?: number;
}

/** Figures of one rollout. */
export interface ExistingFleetFigures {
  instances: number;
  transport: FleetTransport;
  exitCode: number;
  wallSeconds: number;
  /** Peak resident set of the CLI process, MiB (GNU time `%M`), null when unavailable. */
  peakRssMiB: number | null;
  /** Most simulated hosts with an open SSH connection at one time (sampled every 20 ms). */
  peakConnectedHosts: number;
  /** Hosts still connected after the run (sessions must close as each target ends). */
  connectedAfter: number;
  sendCommandCalls: number;
  getCommandInvocationCalls: number;
  /**
   * DescribeInstanceInformation calls (the SSM agent waits of `connect` and
   * after each driver reload), all regions together.
   */
  describeInstanceInformationCalls: number;
  /** GetCommandInvocation calls per SendCommand (0 when none was sent). */
  pollsPerCommand: number;
  /**
   * Most Run Command invocations in flight at once (sent, not yet answered
   * with a final status), from the simulator's request log.
   */
  peakCommandsInFlight: number;
  /** SSH connections the simulated hosts accepted in all (0 over SSM). */
  sshSessions: number;
  describeInstancesCalls: number;
}

/** Tags of the benchmark fleet. */
const FLEET_TAGS = { fleet: "bench" };
/** Regions the fleet is spread over. */
const FLEET_REGIONS = ["us-east-1", "eu-west-1"];

/** Batch size the `batch` value gives for `instances` targets (as runner/rollout.ts rounds it). */
function batchTargets(batch: string, instances: number): number {
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(batch);
  if (!percent) return Math.min(Number(batch), instances);
  return Math.max(1, Math.floor(instances * Number(percent[1]) / 100));
}

/**
 * Most Run Command invocations in flight at once, from the request log in
 * arrival order: one instance's invocation is in flight from its SendCommand
 * to the last GetCommandInvocation for that instance before its next
 * SendCommand (or the end of the log).
 */
function commandsInFlight(requests: ReturnType<SimulatorHandle["requests"]>): number {
  /** Per instance: [SendCommand index, last poll index] of each invocation. */
  const spans = new Map<string, [number, number][]>();
  requests.forEach((r, index) => {
    if (r.service !== "ssm") return;
    if (r.action === "SendCommand") {
      const ids = r.params.InstanceIds;
      for (const id of Array.isArray(ids) ? ids : []) {
        const list = spans.get(String(id)) ?? [];
        list.push([index, index]);
        spans.set(String(id), list);
      }
    } else if (r.action === "GetCommandInvocation") {
      const last = spans.get(String(r.params.InstanceId))?.at(-1);
      if (last) last[1] = index;
    }
  });
  const delta = new Map<number, number>();
  for (const list of spans.values()) {
    for (const [from, to] of list) {
      delta.set(from, (delta.get(from) ?? 0) + 1);
      delta.set(to + 1, (delta.get(to + 1) ?? 0) - 1);
    }
  }
  let open = 0;
  let most = 0;
  for (const index of [...delta.keys()].sort((x, y) => x - y)) {
    open += delta.get(index)!;
    most = Math.max(most, open);
  }
  return most;
}

/** Runs the rollout once and returns its figures. */
export async function runExistingFleet(
  options: ExistingFleetOptions,
): Promise<ExistingFleetFigures> {
  const batch = options.batch ?? "10%";
  const sim = await startSimulator({
    speed: options.speed ?? 200,
    existingInstances: [{
      instance_type: "c7i.large",
      count: options.instances,
      regions: FLEET_REGIONS,
      tags: FLEET_TAGS,
      iam_instance_profile: "ssm-core",
    }],
  });
  const workDir = await Deno.makeTempDir({ prefix: "ptp-bench-existing-" });
  let peakConnected = 0;
  const sampler = setInterval(() => {
    const connected = sim.instances().filter((i) => i.connections > 0).length;
    peakConnected = Math.max(peakConnected, connected);
  }, 20);
  try {
    const concurrency = options.concurrency ?? batchTargets(batch, options.instances);
    const args = [
      "run",
      "-P=cli",
      ...runTaskV8Flags(),
      new URL("../main.ts", import.meta.url).pathname,
      "run",
      new URL("../pipelines/existing-hosts.yaml", import.meta.url).pathname,
      "--yes",
      "--concurrency",
      String(concurrency),
      "--set",
      `tags=${JSON.stringify(FLEET_TAGS)}`,
      "--set",
      `regions=${FLEET_REGIONS.join(",")}`,
      "--set",
      `batch=${batch}`,
      "--set",
      `private_key=${sim.privateKeyPath}`,
      "--set",
      "host_key_policy=tofu",
      ...(options.transport === "ssm" ? ["--set", "transport=ssm"] : []),
    ];
    const measured = await runMeasured(args, {
      cwd: workDir,
      env: { ...sim.env, NO_COLOR: "1", CI: "1" },
    });
    const requests = sim.requests();
    const count = (service: string, action: string) =>
      requests.filter((r) => r.service === service && r.action === action).length;
    const sends = count("ssm", "SendCommand");
    const polls = count("ssm", "GetCommandInvocation");
    return {
      instances: options.instances,
      transport: options.transport,
      exitCode: measured.exitCode,
      wallSeconds: measured.wallSeconds,
      peakRssMiB: measured.peakRssMiB,
      peakConnectedHosts: peakConnected,
      connectedAfter: sim.instances().filter((i) => i.connections > 0).length,
      sendCommandCalls: sends,
      getCommandInvocationCalls: polls,
      describeInstanceInformationCalls: count("ssm", "DescribeInstanceInformation"),
      pollsPerCommand: sends === 0 ? 0 : polls / sends,
      peakCommandsInFlight: commandsInFlight(requests),
      sshSessions: sim.instances().filter((i) => i.firstSessionAt !== undefined).length,
      describeInstancesCalls: count("ec2", "DescribeInstances"),
    };
  } finally {
    clearInterval(sampler);
    await sim.stop();
    await Deno.remove(workDir, { recursive: true });
  }
}

/**
 * The figures as one line, e.g. `fleet: K=1000 wall 80.2 s, peak RSS 150 MiB`
 * (over SSM prefixed `ssm fleet:` and with the SSM call counts).
 */
export function formatExistingFleet(f: ExistingFleetFigures): string {
  const rss = f.peakRssMiB?.toFixed(0) ?? "?";
  const wall = f.wallSeconds.toFixed(1);
  if (f.transport === "ssm") {
    return `ssm fleet: K=${f.instances} wall ${wall} s, SendCommand ${f.sendCommandCalls}, ` +
      `GetCommandInvocation ${f.getCommandInvocationCalls}, DescribeInstanceInformation ` +
      `${f.describeInstanceInformationCalls}, peak RSS ${rss} MiB`;
  }
  return `fleet: K=${f.instances} wall ${wall} s, peak RSS ${rss} MiB`;
}

/**
 * The supporting figures as one line: exit code, SSH hosts connected at
 * once, and over SSM the polls per command and most commands in flight.
 */
export function formatExistingFleetDetail(f: ExistingFleetFigures): string {
  const ssm = f.transport === "ssm"
    ? `; GetCommandInvocation per SendCommand ${f.pollsPerCommand.toFixed(2)}, at most ` +
      `${f.peakCommandsInFlight} commands in flight, ${f.sshSessions} hosts with an SSH session`
    : "";
  return `(exit ${f.exitCode}; at most ${f.peakConnectedHosts} hosts connected at once, ` +
    `${f.connectedAfter} still connected after${ssm}; DescribeInstances ` +
    `${f.describeInstancesCalls}; target: peak RSS < 400 MB)`;
}

if (import.meta.main) {
  const instances = Number(Deno.args[0] ?? 1000);
  const transport = (Deno.args[1] ?? "ssh") as FleetTransport;
  const f = await runExistingFleet({ instances, transport });
  console.log(formatExistingFleet(f));
  console.log(formatExistingFleetDetail(f));
}
