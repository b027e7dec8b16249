/**
 * The `run` command's implementation: flags -> settings, pipeline and input
 * validation (every issue printed, exit 2 before anything runs), the optional
 * in-process simulator, console/JSON Lines/journal wiring, signal handling,
 * and the executor's exit code.
 * @module
 */
import { resolve } from "node:path";
import { finalizeReport } from "../plugins/report/finalize.ts";
import { type IpRedactor, redactIpsWith } from "../plugins/report/redact.ts";
import { reportDirOf } from "../plugins/report/write.ts";
import { keepIdsProblem, parseKeepPolicy } from "../plugins/aws/release/keep-policy.ts";
import { regionNameProblem } from "../plugins/aws/shared/region-name.ts";
import { colorEnabled } from "../runner/colour.ts";
import { ConsoleRenderer } from "../runner/console.ts";
import { EXIT, ValidationError, type ValidationIssue } from "../runner/errors.ts";
import { EventBus, REDACTED } from "../runner/events.ts";
import {
  executePipeline,
  maskSecretInputs,
  resumeRecapSeed,
  type RunResult,
} from "../runner/executor.ts";
import { collectInputs } from "../runner/inputs.ts";
import { journalPath, openResources, RunJournal } from "../runner/journal.ts";
import { RecapTally } from "../runner/recap.ts";
import { JsonLinesWriter } from "../runner/jsonl.ts";
import { checkInputBoundWith } from "../runner/pipeline/input-bound-with.ts";
import { checkBeforeRun } from "../runner/pipeline/rollout.ts";
import { checkStepsBeforeRun } from "../runner/pipeline/steps-before-run.ts";
import { loadPipeline } from "../runner/pipeline/load.ts";
import type { Pipeline, ResolvedInputs } from "../runner/pipeline/model.ts";
import { type ResumeState, runFingerprint } from "../runner/resume.ts";
import { newRunId } from "../runner/run-id.ts";
import {
  forcedExitNotice,
  installSignalHandlers,
  INTERRUPT_NOTICE,
  lateSignalNotice,
  type RunSignal,
} from "../runner/signals.ts";
import type { ResourceRecord, RunEvent, RunSettings } from "../runner/types.ts";
import { builtinRegistry } from "./builtin-registry.ts";
import { fileErrorText, reportDirProblem } from "./file-errors.ts";
import { loadPrivateKeyParser, namesPrivateKeyFile } from "../plugins/ssh/key-path.ts";
import { writerToMaybeGone } from "./gone-terminal.ts";
import type { RunOptions } from "./run.ts";
import { runJsonDocument, runStatusOf } from "./run-output.ts";
import { checkResume, resumeRunProblem } from "./resume-check.ts";
import { releaseSimulatedResources } from "./simulated-resources.ts";
import { resumeHint } from "./resume-hint.ts";

/** Where the command writes; injectable for tests. */
export interface RunIo {
  /** Progress and results. */
  out(text: string): void;
  /** Errors. */
  err(text: string): void;
  /** Whether `out` is a terminal (live view, colours). */
  isTTY: boolean;
  /** Whether `err` is a terminal (the live view goes there when stdout carries JSON). */
  errIsTTY?: boolean;
  /** Whether stdin is a terminal (prompts possible). */
  stdinIsTTY: boolean;
  /** Environment to read (`NO_COLOR`, `CI`, `PTP_RUNNER_SSH_PORT`, `PTP_RUNNER_TIME_SCALE`). */
  env: { get(name: string): string | undefined };
}

/**
 * The process's stdout/stderr and environment. Writes to a closed terminal
 * (SIGHUP, dropped SSH session) are dropped, never thrown (see `gone-terminal.ts`).
 */
export function processIo(): RunIo {
  const stdout = writerToMaybeGone(Deno.stdout);
  const stderr = writerToMaybeGone(Deno.stderr);
  return {
    out: stdout.write,
    err: stderr.write,
    isTTY: Deno.stdout.isTerminal(),
    errIsTTY: Deno.stderr.isTerminal(),
    stdinIsTTY: Deno.stdin.isTerminal(),
    env: Deno.env,
  };
}

