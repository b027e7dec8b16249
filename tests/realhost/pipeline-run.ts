/**
 * The `existing-hosts` pipeline run against the real-VM guest (tests/realhost/vm.ts): the
 * ptp-runner CLI as a subprocess over real SSH, its `--log-json` events and its `report.json`,
 * and the guest facts the real-host tests compare them with (chrony's state read with real
 * `chronyc`/`systemctl`/`chronyd -p`). Every assertion helper here appends the run's output tail
 * and report excerpt to its failure message, so a failing real-host test says what the tool did.
 * @module
 */
import { join } from "node:path";
import {
  type CliProcess,
  EXISTING_HOSTS_PIPELINE,
  type JsonEvent,
  readEvents,
  spawnCli,
} from "../e2e/helpers.ts";
import type { Vm } from "./vm.ts";

/** A finished `ptp-runner run pipelines/existing-hosts.yaml` against the guest. */
export interface PipelineRun {
  /** The CLI's exit status. */
  code: number;
  stdout: string;
  stderr: string;
  /** `--log-json` events, in order. */
  events: JsonEvent[];
  /** `reports/<run id>/report.json`, parsed; undefined when the run wrote none. */
  report: Record<string, unknown> | undefined;
  /** The CLI's working directory (reports/, .ptp-runner/). */
  workDir: string;
  /** Wall time of the run, ms. */
  ms: number;
}

/** Options of {@link startPipeline}. */
export interface PipelineOptions {
  /** `--set` values besides `hosts` and `private_key`, e.g. `{ clock: "primary-nic" }`. */
  inputs?: Record<string, string>;
  /** Adds `--dry-run`. */
  dryRun?: boolean;
}

/** A started run: the process and where its events go. */
export interface StartedRun {
  cli: CliProcess;
  /** The `--log-json` file. */
  eventsFile: string;
  /** Waits for the end and collects events and report. */
  finished(): Promise<PipelineRun>;
}

/**
 * Makes the guest look like an EC2 host where the tool looks for the primary interface: qemu's
 * restricted user-mode network gives the guest an address but no default route, while every EC2
 * host has one (the host steps take the primary interface from `ip -4 route show default`,
 * PTP.md section 4). Adds `default via 10.0.2.2 dev eth0` (the runtime routing table only: no
 * file under /etc changes, so snapshots are unaffected).
 * @throws Error when the route cannot be added
 */
export async function giveDefaultRoute(vm: Vm): Promise<void> {
  await vm.check(
    "ip -4 route show default | grep -q . || sudo ip route add default via 10.0.2.2 dev eth0",
  );
}

/**
 * Starts `ptp-runner run pipelines/existing-hosts.yaml --yes` against the guest (`hosts` =
 * {@link Vm.spec}, `private_key` = {@link Vm.keyPath}, `known_hosts_file` =
 * {@link Vm.knownHostsPath}: the host key is checked against known_hosts, the default for an
 * existing host) in a fresh working directory.
 */
export async function startPipeline(vm: Vm, opts: PipelineOptions = {}): Promise<StartedRun> {
  const workDir = await Deno.makeTempDir({ prefix: "ptp-realhost-" });
  const eventsFile = join(workDir, "events.jsonl");
  const sets = {
    hosts: vm.spec,
    private_key: vm.keyPath,
    known_hosts_file: vm.knownHostsPath,
    ...opts.inputs,
  };
  const args = ["run", EXISTING_HOSTS_PIPELINE, "--yes", "--log-json", eventsFile];
  for (const [key, value] of Object.entries(sets)) args.push("--set", `${key}=${value}`);
  if (opts.dryRun) args.push("--dry-run");
  const started = Date.now();
  const cli = spawnCli(args, { cwd: workDir, env: {} });
  return {
    cli,
    eventsFile,
    finished: async () => {
      const result = await cli.finished();
      return {
        ...result,
        events: await readEvents(eventsFile),
        report: await readReport(workDir),
        workDir,
        ms: Date.now() - started,
      };
    },
  };
}

/** Runs the pipeline to the end (see {@link startPipeline}). */
export async function runPipeline(vm: Vm, opts: PipelineOptions = {}): Promise<PipelineRun> {
  const run = await (await startPipeline(vm, opts)).finished();
  console.log(
    `  ptp-runner ${describeOptions(opts)}: exit ${run.code} in ${(run.ms / 1000).toFixed(1)} s`,
  );
  return run;
}

