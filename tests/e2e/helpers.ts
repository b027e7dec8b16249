/**
 * Shared helpers of the end-to-end tests: the simulator runs in the test
 * process, `ptp-runner` runs as a subprocess pointed at it through `sim.env`,
 * so a test can check what the simulator saw and what still runs after the
 * CLI exited.
 * @module
 */
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { type SimulatorHandle, startSimulator } from "../../sim/mod.ts";

/** Repository root (absolute, with a trailing slash). */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** Absolute path of the CLI entry point. */
export const MAIN = join(ROOT, "main.ts");
/** Absolute path of `deno.json` (the `cli` permission set lives there). */
export const CONFIG = join(ROOT, "deno.json");
/** Absolute path of the default pipeline. */
export const PTP_PIPELINE = join(ROOT, "pipelines/ptp.yaml");
/** Absolute path of the pipeline for instances that already run. */
export const EXISTING_HOSTS_PIPELINE = join(ROOT, "pipelines/existing-hosts.yaml");

/** Simulator speed of every e2e test: simulated seconds per real second. */
export const E2E_SPEED = 200;

/** Instance states that mean "still costs money". */
const ACTIVE_STATES = new Set(["pending", "running"]);

/** Starts a simulator for one test at {@link E2E_SPEED}. */
export function startE2eSimulator(): Promise<SimulatorHandle> {
  return startSimulator({ speed: E2E_SPEED });
}

/** A fresh temporary working directory (the CLI's cwd: reports/, .ptp-runner/). */
export function makeWorkDir(): Promise<string> {
  return Deno.makeTempDir({ prefix: "ptp-e2e-" });
}

/**
 * `--set` arguments for the inputs that fit the simulator (subnet, key pair,
 * private key file, security groups, placement group); arrays are joined with commas.
 */
export function simSetArgs(sim: SimulatorHandle): string[] {
  const args: string[] = [];
  for (const [key, value] of Object.entries(sim.defaultInputs)) {
    const text = Array.isArray(value) ? value.join(",") : String(value);
    args.push("--set", `${key}=${text}`);
  }
  return args;
}

/**
 * CLI arguments of `run pipelines/ptp.yaml --yes` against `sim` for the given
 * instance types (`instance_types` as `--set` takes it, e.g. `c7i.large:2,r7g.large`),
 * then `extra` arguments.
 */
export function ptpRunArgs(
  sim: SimulatorHandle,
  instanceTypes: string,
  extra: string[] = [],
): string[] {
  return [
    "run",
    PTP_PIPELINE,
    "--yes",
    ...simSetArgs(sim),
    "--set",
    `instance_types=${instanceTypes}`,
    ...extra,
  ];
}

/** Text of a stream collected as it arrives; `until(needle)` resolves once it appears. */
export interface CollectedText {
  text(): string;
  done: Promise<void>;
  until(needle: string | RegExp): Promise<void>;
}

/** Collects a byte stream as text. */
export function collect(stream: ReadableStream<Uint8Array>): CollectedText {
  let text = "";
  const waiters: { needle: string | RegExp; resolve: () => void }[] = [];
  const found = (needle: string | RegExp) =>
    typeof needle === "string" ? text.includes(needle) : needle.test(text);
  const done = (async () => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      for (const w of waiters.filter((w) => found(w.needle))) w.resolve();
    }
  })();
  return {
    text: () => text,
    done,
    until: (needle) =>
      new Promise<void>((resolve) => {
        if (found(needle)) resolve();
        else waiters.push({ needle, resolve });
      }),
  };
}

/** A running `ptp-runner` subprocess with its output being collected. */
export interface CliProcess {
  child: Deno.ChildProcess;
  stdout: CollectedText;
  stderr: CollectedText;
  /** Resolves when the process exited and its output was read. */
  finished(): Promise<CliResult>;
}

/** What a finished `ptp-runner` subprocess left. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Starts `ptp-runner <args>` (e.g. `["run", PTP_PIPELINE, "--yes"]`) in `cwd`
 * with the simulator's environment plus `NO_COLOR=1`, `CI=1`; stdin is closed.
 */