/** Flag values after checking. */
interface CheckedFlags {
  concurrency?: number;
  speed?: number;
  sshPort?: number;
  /** From `PTP_RUNNER_TIME_SCALE` (a standalone `ptp-runner sim` prints it). */
  timeScale?: number;
  /** `--max-instances`. */
  maxInstances?: number;
  /** `--fail-on` verdicts. */
  failOn?: "unsupported"[];
}

/** Verdicts `--fail-on` accepts. */
export const FAIL_ON_VERDICTS = ["unsupported"] as const;

/** True when stdout carries JSON (`--output json`, `--log-json -`): everything else goes to stderr. */
export function stdoutIsMachine(options: Pick<RunOptions, "output" | "logJson">): boolean {
  return options.output === "json" || options.logJson === "-";
}

/**
 * Checks flags that commander takes as text.
 * @returns the parsed values and one issue per bad flag (source = the flag)
 */
export function checkRunFlags(
  options: RunOptions,
  env: RunIo["env"],
): { flags: CheckedFlags; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  const flags: CheckedFlags = {};
  if (options.region !== undefined) {
    // As `discover` and `sweep` check it: a bad name is refused before anything asks AWS.
    const problem = regionNameProblem(options.region);
    if (problem) issues.push({ source: "--region", message: problem });
  }
  if (options.concurrency !== undefined) {
    const n = Number(options.concurrency);
    if (!/^\d+$/.test(options.concurrency.trim()) || !Number.isSafeInteger(n) || n < 1) {
      issues.push({
        source: "--concurrency",
        message: `"${options.concurrency}" is not a positive integer; use e.g. --concurrency 4`,
      });
    } else flags.concurrency = n;
  }
  if (options.maxInstances !== undefined) {
    const n = Number(options.maxInstances);
    if (!/^\d+$/.test(options.maxInstances.trim()) || !Number.isSafeInteger(n) || n < 1) {
      issues.push({
        source: "--max-instances",
        message:
          `"${options.maxInstances}" is not a positive integer; use e.g. --max-instances 100`,
      });
    } else flags.maxInstances = n;
  }
  if (options.speed !== undefined) {
    const n = Number(options.speed);
    if (!options.simulate) {
      issues.push({ source: "--speed", message: "only applies with --simulate" });
    } else if (!Number.isFinite(n) || n <= 0) {
      issues.push({
        source: "--speed",
        message: `"${options.speed}" is not a positive number; use e.g. --speed 100`,
      });
    } else flags.speed = n;
  }
  if (options.keep !== undefined) {
    try {
      const policy = parseKeepPolicy(options.keep, { idsAccepted: false });
      if (policy.mode === "ids" && options.resume !== undefined) {
        // A resumed run's instances are known, but its keep decision is a policy.
        issues.push({
          source: "--keep",
          message: `${policy.ids.join(", ")}: --resume takes a keep policy (functional, all ` +
            `or none), not instance ids; resume with --keep all, then keep some by id with: ` +
            `ptp-runner cleanup --run ${options.resume} --keep <instance-id>`,
        });
      } else {
        // A new run: none of its instance ids can be known yet.
        const problem = keepIdsProblem(policy);
        if (problem) issues.push({ source: "--keep", message: problem });
      }
    } catch (error) {
      issues.push({ source: "--keep", message: (error as Error).message.replace(/^--keep: /, "") });
    }
  }
  if (options.failOn !== undefined) {
    const given = options.failOn.split(",").map((v) => v.trim()).filter((v) => v !== "");
    const bad = given.filter((v) => !(FAIL_ON_VERDICTS as readonly string[]).includes(v));
    if (bad.length > 0 || given.length === 0) {
      const allowed = FAIL_ON_VERDICTS.map((v) => `"${v}"`).join(", ");
      issues.push({
        source: "--fail-on",
        message: `${
          given.length === 0
            ? "needs a verdict"
            : `${bad.map((v) => `"${v}"`).join(", ")} ${
              bad.length === 1 ? "is" : "are"
            } not allowed`
        }; allowed: ${allowed} (comma-separated). Misconfigured, errored and no-verdict ` +
          "targets always fail the run: they need no --fail-on",
      });
    } else flags.failOn = given as "unsupported"[];
  }
  if (options.resume !== undefined && (options.simulate || options.dryRun)) {
    issues.push({
      source: "--resume",
      message: `cannot be combined with ${options.simulate ? "--simulate" : "--dry-run"}: ${
        options.simulate
          ? "a new simulator has none of the run's instances (start `ptp-runner sim` and use its environment)"
          : "a resumed run goes on with what the run created"
      }`,
    });
  }
  if (options.output === "json" && options.logJson === "-") {
    issues.push({
      source: "--log-json",
      message: "stdout cannot carry both --output json and --log-json -; give --log-json a file",
    });
  }
  const port = env.get("PTP_RUNNER_SSH_PORT");
  if (!options.simulate && port !== undefined && port !== "") {
    const n = Number(port);
    if (!/^\d+$/.test(port) || n < 1 || n > 65535) {
      issues.push({
        source: "PTP_RUNNER_SSH_PORT",
        message: `"${port}" is not a TCP port (1-65535)`,
      });
    } else flags.sshPort = n;
  }
  const scale = env.get("PTP_RUNNER_TIME_SCALE");
  if (!options.simulate && scale !== undefined && scale !== "") {
    const n = Number(scale);
    if (!Number.isFinite(n) || n <= 0 || n > 1) {
      issues.push({
        source: "PTP_RUNNER_TIME_SCALE",
        message: `"${scale}" is not a factor in (0, 1]; it scales waits for a fast simulator`,
      });
    } else flags.timeScale = n;
  }
  return { flags, issues };
}

