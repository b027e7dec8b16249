/**
 * Benchmark: the ptp pipeline on simulated fleets. For each fleet size K the
 * CLI runs as a subprocess against a simulator started here (same simulated
 * delays for every K, concurrency 8), and we record wall time, EC2 calls (how
 * many are DescribeInstances) and the CLI's peak resident memory (VmHWM).
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
  /** Peak resident set of the CLI process, MiB (Linux VmHWM). */
  peakRssMiB: number | null;
}

const root = new URL("../", import.meta.url);

/** Peak RSS (VmHWM) of `pid` in MiB, or null when /proc is unavailable. */
async function peakRss(pid: number): Promise<number | null> {
  try {
    const status = await Deno.readTextFile(`/proc/${pid}/status`);
    const m = /^VmHWM:\s+(\d+) kB/m.exec(status);
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
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
    const started = performance.now();
    const child = new Deno.Command(Deno.execPath(), {
      args,
      cwd: workDir,
      env: { ...sim.env, NO_COLOR: "1" },
      stdout: "null",
      stderr: "null",
    }).spawn();
    let peak: number | null = null;
    const sampler = setInterval(async () => {
      const v = await peakRss(child.pid);
      if (v !== null) peak = Math.max(peak ?? 0, v);
    }, 100);
    const status = await child.status;
    clearInterval(sampler);
    const wallSeconds = (performance.now() - started) / 1000;
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