export function spawnCli(
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): CliProcess {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-P=cli", `--config=${CONFIG}`, MAIN, ...args],
    cwd: options.cwd,
    env: { ...options.env, NO_COLOR: "1", CI: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdout = collect(child.stdout);
  const stderr = collect(child.stderr);
  return {
    child,
    stdout,
    stderr,
    finished: async () => {
      const status = await child.status;
      await Promise.all([stdout.done, stderr.done]);
      return { code: status.code, stdout: stdout.text(), stderr: stderr.text() };
    },
  };
}

/** Runs `ptp-runner <args>` to the end (see {@link spawnCli}). */
export function runCli(
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<CliResult> {
  return spawnCli(args, options).finished();
}

/** One JSON Lines event (`--log-json`); fields per `RunEvent` of `runner/types.ts`. */
export type JsonEvent = Record<string, unknown> & { type: string };

/** Parses a `--log-json` file; a missing file or a half-written last line yields what is complete. */
export async function readEvents(file: string): Promise<JsonEvent[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  const events: JsonEvent[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      events.push(JSON.parse(line));
    } catch {
      // the writer is mid-line: the rest comes with the next read
    }
  }
  return events;
}

/**
 * Polls `check` every 20 ms until it returns a value other than undefined.
 * @throws Error naming `what` after `timeoutMs` milliseconds.
 */
export async function pollFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits until the JSON Lines file holds an event matching `match`, and returns it. */
export function waitForEvent(
  file: string,
  what: string,
  match: (event: JsonEvent) => boolean,
  timeoutMs?: number,
): Promise<JsonEvent> {
  return pollFor(what, async () => (await readEvents(file)).find(match), timeoutMs);
}

/** Instances of the simulator still pending or running. */
export function activeInstances(sim: SimulatorHandle): ReturnType<SimulatorHandle["instances"]> {
  return sim.instances().filter((i) => ACTIVE_STATES.has(i.state));
}

/**
 * Waits (up to 5 s real) until every instance the simulator ever launched is
 * `terminated` (shutting-down takes 8 simulated seconds).
 * @throws Error listing the instances that never got there.
 */
export async function waitAllTerminated(sim: SimulatorHandle): Promise<void> {
  try {
    await pollFor(
      "every instance terminated",
      () => sim.instances().every((i) => i.state === "terminated") ? true : undefined,
      5_000,
    );
  } catch {
    const left = sim.instances().filter((i) => i.state !== "terminated");
    throw new Error(
      `instances not terminated: ${left.map((i) => `${i.instanceId} ${i.state}`).join(", ")}`,
    );
  }
}

/** The run id the CLI prints at start (`run 20261129-101500-ab12`). */
export function runIdFrom(stdout: string): string {
  const match = /\brun (\d{8}-\d{6}-[0-9a-z]{4})/.exec(stdout);
  if (!match) throw new Error(`no run id in the CLI output:\n${stdout}`);
  return match[1];
}

/** Reads `<cwd>/.ptp-runner/runs/<runId>/journal.json`, or undefined before it exists. */
export async function readJournal(
  cwd: string,
  runId: string,
): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(
      await Deno.readTextFile(join(cwd, ".ptp-runner/runs", runId, "journal.json")),
    );
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/** Reads `<cwd>/reports/<runId>/report.json`. */
export async function readReport(cwd: string, runId: string): Promise<Report> {
  return JSON.parse(await Deno.readTextFile(join(cwd, "reports", runId, "report.json")));
}

/** The parts of report.json (`plugins/report/model.ts`) the e2e tests read. */
export interface Report {
  run_id: string;
  /** The signal that interrupted the run, once it ended (null otherwise). */
  interrupted_by?: string | null;
  run?: { status: string; exit_code: number } | null;
  targets: {
    id: string;
    label: string;
    status: string;
    instance_id: string | null;
    /** The target's address; with redaction on, the run's placeholder (`[IPv4-1]`). */
    address: string | null;
    instance_type: string;
    phc_support: string | null;
    ena_driver_version: string | null;
    verdict: string;
  }[];
  cleanup: {
    terminated: { instance_id: string }[];
    kept: { instance_id: string }[];
    failed: { instance_id: string }[];
  };
}

/** Recorded EC2 requests of one action, in order. */
export function requestsOf(sim: SimulatorHandle, action: string) {
  return sim.requests().filter((r) => r.service === "ec2" && r.action === action);
}

/**
 * Tags of an EC2 Query `TagSpecification.N` of resource type `instance`
 * (`TagSpecification.1.ResourceType=instance`, `TagSpecification.1.Tag.1.Key=...`).
 */
export function instanceTagsOf(params: Record<string, unknown>): Record<string, string> {
  const tags: Record<string, string> = {};
  for (let spec = 1; params[`TagSpecification.${spec}.ResourceType`] !== undefined; spec++) {
    if (params[`TagSpecification.${spec}.ResourceType`] !== "instance") continue;
    for (let n = 1; params[`TagSpecification.${spec}.Tag.${n}.Key`] !== undefined; n++) {
      tags[String(params[`TagSpecification.${spec}.Tag.${n}.Key`])] = String(
        params[`TagSpecification.${spec}.Tag.${n}.Value`],
      );
    }
  }
  return tags;
}

/**
 * Appends the host keys of `instanceIds` (simulated instances that run) to the
 * known_hosts file `file`, the way the tool's refusal tells a user to: with
 * `ssh-keyscan -p PORT ADDRESS` (OpenSSH's own), so lines read `[127.0.0.N]:PORT ssh-ed25519 ...`.
 * @throws Error when ssh-keyscan finds no key for an instance.
 */
export async function scanSimHostKeys(
  sim: SimulatorHandle,
  instanceIds: readonly string[],
  file: string,
): Promise<void> {
  const byId = new Map(sim.instances().map((i) => [i.instanceId, i]));
  for (const id of instanceIds) {
    const instance = byId.get(id);
    if (!instance) throw new Error(`no simulated instance ${id}`);
    await appendScannedKeys(instance.address, sim.sshPort, file);
  }
}

/**
 * Runs `ssh-keyscan -p port address` and appends its key lines to `file`.
 * @throws Error naming the host when no key line came back.
 */
export async function appendScannedKeys(address: string, port: number, file: string) {
  const out = await new Deno.Command("ssh-keyscan", {
    args: ["-T", "10", "-p", String(port), address],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const lines = new TextDecoder().decode(out.stdout).split("\n").filter((l) =>
    l.trim() !== "" && !l.startsWith("#")
  );
  if (lines.length === 0) {
    throw new Error(
      `ssh-keyscan found no host key at ${address}:${port}: ${
        new TextDecoder().decode(out.stderr)
      }`,
    );
  }
  await Deno.writeTextFile(file, lines.join("\n") + "\n", { append: true, mode: 0o600 });
}