/** `--verbose` lines: where each input value came from (secret values as `***`). */
export function describeInputSources(inputs: ResolvedInputs): string[] {
  const names = Object.keys(inputs.values).sort();
  return names.map((name) => {
    const value = inputs.secrets.includes(name) ? REDACTED : JSON.stringify(inputs.values[name]);
    return `  ${name} = ${value} (${inputs.sources[name] ?? "default"})`;
  });
}

/**
 * Runs `ptp-runner run <file>` and returns the process exit code (see `EXIT`).
 * @throws ValidationError with every problem of the flags, the pipeline and
 *   the inputs (the CLI prints them and exits 2) before anything runs or is
 *   created.
 */
export async function runCommand(
  file: string,
  options: RunOptions,
  io: RunIo = processIo(),
): Promise<number> {
  const { flags, issues } = checkRunFlags(options, io.env);
  if (options.resume !== undefined) {
    // First: a mistyped run id is the problem, not the inputs it would have been given.
    const problem = await resumeRunProblem(options.resume, Deno.cwd());
    if (problem) issues.unshift({ source: "--resume", message: problem });
  }
  let pipeline: Pipeline;
  try {
    pipeline = await loadPipeline(file, builtinRegistry());
  } catch (error) {
    if (error instanceof ValidationError) throw new ValidationError([...issues, ...error.issues]);
    throw error;
  }
  if (issues.length > 0) throw new ValidationError(issues);
  if (flags.concurrency !== undefined) pipeline = { ...pipeline, concurrency: flags.concurrency };

  if (options.reportDir) {
    const problem = await reportDirProblem(resolve(options.reportDir));
    if (problem) {
      throw new ValidationError([{
        source: "--report-dir",
        message: `cannot write reports to ${options.reportDir}: ${problem}`,
      }]);
    }
  }
  let jsonl: JsonLinesWriter | undefined;
  if (options.logJson) {
    try {
      jsonl = JsonLinesWriter.open(options.logJson);
    } catch (error) {
      throw new ValidationError([{
        source: "--log-json",
        message: `cannot create ${options.logJson}: ${fileErrorText(error, options.logJson)}`,
      }]);
    }
  }

  const settings: RunSettings = {
    yes: options.yes ?? false,
    interactive: io.isTTY && io.stdinIsTTY && !io.env.get("CI"),
    dryRun: options.dryRun ?? false,
    keep: options.keep,
    region: options.region,
    profile: options.profile,
    redact: options.redact !== false,
    timeScale: flags.timeScale ?? 1,
    aws: {},
    sshPort: flags.sshPort,
    workDir: Deno.cwd(),
    ...(flags.maxInstances !== undefined ? { maxInstancesPerType: flags.maxInstances } : {}),
    ...(options.reportDir ? { reportDir: resolve(options.reportDir) } : {}),
    ...(flags.failOn ? { failOn: flags.failOn } : {}),
  };

  type Sim = Awaited<ReturnType<typeof import("../sim/mod.ts").startSimulator>>;
  let sim: Sim | undefined;
  try {
    let extraDefaults: Record<string, unknown> | undefined;
    if (options.simulate) {
      const { startSimulator } = await import("../sim/mod.ts");
      sim = await startSimulator(flags.speed === undefined ? {} : { speed: flags.speed });
      for (const [key, value] of Object.entries(sim.env)) Deno.env.set(key, value);
      settings.aws.endpoint = sim.endpoint;
      settings.simulated = true;
      settings.timeScale = sim.timeScale;
      settings.sshPort = sim.sshPort;
      extraDefaults = sim.defaultInputs;
    }

    const collected = collectInputs(pipeline, {
      set: options.set ?? [],
      configFile: options.config,
      extraDefaults,
    });
    // A key file among the inputs: parse it up front (garbage body, wrong passphrase).
    const inputs = collected.inputs;
    if (Object.values(inputs.values).some(namesPrivateKeyFile)) await loadPrivateKeyParser();
    // Every problem at once: the inputs' own, then those of values computed from them.
    checkBeforeRun(pipeline, inputs, [
      checkInputBoundWith,
      (p, i, unusable) => checkStepsBeforeRun(p, i, settings, unusable),
    ], collected);
    const pipelineText = await Deno.readTextFile(pipeline.file);
    const resume = options.resume === undefined
      ? undefined
      : await checkResume(options.resume, pipeline, pipelineText, inputs, settings);
    const simulator = sim;
    // A forced exit skips `sim.stop()`: remove its state directory (it holds a private key).
    const removeSimState = simulator
      ? () => Deno.removeSync(simulator.stateDir, { recursive: true })
      : undefined;
    return await execute(
      pipeline,
      inputs,
      settings,
      options,
      io,
      jsonl,
      simulator?.endpoint,
      removeSimState,
      { pipelineText, resume },
    );
  } finally {
    jsonl?.close();
    await sim?.stop();
  }
}

