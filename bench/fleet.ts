/**
 * Benchmark: the ptp pipeline on simulated fleets. For each fleet size K the
 * CLI runs as a subprocess against a simulator started here (same simulated
 * delays for every K, concurrency 8), and we record wall time, EC2 calls (how
 * many are DescribeInstances) and the CLI's peak resident memory (GNU time).
 * Prints figures; never fails on a timing.
 * @module
 */
import { startSimulator } from "../sim/mod.ts";

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

const root = new URL("../", import.meta.url);

/** GNU time, which reports a child's peak RSS (`%M`, KiB); Deno may not read /proc itself. */
const GNU_TIME = "/usr/bin/time";

function hasGnuTime(): boolean {
  try {
    return Deno.statSync(GNU_TIME).isFile;
  } catch {
    return false;
  }
}

/** Runs `pipelines/ptp.yaml` on `instances` c7i.large instances; `speed` = simulator speed. */
export async function runFleet(instances: number, speed = 50): Promise<FleetFigures> {
  const sim = await startSimulator({ speed });
  const workDir = await Deno.makeTempDir({ prefix: "ptp-bench-fleet-" });
  try {
    const inputs = sim.defaultInputs as Record<string, unknown>;
    const args = [
      "run",
      "-P=cli",

      new URL("main.ts", root).pathname,
      "run",
      new URL("pipelines/ptp.yaml", root).pathname,
      "--yes",
      "--concurrency",
      "8",
      "--set",
      `instance_types=c7i.large:${instances}`,
      "--set",
      `subnet_id=${inputs.subnet_id}`,
      "--set",
      `key_name=${inputs.key_name}`,
      "--set",
      `private_key=${inputs.private_key}`,
      "--set",
      `security_group_ids=${(inputs.security_group_ids as string[]).join(",")}`,
      "--set",
      `placement_group=${inputs.placement_group}`,
    ];
    const rssFile = `${workDir}/peak-rss-kib`;
    const [command, commandArgs] = hasGnuTime()
      ? [GNU_TIME, ["-f", "%M", "-o", rssFile, Deno.execPath(), ...args]]
      : [Deno.execPath(), args];
    const started = performance.now();
    const status = await new Deno.Command(command, {
      args: commandArgs,
      cwd: workDir,
      env: { ...sim.env, NO_COLOR: "1" },
      stdout: "null",
      stderr: "null",
    }).output();
    const wallSeconds = (performance.now() - started) / 1000;
    let peak: number | null = null;
    try {
      peak = Number((await Deno.readTextFile(rssFile)).trim().split("\n").pop()) / 1024;
    } catch {
      peak = null;
    }
    const ec2 = sim.requests().filter((r) => r.service === "ec2");
    return {
      instances,
      exitCode: status.code,
      wallSeconds,
      ec2Calls: ec2.length,
      describeInstancesCalls: ec2.filter((r) => r.action === "DescribeInstances").length,
      peakRssMiB: peak,
    };
  } finally {
    await sim.stop();
    await Deno.remove(workDir, { recursive: true });
  }
}