function describeOptions(opts: PipelineOptions): string {
  const sets = Object.entries(opts.inputs ?? {}).map(([k, v]) => `--set ${k}=${v}`);
  return [...sets, ...(opts.dryRun ? ["--dry-run"] : [])].join(" ") || "(defaults)";
}

/** The report written under `<workDir>/reports/<run id>/`, or undefined. */
async function readReport(workDir: string): Promise<Record<string, unknown> | undefined> {
  try {
    for await (const entry of Deno.readDir(join(workDir, "reports"))) {
      const file = join(workDir, "reports", entry.name, "report.json");
      return JSON.parse(await Deno.readTextFile(file));
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return undefined;
}

/** The single target of a run's report (`targets[0]`), or undefined. */
export function reportTarget(run: PipelineRun): Record<string, unknown> | undefined {
  const targets = run.report?.targets;
  return Array.isArray(targets) ? targets[0] : undefined;
}

/** One change the host steps made or would make (plugins/host/changes.ts `HostChange`). */
export interface ReportedChange {
  step_id?: string;
  kind?: string;
  summary: string;
  diff?: string;
  applied?: boolean;
}

/**
 * The host changes the report lists for the target: wherever report.json keeps them (the
 * `changes` array of the target or of its facts), as recorded by plugins/host/changes.ts.
 */
export function reportedChanges(run: PipelineRun): ReportedChange[] {
  const target = reportTarget(run) ?? {};
  const facts = target.facts as Record<string, unknown> | undefined;
  const list = target.changes ?? facts?.changes ?? [];
  return Array.isArray(list) ? list as ReportedChange[] : [];
}

/** `step-finished` events of the target's steps, by step id. */
export function finishedSteps(run: PipelineRun): Map<string, JsonEvent> {
  const steps = new Map<string, JsonEvent>();
  for (const e of run.events) {
    if (e.type === "step-finished" && e.targetId) steps.set(String(e.stepId), e);
  }
  return steps;
}

/** Commands the steps sent to the guest (`command` events), as `step: command → exit`. */
export function sentCommands(run: PipelineRun, stepId?: string): string[] {
  return run.events
    .filter((e) => e.type === "command" && (stepId === undefined || e.stepId === stepId))
    .map((e) => `${e.stepId}: ${e.command} → ${e.exitCode}`);
}

/**
 * What a failing assertion about `run` should show: exit status, the target's verdict, reason,
 * failure, diagnostics and changes from report.json, the step outcomes, and the tails of stdout
 * and stderr.
 */
export function describeRun(run: PipelineRun): string {
  const target = reportTarget(run);
  const excerpt = target
    ? JSON.stringify(
      {
        verdict: target.verdict,
        verdict_reason: target.verdict_reason,
        failed_layer: target.failed_layer,
        failure: target.failure,
        diagnostics: target.diagnostics,
        quality: target.quality,
        changes: reportedChanges(run),
        warnings: target.warnings,
      },
      null,
      2,
    )
    : "(no report.json)";
  const steps = [...finishedSteps(run).values()].map((e) =>
    `${e.stepId}: ${e.status}${e.changed === undefined ? "" : ` changed=${e.changed}`}${
      e.error ? ` (${e.error})` : ""
    }`
  );
  const skipped = run.events.filter((e) => e.type === "step-skipped" && e.targetId)
    .map((e) => `${e.stepId}: skipped (${e.reason})`);
  return [
    `--- ptp-runner exit ${run.code} (work dir ${run.workDir})`,
    `--- steps:\n${[...steps, ...skipped].join("\n")}`,
    `--- error logs:\n${errorLogs(run).join("\n")}`,
    `--- report.json target excerpt:\n${excerpt}`,
    `--- stdout (tail):\n${tail(run.stdout, 60)}`,
    `--- stderr (tail):\n${tail(run.stderr, 30)}`,
  ].join("\n");
}

function tail(text: string, lines: number): string {
  return text.split("\n").slice(-lines).join("\n");
}

/** A vm.snapshot() without chrony's InvocationID line (for runs that restart chronyd on purpose). */
export function withoutInvocation(snapshot: string): string {
  return snapshot.replace(/^InvocationID=.*$/m, "InvocationID=(ignored)");
}

/** The `log` events of level `error` (messages), e.g. a rollback that failed. */
export function errorLogs(run: PipelineRun): string[] {
  return run.events.filter((e) => e.type === "log" && e.level === "error")
    .map((e) => `${e.stepId ?? "run"}: ${e.message}`);
}

/**
 * Runs `assertions`; when one throws, rethrows it with {@link describeRun} of `run` (and
 * `extra`, e.g. the guest's chrony state) appended, so the failure shows what the tool did.
 */
export async function explainFailure(
  run: PipelineRun,
  assertions: () => void | Promise<void>,
  extra?: () => Promise<string>,
): Promise<void> {
  try {
    await assertions();
    // Kept for reading when an assertion failed; removed when the run was as expected.
    await Deno.remove(run.workDir, { recursive: true }).catch(() => {});
  } catch (error) {
    const guest = extra ? await extra().catch((e) => `(guest state unreadable: ${e})`) : "";
    const message = `${error instanceof Error ? error.message : String(error)}\n${
      describeRun(run)
    }${guest ? `\n--- guest:\n${guest}` : ""}`;
    const wrapped = new Error(message);
    if (error instanceof Error) wrapped.stack = `${message}\n${error.stack ?? ""}`;
    throw wrapped;
  }
}

/** Lists backup or temporary files under the directories the host steps write. */
export const LEFTOVERS =
  "sudo find /etc/chrony /etc/udev/rules.d /etc/modprobe.d /etc/systemd/system " +
  "\\( -name '*.bak' -o -name '*~' -o -name '*.tmp' -o -name '*.orig' -o -name '*.save' " +
  "-o -name '*.ptp-runner*' -o -name '.*.swp' \\) -print";

/** chrony on the guest, read with real tools (sudo: `chronyd` and the journal are root's). */
export interface GuestChrony {
  /** `systemctl is-active chrony`. */
  active: string;
  /** `InvocationID` of chrony.service (a new one on every start). */
  invocationId: string;
  /** Exit status of `sudo chronyd -p` (config parses). */
  parseStatus: number;
  /** `chronyd -p` stdout and stderr. */
  parseOutput: string;
  /** `chronyc -n sources`. */
  sources: string;
  /** `chronyc -n tracking`. */
  tracking: string;
}

/** Reads {@link GuestChrony} from the guest. */
export async function guestChrony(vm: Vm): Promise<GuestChrony> {
  const active = (await vm.ssh("systemctl is-active chrony")).stdout.trim();
  const invocationId = (await vm.check("systemctl show -p InvocationID --value chrony")).trim();
  const parse = await vm.ssh("sudo chronyd -p 2>&1");
  const sources = (await vm.ssh("chronyc -n sources")).stdout;
  const tracking = (await vm.ssh("chronyc -n tracking")).stdout;
  return {
    active,
    invocationId,
    parseStatus: parse.code,
    parseOutput: parse.stdout,
    sources,
    tracking,
  };
}

/** A readable dump of the guest's chrony: state, config files, the unit's journal tail. */
export async function describeGuestChrony(vm: Vm): Promise<string> {
  const c = await guestChrony(vm);
  const files = await vm.ssh(
    "for f in /etc/chrony/chrony.conf /etc/chrony/conf.d/* /etc/udev/rules.d/*; do " +
      '[ -f "$f" ] && { echo "## $f"; cat "$f"; }; done; ls -l /dev/ptp*',
  );
  const journal = await vm.ssh("sudo journalctl -u chrony --no-pager -n 25");
  return [
    `chrony ${c.active}, InvocationID ${c.invocationId}, chronyd -p exit ${c.parseStatus}`,
    c.parseOutput.trim(),
    c.sources.trim(),
    c.tracking.trim(),
    files.stdout.trim(),
    `## journalctl -u chrony\n${journal.stdout.trim()}`,
  ].join("\n");
}

/**
 * Waits until the guest's real chrony selects its PHC (`#* PHC0` in `chronyc -n sources`).
 * @returns the `chronyc -n sources` text that showed it
 * @throws Error with the last sources text after `timeoutMs`
 */
export async function waitForPhcSelected(vm: Vm, timeoutMs = 60_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < end) {
    last = (await vm.ssh("chronyc -n sources")).stdout;
    if (/^#\* PHC0\s/m.test(last)) return last;
    await new Promise((r) => setTimeout(r, 2_000));
  }
  throw new Error(`chrony did not select PHC0 within ${timeoutMs} ms:\n${last}`);
}

/** A field of `chronyc -n tracking` text (`Stratum`, `Reference ID`, ...), or undefined. */
export function trackingField(tracking: string, name: string): string | undefined {
  const m = new RegExp(`^${name}\\s*: (.*)$`, "m").exec(tracking);
  return m?.[1].trim();
}