async function execute(
  pipeline: Pipeline,
  inputs: ResolvedInputs,
  settings: RunSettings,
  options: RunOptions,
  io: RunIo,
  jsonl: JsonLinesWriter | undefined,
  simEndpoint: string | undefined,
  beforeForcedExit: (() => void) | undefined,
  run: { pipelineText: string; resume?: ResumeState },
): Promise<number> {
  const resume = run.resume;
  // An in-process simulator (--simulate): its instances end with this process.
  const simulated = settings.simulated === true;
  const runId = resume?.runId ?? newRunId();
  const bus = new EventBus(runId, {
    secrets: inputs.secrets.map((n) => inputs.values[n]),
    ...(resume?.addressNames ? { addressNames: resume.addressNames } : {}),
  });
  const machine = stdoutIsMachine(options);
  const humanIsTTY = machine ? io.errIsTTY ?? false : io.isTTY;
  const renderer = new ConsoleRenderer({
    write: machine ? io.err : io.out,
    isTTY: humanIsTTY,
    color: colorEnabled(humanIsTTY, io.env),
    verbose: options.verbose ?? false,
    columns: humanIsTTY ? terminalSize()?.columns : undefined,
    rows: humanIsTTY ? terminalSize()?.rows : undefined,
    failOn: settings.failOn,
    githubActions: io.env.get("GITHUB_ACTIONS") === "true",
    recapSeed: resumeRecapSeed(resume),
  });
  // Steps print the report with console.log: keep stdout for the JSON.
  const restoreConsole = machine ? routeConsoleLogToStderr() : () => {};
  // IP addresses in log lines, JSON Lines events, the report files and the JSON document
  // share the run's one numbering (`[IPv4-1]` stays the same host); `--no-redact` keeps them.
  const ips: IpRedactor = (text) => bus.addresses.redactText(text);
  const shown = settings.redact ? redactedView(ips) : (event: RunEvent) => event;
  bus.subscribe((event) => renderer.handle(shown(event)));
  // Step counts so far, for the result of a forced exit (the executor's are out of reach then).
  const tally = new RecapTally(resumeRecapSeed(resume));
  bus.subscribe((event) => tally.handle(event));
  const startedAt = performance.now();
  if (jsonl) bus.subscribe((event) => jsonl.write(shown(event)));

  const redaction = {
    redact: <T>(value: T) => bus.redactor.redact(value),
    serialize: (value: unknown) => bus.redactor.redactJson(value),
  };
  const journal = resume
    ? await RunJournal.open(settings.workDir, runId, redaction)
    : await RunJournal.create(settings.workDir, {
      runId,
      pipeline: { name: pipeline.name, file: pipeline.file },
      // Never an input in clear: secrets `***`, addresses by the run's placeholders.
      inputs: bus.addresses.redact(maskSecretInputs(inputs)),
      fingerprint: runFingerprint(run.pipelineText, inputs),
      ...(simulated ? { simulated: true } : {}),
      ...redaction,
    });
  // Tells `listRuns`/`readJournal` this run is alive; the OS drops it if the process dies.
  await journal.holdRunLock();
  if (resume) {
    journal.markResumed();
    await journal.save();
  }
  renderer.print(`run ${runId}${resume ? " (resumed)" : ""}: pipeline ${pipeline.name}`);
  renderer.print(`journal ${journalPath(settings.workDir, runId)}`);
  if (simEndpoint) renderer.print(`simulator at ${simEndpoint} (time x${1 / settings.timeScale})`);
  if (options.verbose) {
    renderer.print("inputs:");
    for (const line of describeInputSources(inputs)) {
      renderer.print(settings.redact ? ips(line) : line);
    }
  }

  const interrupt = new AbortController();
  /** Set by a forced exit: the normal end must then neither print nor write anything. */
  let forced = false;
  let interruptSignal: RunSignal | undefined;
  /** The run's result once the executor returned: a signal from then on changes nothing. */
  let ended: RunResult | undefined;
  const removeSignalHandlers = installSignalHandlers({
    onInterrupt: (signal) => {
      if (ended) {
        renderer.print(lateSignalNotice(signal, ended.exitCode));
        return;
      }
      interruptSignal = signal;
      renderer.print(INTERRUPT_NOTICE);
      interrupt.abort(new DOMException(`run interrupted (${signal})`, "AbortError"));
    },
    onForceExit: (signal) => {
      // A third signal while the forced exit finishes changes nothing.
      if (forced) return;
      forced = true;
      if (ended) {
        // The journal already holds the run's final status: exit now with its code.
        const code = ended.exitCode;
        renderer.stop();
        io.err(`${lateSignalNotice(signal, code)}; exiting now\n`);
        jsonl?.close();
        try {
          beforeForcedExit?.();
        } catch {
          // Best effort: the process exits now.
        }
        Deno.exit(code);
      }
      renderer.stop();
      journal.update({
        status: "interrupted",
        exitCode: EXIT.INTERRUPTED,
        finishedAt: new Date().toISOString(),
      });
      try {
        journal.saveSync();
      } catch (error) {
        io.err(`writing the run journal failed: ${(error as Error).message}\n`);
      }
      io.err(
        forcedExitNotice(journal.resources(), runId, { simulated }) +
          "\n",
      );
      // The run is abandoned where it stands: nothing below awaits it, so the
      // report and the JSON document describe the state the journal holds now.
      const data = journal.data;
      const result: RunResult = {
        runId,
        exitCode: EXIT.INTERRUPTED,
        interrupted: true,
        targets: data.targets,
        outputs: data.outputs,
        failures: data.failures ?? [],
        warnings: [],
        resources: [...journal.resources()],
        // An in-process simulator's instances end with this process.
        leftBehind: simulated ? [] : openResources(journal.resources()),
        journalDir: journal.dir,
        durationMs: performance.now() - startedAt,
        runFailures: [],
        recap: tally.counts(),
      };
      const finish = async () => {
        const report = await finishReport(result, settings, io, interruptSignal ?? signal, ips, {
          leftBehind: result.leftBehind,
          forcedExit: true,
        });
        if (options.output === "json") {
          const doc = runJsonDocument(result, {
            pipeline: pipeline.name,
            journal: journalPath(settings.workDir, runId),
            reportDir: report ? reportDirOf(settings, runId) : null,
            redact: settings.redact,
            ips,
            checkMode: settings.dryRun,
            simulated,
          });
          io.out(JSON.stringify({ ...doc, forced_exit: true }, null, 2) + "\n");
        }
      };
      // Bounded: a hung file system must not keep a forced exit waiting.
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, FORCED_EXIT_GRACE_MS));
      Promise.race([finish().catch(() => {}), deadline]).finally(() => {
        jsonl?.close();
        try {
          beforeForcedExit?.();
        } catch {
          // Best effort: the process exits now.
        }
        Deno.exit(EXIT.INTERRUPTED);
      });
    },
  });
  renderer.start();
  try {
    const result = await executePipeline(pipeline, inputs, settings, {
      runId,
      ...(resume ? { resume } : {}),
      bus,
      journal,
      interrupt: interrupt.signal,
      console: renderer,
    });
    // A forced exit is finishing the report, printing and exiting the process.
    if (forced) await new Promise<never>(() => {});
    ended = result;
    const dir = reportDirOf(settings, runId);
    const report = await finishReport(result, settings, io, interruptSignal, ips, {
      leftBehind: simulated ? [] : openResources(journal.resources()),
    });
    const hint = resumeHint({
      runId,
      file: pipeline.file,
      targets: result.targets,
      resources: journal.resources(),
      dryRun: settings.dryRun,
      simulated,
    });
    if (hint) renderer.print(hint);
    if (options.output === "json") {
      const doc = runJsonDocument(result, {
        pipeline: pipeline.name,
        journal: journalPath(settings.workDir, runId),
        reportDir: report ? dir : null,
        redact: settings.redact,
        ips,
        checkMode: settings.dryRun,
        simulated,
      });
      io.out(JSON.stringify(doc, null, 2) + "\n");
    }
    // The simulator (and every instance in it) stops with this process.
    if (simulated) await releaseSimulatedResources(journal);
    return result.exitCode;
  } finally {
    removeSignalHandlers();
    renderer.stop();
    restoreConsole();
    journal.releaseRunLock();
  }
}

