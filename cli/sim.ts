/**
 * `ptp-runner sim`: serves the built-in simulator (fake EC2/SSM/STS endpoint
 * and simulated Amazon Linux 2023 hosts) until Ctrl-C. The implementation
 * (`sim/serve.ts`) is imported only in the action.
 * @module
 */
import { type Command, InvalidArgumentError } from "commander";

/** Parses `--speed`: a number > 0 (simulated seconds per real second). */
export function parseSpeed(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError(
      `--speed: "${value}" is not a number > 0 (simulated seconds per real second, e.g. 50)`,
    );
  }
  return n;
}

/** Parses a TCP port; `allowZero` accepts 0 (= pick a free one). */
export function parsePort(flag: string, allowZero: boolean): (value: string) => number {
  return (value) => {
    const n = Number(value);
    const min = allowZero ? 0 : 1;
    if (!Number.isInteger(n) || n < min || n > 65535) {
      throw new InvalidArgumentError(
        `${flag}: "${value}" is not a TCP port (an integer from ${min} to 65535)`,
      );
    }
    return n;
  };
}

/** Parses a number of simulated seconds >= 0 for `flag`. */
export function parseSimSeconds(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || n < 0) {
      throw new InvalidArgumentError(`${flag}: "${value}" is not a number of seconds >= 0`);
    }
    return n;
  };
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(",").map((v) => v.trim()).filter(Boolean)];
}

/** Adds the `sim` command to `program`. */
export function register(program: Command): void {
  program
    .command("sim")
    .description(
      "Serve the built-in simulator (fake EC2/SSM/STS endpoint on 127.0.0.1 and simulated " +
        "Amazon Linux 2023 instances over SSH) until Ctrl-C, and print the settings a shell needs",
    )
    .option("--speed <n>", "simulated seconds per real second", parseSpeed, 50)
    .option("--profiles <file>", "instance profiles YAML laid over the built-in catalogue")
    .option(
      "--port <n>",
      "endpoint port on 127.0.0.1 (0 = a free one)",
      parsePort("--port", true),
      0,
    )
    .option(
      "--ssh-port <n>",
      "SSH port of every simulated instance (default: a free one)",
      parsePort("--ssh-port", false),
    )
    .option(
      "--state-dir <dir>",
      "where the private key and host keys go (default: a temporary directory)",
    )
    .option(
      "--fault-capacity <types>",
      "answer InsufficientInstanceCapacity for these instance types (comma-separated, repeatable)",
      collect,
    )
    .option(
      "--fault-deny-dry-run <actions>",
      "answer UnauthorizedOperation to DryRun of these EC2 actions (e.g. RunInstances)",
      collect,
    )
    .option(
      "--fault-visibility-delay <seconds>",
      "simulated seconds before DescribeInstances shows a new instance (EC2's eventual consistency)",
      parseSimSeconds("--fault-visibility-delay"),
    )
    .option(
      "--fault-run-instances-delay <seconds>",
      "simulated seconds RunInstances takes to answer (its instances exist at once)",
      parseSimSeconds("--fault-run-instances-delay"),
    )
    .option("-v, --verbose", "print one line per AWS request on stderr", false)
    .addHelpText(
      "after",
      `
Examples:
  $ ptp-runner sim
  $ ptp-runner sim --speed 200 --port 4566 --state-dir .ptp-runner/sim
  $ ptp-runner sim --profiles my-profiles.yaml --fault-capacity m7i.large

Then, in another shell, paste the printed "export ..." lines and run
  $ aws ec2 describe-instance-types --instance-types c7i.large
  $ ptp-runner run pipelines/ptp.yaml --yes --set subnet_id=subnet-0sim0000000000001 ...
The profiles file format, faults and speed are described in sim/README.md.`,
    )
    .action(async (opts: {
      speed: number;
      profiles?: string;
      port: number;
      sshPort?: number;
      stateDir?: string;
      faultCapacity?: string[];
      faultDenyDryRun?: string[];
      faultVisibilityDelay?: number;
      faultRunInstancesDelay?: number;
      verbose: boolean;
    }) => {
      const { runSimCommand } = await import("../sim/serve.ts");
      Deno.exitCode = await runSimCommand({
        speed: opts.speed,
        profiles: opts.profiles,
        port: opts.port,
        sshPort: opts.sshPort,
        stateDir: opts.stateDir,
        faultCapacity: opts.faultCapacity,
        faultDenyDryRun: opts.faultDenyDryRun,
        faultVisibilitySeconds: opts.faultVisibilityDelay,
        faultRunInstancesDelaySeconds: opts.faultRunInstancesDelay,
        verbose: opts.verbose,
      });
    });
}
