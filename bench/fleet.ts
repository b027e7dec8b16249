/**
 * Benchmark: the ptp pipeline on simulated fleets. For each fleet size K the
 * CLI runs as a subprocess against a simulator started here (same simulated
 * delays for every K, concurrency 8), and we record wall time, EC2 calls (how
 * many are DescribeInstances) and the CLI's peak resident memory (GNU time).
 * The CLI gets the V8 flags of deno.json's `run` task, as users run it.
 * Prints figures; never fails on a timing.
 * @module
 */
import { runMeasured } from "./measured-cli.ts";
import { type SimulatorHandle, startSimulator } from "../sim/mod.ts";

/** Figures of one fleet run. */
export interface FleetFigures {
  instances: number;
  exitCode: number;
  wallSeconds: number;
  ec2Calls: number;
  describeInstancesCalls: number;
  /** Peak resident set of the CLI process, MiB (GNU time `%M`), null when unavailable. */
  peakRssMiB: number | null;
}

/** Options of {@link runFleet} beyond the fleet size. */
export interface FleetOptions {
  /** `instance_types` value (default `c7i.large:<instances>`). */
  instanceTypes?: string;
  /** Extra `--set name=value` inputs (they override the simulator's defaults). */
  set?: Record<string, string>;
  /**
   * Called before the simulator stops, with the CLI's `--log-json` events file
   * (the run writes one when this is given).
   */
  inspect?: (sim: SimulatorHandle, eventsFile: string) => Promise<void> | void;
}

const root = new URL("../", import.meta.url);

/**
 * The `--v8-flags=...` argument of deno.json's `run` task (heap tuning for
 * large fleets), so the CLI is measured as users run it; none when absent.
 */
export function runTaskV8Flags(): string[] {
  const config = JSON.parse(Deno.readTextFileSync(new URL("deno.json", root)));
  const task = String(config.tasks?.run ?? "");
  return task.split(/\s+/).filter((arg) => arg.startsWith("--v8-flags="));
}

/** Runs `pipelines/ptp.yaml` on `instances` c7i.large instances; `speed` = simulator speed. */
export async function runFleet(
  instances: number,
  speed = 50,
  options: FleetOptions = {},
): Promise<FleetFigures> {
  const sim = await startSimulator({ speed });
  const workDir = await Deno.makeTempDir({ prefix: "ptp-bench-fleet-" });
  try {
    const inputs = sim.defaultInputs as Record<string, unknown>;
    const eventsFile = `${workDir}/events.jsonl`;
    const sets = {
      instance_types: options.instanceTypes ?? `c7i.large:${instances}`,
      subnet_id: String(inputs.subnet_id),
      key_name: String(inputs.key_name),
      private_key: String(inputs.private_key),
      security_group_ids: (inputs.security_group_ids as string[]).join(","),
      placement_group: String(inputs.placement_group),
      ...options.set,
    };
    const args = [
      "run",
      "-P=cli",
      ...runTaskV8Flags(),

      new URL("main.ts", root).pathname,
      "run",
      new URL("pipelines/ptp.yaml", root).pathname,
      "--yes",
      // K=100 and K=300 ask for more of one type than run allows by default (50).
      ...(options.instanceTypes ? [] : ["--max-instances", String(Math.max(instances, 1))]),
      "--concurrency",
      "8",
      ...Object.entries(sets).flatMap(([name, value]) => ["--set", `${name}=${value}`]),
      ...(options.inspect ? ["--log-json", eventsFile] : []),
    ];
    const measured = await runMeasured(args, { cwd: workDir, env: { ...sim.env, NO_COLOR: "1" } });
    await options.inspect?.(sim, eventsFile);
    const ec2 = sim.requests().filter((r) => r.service === "ec2");
    return {
      instances,
      exitCode: measured.exitCode,
      wallSeconds: measured.wallSeconds,
      ec2Calls: ec2.length,
      describeInstancesCalls: ec2.filter((r) => r.action === "DescribeInstances").length,
      peakRssMiB: measured.peakRssMiB,
    };
  } finally {
    await sim.stop();
    await Deno.remove(workDir, { recursive: true });
  }
}