/**
 * Event view with IP addresses redacted; consecutive identical events (the
 * console and the JSON Lines writer get the same one) are redacted once.
 */
function redactedView(ips: IpRedactor): (event: RunEvent) => RunEvent {
  let last: RunEvent | undefined;
  let lastShown: RunEvent | undefined;
  return (event) => {
    if (event !== last) {
      last = event;
      lastShown = redactIpsWith(event, ips);
    }
    return lastShown!;
  };
}

/** Longest wait (milliseconds) for the report and JSON document of a forced exit. */
const FORCED_EXIT_GRACE_MS = 3000;

/**
 * Rewrites the report files with the run's final figures; null (and a message) when that fails.
 * `end.leftBehind`: the resources still open (the report's `left_behind`);
 * `end.forcedExit`: a second signal ended the run before cleanup finished.
 */
function finishReport(
  result: RunResult,
  settings: RunSettings,
  io: RunIo,
  signal: RunSignal | undefined,
  ips: IpRedactor,
  end: { leftBehind: readonly ResourceRecord[]; forcedExit?: boolean },
) {
  return finalizeReport(settings.workDir, result.runId, reportDirOf(settings, result.runId), {
    status: runStatusOf(result),
    exitCode: result.exitCode,
    runFailures: result.runFailures,
    failOn: settings.failOn,
    recap: result.recap,
    durationMs: result.durationMs,
    ...(result.interrupted && signal ? { signal } : {}),
    resources: end.leftBehind,
    ...(end.forcedExit ? { forcedExit: true } : {}),
  }, ips).catch((error) => {
    io.err(`could not complete the report files: ${(error as Error).message}\n`);
    return null;
  });
}

/** Sends `console.log`/`console.info` to stderr until the returned function restores them. */
function routeConsoleLogToStderr(): () => void {
  const { log, info } = console;
  console.log = (...args: unknown[]) => console.error(...args);
  console.info = (...args: unknown[]) => console.error(...args);
  return () => {
    console.log = log;
    console.info = info;
  };
}

/** The terminal's size (of stdout, else stderr); undefined when neither is a terminal. */
function terminalSize(): { columns: number; rows: number } | undefined {
  try {
    const { columns, rows } = Deno.consoleSize();
    return columns > 0 && rows > 0 ? { columns, rows } : undefined;
  } catch {
    return undefined;
  }
}
