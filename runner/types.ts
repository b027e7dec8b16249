/**
 * The runner's contracts: step plugins, the shared run context, targets,
 * events and the run journal. The runner knows nothing of AWS, SSH or PTP;
 * everything domain-specific lives in `steps/` and `plugins/`.
 *
 * Team plugins import these types through `plugins/api.ts`.
 * @module
 */
import type { z } from "zod";
import type { RecapCounts } from "./recap.ts";

/** Where a step runs: once per run (`pipeline`) or once per target (`target`). */
export type StepScope = "pipeline" | "target";

/**
 * Facts steps record on a target, keyed by the plugin that owns them (`ena`,
 * `phc`, `chrony`, ...). Empty here: each plugin adds its keys by
 * declaration merging, so `ctx.target.facts.ena` is typed and a misspelt
 * fact is a type error:
 *
 * ```ts
 * declare module "../plugins/api.ts" {
 *   interface TargetFacts { hello?: { said: string } }
 * }
 * ```
 *
 * Every key must be optional (a fact exists only once a step wrote it) and
 * JSON-compatible (facts are stored in the run journal).
 */
// deno-lint-ignore no-empty-interface
export interface TargetFacts {}

/** `facts.<key>` and `facts.<key>.<field>` for every declared fact. */
type FactKey = {
  [K in keyof TargetFacts & string]:
    | `facts.${K}`
    | `facts.${K}.${keyof NonNullable<TargetFacts[K]> & string}`;
}[keyof TargetFacts & string];

/**
 * A part of the shared context a step reads or writes, as `reads`/`writes`
 * name it: a target field, a declared fact (or one of its fields), a run
 * setting, the target list, or a journal key, service, pipeline output or
 * file the step owns.
 */
export type ContextKey =
  | "targets"
  | `target.${keyof Target & string}`
  | FactKey
  | `settings.${keyof RunSettings & string}`
  | `journal.${string}`
  | `services.${string}`
  | `outputs.${string}`
  | `files.${string}`;

/**
 * One step's `with:` values that are known before the run (literals, and
 * values that read only the pipeline's inputs, evaluated): what a step's
 * `checkBeforeRun` sees of itself and of the other steps.
 */
export interface KnownStepWith {
  /** 0-based position in the pipeline (`steps[index]` in messages). */
  index: number;
  /** Step id. */
  id: string;
  /** Step type (`uses:`). */
  uses: string;
  /** Values by key, as written or evaluated (not yet through the step's schema: no defaults). */
  values: Record<string, unknown>;
  /** Per input-bound key, the inputs it came from, e.g. `input "hosts" (from --set)`. */
  from: Record<string, string>;
}

/** What a step's `checkBeforeRun` sees besides its own values. */
export interface PreRunContext {
  /** Every step's values known before the run, in pipeline order (its own included). */
  steps: readonly KnownStepWith[];
  /** The run's settings (flags such as `--yes`); absent under `validate`, which has none. */
  settings?: RunSettings;
}

/** A problem a step's `checkBeforeRun` found, under one of its own `with:` keys. */
export interface PreRunProblem {
  /** Key under the step's `with:`, e.g. `transport`. */
  key: string;
  /** What is wrong and what would be right. */
  message: string;
}

/** What every step plugin declares, whatever its scope. */
interface StepPluginBase<I extends z.ZodType, O extends z.ZodType> {
  /** Step type name used in `uses:`, e.g. `ena-check`. Lower-case, dash-separated. */
  readonly type: string;
  /** One line shown by `ptp-runner steps`. */
  readonly description: string;
  /** Schema of the step's `with:` mapping (after expressions are evaluated). */
  readonly input: I;
  /** Schema of the value `run` resolves to; stored as `steps.<id>.outputs`. */
  readonly output: O;
  /** Parts of the context the step reads, e.g. `target.address`, `facts.ena.interface`. */
  readonly reads?: readonly ContextKey[];
  /** Parts of the context the step writes. */
  readonly writes?: readonly ContextKey[];
  /**
   * Real seconds the step may take to settle after its signal aborted before
   * it is abandoned (default: the executor's, 2 s). A step that must release
   * what it created on abort (the launch) asks for more.
   */
  readonly abortGraceSeconds?: number;
  /**
   * Checks before the run starts (exit 2, nothing created, no journal) of
   * the step's `with:` values known then: literals, and values that read only
   * `inputs.*`, evaluated (a key reading a step's outputs is absent: the run
   * checks it then). They may look at the other steps' values (e.g. `connect`
   * with transport ssm refuses targets that `existing-hosts` gives by address)
   * and at the run's settings (e.g. `launch`: a count over `--max-instances`).
   * Not called for a step with `if:` (it may not run at all).
   * @returns one problem per bad key (`key` as in `with:`); empty when all fit
   */
  readonly checkBeforeRun?: (own: KnownStepWith, context: PreRunContext) => PreRunProblem[];
}

/**
 * A step that runs once per target: `ctx.target` is the target.
 * `run` must honour `signal`: stop promptly when it aborts (remote commands
 * killed, AWS calls cancelled) and throw the signal's reason. What it throws
 * is kept (stack and all) on the step's failure event.
 */
export interface TargetStepPlugin<
  I extends z.ZodType = z.ZodType,
  O extends z.ZodType = z.ZodType,
> extends StepPluginBase<I, O> {
  readonly scope: "target";
  run(ctx: TargetStepContext, input: z.output<I>, signal: AbortSignal): Promise<z.input<O>>;
}

/** A step that runs once per run: there is no `ctx.target`. Otherwise as {@link TargetStepPlugin}. */
export interface PipelineStepPlugin<
  I extends z.ZodType = z.ZodType,
  O extends z.ZodType = z.ZodType,
> extends StepPluginBase<I, O> {
  readonly scope: "pipeline";
  run(ctx: PipelineStepContext, input: z.output<I>, signal: AbortSignal): Promise<z.input<O>>;
}

/**
 * A step plugin: one step type of the pipeline format. The registry validates
 * the step's `with:` mapping against `input` before the run and the value
 * returned by `run` against `output` after it.
 */
export type StepPlugin<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> =
  | TargetStepPlugin<I, O>
  | PipelineStepPlugin<I, O>;

/** Verdict a target reaches. `error` is set by the runner when a step failed. */
export type Verdict = "functional" | "unsupported" | "misconfigured" | "error";

/** Lifecycle of a target inside a run. */
export type TargetStatus =
  | "pending"
  | "running"
  | "done"
  | "failed"
  | "skipped"
  | "cancelled"
  /** A rollout stopped on `max_fail` before the target's batch started (runner/rollout.ts). */
  | "not-attempted";

/** A failure recorded on a target or a step. */
export interface FailureRecord {
  /** Step id that failed. */
  stepId: string;
  /** Step type that failed. */
  stepType: string;
  /** Error kind, see {@link ErrorKind}. */
  kind: string;
  /** Human-readable message (already redacted). */
  message: string;
  /** Stack of the thrown error with its causes (redacted), when it was an `Error`. */
  stack?: string;
}

/**
 * One thing the pipeline works on: usually an EC2 instance, or an existing host.
 * Serialised into the run journal, so every field must be JSON-compatible.
 */
export interface Target {
  /** Stable id inside the run, e.g. `c7i.large-1`. */
  id: string;
  /** Display label, e.g. `c7i.large 1 of 2`. */
  label: string;
  /** Current status; target steps only run while `pending`/`running`. */
  status: TargetStatus;
  /** EC2 instance id when the target is an instance. */
  instanceId?: string;
  /** EC2 instance type, e.g. `c7i.large`. */
  instanceType?: string;
  /** AWS region of the instance. */
  region?: string;
  /** Architecture expected from `DescribeInstanceTypes` (`x86_64` | `arm64`). */
  expectedArchitecture?: string;
  /** Address to reach the host over SSH (IP or host name). */
  address?: string;
  /** SSH port; undefined means the connect step's default. */
  port?: number;
  /** SSH user; undefined means the connect step's default (`ec2-user`). */
  user?: string;
  /** Placement group name the instance was launched into. */
  placementGroup?: string;
  /** Whether the tool launched it (and so may terminate it). */
  launchedByRun: boolean;
  /** Facts steps found, keyed by the plugin that declared them (see {@link TargetFacts}). */
  facts: TargetFacts;
  /** Outputs of target-scope steps, by step id. */
  outputs: Record<string, Record<string, unknown>>;
  /** Verdict once reached. */
  verdict?: Verdict;
  /** Why the verdict is what it is (one line). */
  verdictReason?: string;
  /** Diagnostics: raw outputs that show why the target is not functional. */
  diagnostics: Diagnostic[];
  /** First failure that stopped this target. */
  failure?: FailureRecord;
  /** Warnings for the report. */
  warnings: string[];
}

/** A diagnosis: which layer failed and the raw output that showed it. */
export interface Diagnostic {
  /** Layer, e.g. `hardware`, `driver`, `udev`, `chrony`, `service`, `package`, `build`. */
  layer: string;
  /** One-line summary. */
  summary: string;
  /** Command that produced the evidence, if any. */
  command?: string;
  /** Raw output quoted as evidence (trimmed). */
  output?: string;
}

/** Fields a step gives when creating a target; the runner fills the rest. */
export type TargetInit =
  & Pick<Target, "id" | "label">
  & Partial<Omit<Target, "id" | "label" | "facts" | "outputs" | "diagnostics" | "warnings">>
  & { facts?: TargetFacts };

/**
 * A cloud resource the run created, recorded in the journal the moment it
 * exists so `cleanup --run` and `sweep` can find it after a crash.
 */
export interface ResourceRecord {
  /** Kind, e.g. `ec2-instance`, `placement-group`. */
  kind: string;
  /** Provider id, e.g. `i-0abc...`. */
  id: string;
  /** Region it lives in. */
  region?: string;
  /** `created` until released; `kept` when the user chose to keep it. */
  state: "created" | "released" | "kept" | "release-failed";
  /** Target id it belongs to, if any. */
  targetId?: string;
  /** Copy-paste command that releases it by hand (shown when it may be left behind). */
  releaseCommand?: string;
  /** ISO time it was recorded. */
  createdAt: string;
  /** Extra attributes (instance type, group name, ...). */
  detail?: Record<string, unknown>;
}

/** Severity of a log event. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Every state change of a run, consumed by the console renderer and the JSON Lines writer. */
export type RunEvent =
  & { /** ISO timestamp. */ time: string; /** Run id. */ runId: string }
  & (
    | { type: "run-started"; pipeline: string; file: string; inputs: Record<string, unknown> }
    | { type: "run-finished"; exitCode: number; durationMs: number; interrupted: boolean }
    | {
      type: "step-started";
      stepId: string;
      stepType: string;
      /** The step's `name:`, when it has one (shown instead of the id). */
      stepName?: string;
      targetId?: string;
      attempt: number;
    }
    | {
      type: "step-retry";
      stepId: string;
      stepType: string;
      targetId?: string;
      attempt: number;
      delayMs: number;
      error: string;
    }
    | {
      type: "step-finished";
      stepId: string;
      stepType: string;
      targetId?: string;
      status: "ok" | "failed" | "cancelled";
      durationMs: number;
      changed?: boolean;
      error?: string;
      errorKind?: string;
      /** Stack of the thrown error with its causes, when it was an `Error`. */
      stack?: string;
    }
    | { type: "step-skipped"; stepId: string; stepType: string; targetId?: string; reason: string }
    | {
      type: "target-added";
      targetId: string;
      label: string;
      /** EC2 instance type, when the target is an instance. */
      instanceType?: string;
    }
    | {
      type: "target-finished";
      targetId: string;
      label: string;
      status: TargetStatus;
      verdict?: Verdict;
      reason?: string;
    }
    | {
      type: "command";
      targetId?: string;
      stepId?: string;
      command: string;
      exitCode: number | null;
      signal?: string;
      durationMs: number;
    }
    | {
      type: "aws-call";
      stepId?: string;
      service: string;
      operation: string;
      region?: string;
      durationMs: number;
      error?: string;
    }
    | { type: "resource"; resource: ResourceRecord }
    | {
      type: "log";
      level: LogLevel;
      message: string;
      stepId?: string;
      targetId?: string;
      data?: Record<string, unknown>;
    }
  );

/** A run event before the bus stamps `time` and `runId`. */
export type RunEventInput = RunEvent extends infer E
  ? E extends RunEvent ? Omit<E, "time" | "runId"> : never
  : never;

/** Structured logger bound to a step (and target); messages become `log` events. */
export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

/**
 * Settings of this invocation that are not pipeline inputs: CLI flags and the
 * environment the run operates in.
 */
export interface RunSettings {
  /** `--yes`: skip confirmations. */
  yes: boolean;
  /** True when stdin and stdout are TTYs and `CI` is unset: prompts allowed. */
  interactive: boolean;
  /** `--dry-run`: preflight only, create nothing. */
  dryRun: boolean;
  /** `--keep`: `none` | `all` | `functional` | comma-separated instance ids; undefined = ask or none. */
  keep?: string;
  /** `--region`. */
  region?: string;
  /** `--profile`. */
  profile?: string;
  /** `--no-redact` gives false. */
  redact: boolean;
  /**
   * Factor applied to every wait the steps and the runner make (poll
   * intervals, backoff, retry delays). 1 in real runs; small under `--simulate`.
   */
  timeScale: number;
  /**
   * `--simulate`: AWS and the hosts are the simulator inside this process,
   * which stops, with every instance in it, when the run ends (so nothing of
   * the run is left to terminate by hand). Unset otherwise, also against a
   * `ptp-runner sim` started on its own, whose instances outlive the run.
   */
  simulated?: boolean;
  /** Extra AWS client config (e.g. `endpoint`), set by `--simulate`. */
  aws: { endpoint?: string };
  /** Default SSH port for targets without one (22 unless `PTP_RUNNER_SSH_PORT` or `--simulate`). */
  sshPort?: number;
  /** Directory the run writes under (journal, reports); defaults to the current directory. */
  workDir: string;
  /** `--max-instances`: most instances the launch starts per instance type (default 50). */
  maxInstancesPerType?: number;
  /** `--report-dir`: where the report files go (default `<workDir>/reports/<run-id>/`). */
  reportDir?: string;
  /**
   * `--fail-on`: verdicts that fail the run besides `misconfigured`, `error`
   * and no verdict (exit 1); today only `unsupported`. Default none.
   */
  failOn?: readonly "unsupported"[];
}

/** Lazily created shared services (AWS clients, SSH connector), disposed at run end. */
export interface ServiceRegistry {
  /**
   * Returns the service stored under `key`, creating it with `create` on first
   * use. A service with a `close()` or `[Symbol.asyncDispose]()` method is
   * closed when the run ends; one whose key ends with `:<target id>` belongs
   * to that target and is closed as soon as the target finishes (e.g. its SSH
   * session), so a large fleet does not hold every connection to the end.
   */
  get<T>(key: string, create: () => T | Promise<T>): Promise<T>;
}

/** What the run journal offers steps. Every call persists the journal atomically. */
export interface JournalApi {
  /** Records (or updates by kind+id) a created resource. Persists before returning. */
  recordResource(
    resource: Omit<ResourceRecord, "createdAt"> & { createdAt?: string },
  ): Promise<void>;
  /** Marks a resource's new state. */
  updateResource(kind: string, id: string, state: ResourceRecord["state"]): Promise<void>;
  /** Resources recorded so far. */
  resources(): readonly ResourceRecord[];
  /** Stores a JSON value under `key` in the journal (e.g. trusted SSH host keys). */
  put(key: string, value: unknown): Promise<void>;
  /** Reads a value stored with `put`. */
  get(key: string): unknown;
  /** Directory of this run's journal, `.ptp-runner/runs/<run-id>/`. */
  readonly dir: string;
}

/** What every step context offers, whatever the step's scope. */
export interface StepContextBase {
  /** Run id, e.g. `20261129-101500-ab12`. */
  readonly runId: string;
  /** Pipeline name. */
  readonly pipelineName: string;
  /** Resolved pipeline inputs. */
  readonly inputs: Readonly<Record<string, unknown>>;
  /** Id and type of the running step. */
  readonly step: { id: string; type: string };
  /** Outputs of earlier pipeline-scope steps by id (target outputs are on the target). */
  readonly outputs: Readonly<Record<string, Record<string, unknown>>>;
  /** All targets of the run, in creation order. */
  readonly targets: readonly Target[];
  /** Adds targets (e.g. launch adds one per instance). Ids must be unique. */
  addTargets(targets: TargetInit[]): Target[];
  /** Logger bound to this step and target. */
  readonly log: Logger;
  /** Emits a raw event (command, aws-call, ...); the bus stamps time and run id. */
  emit(event: RunEventInput): void;
  /** Marks a string as secret: it is replaced by `***` in every event and file. */
  addSecret(value: string): void;
  /**
   * A deep copy of `value` with every secret (in all its quoted, encoded and
   * escaped forms) and private key block replaced by `***`: for what a step
   * writes itself (report files, console summaries). Absent in contexts that
   * know no secrets (recovery commands, unit-test contexts): use `value` as is.
   */
  redact?<T>(value: T): T;
  /**
   * The run's IP address redactor (one numbering per run, shared with the
   * console and JSON Lines log: `[IPv4-1]` names the same address there and in
   * what a step writes with it). Applies whatever `settings.redact` says: the
   * caller checks it. Absent in contexts not made by the executor.
   */
  redactAddresses?(text: string): string;
  /** Shared services. */
  readonly services: ServiceRegistry;
  /** The run journal. */
  readonly journal: JournalApi;
  /** Invocation settings. */
  readonly settings: RunSettings;
  /**
   * Waits `seconds` × `settings.timeScale`; rejects with the signal's reason
   * when `signal` aborts.
   */
  sleep(seconds: number, signal?: AbortSignal): Promise<void>;
  /** Runs `fn` with the live console view paused (for interactive prompts). */
  withConsole<T>(fn: () => Promise<T>): Promise<T>;
  /** True once the run was interrupted (Ctrl-C / SIGTERM); `always` steps should be brief. */
  readonly interrupted: boolean;
  /**
   * Failures of pipeline-scope steps that failed the run so far (e.g. launch),
   * redacted; absent in contexts not made by the executor (unit tests).
   */
  readonly runFailures?: readonly FailureRecord[];
  /** Step counts so far per target and for pipeline steps (see runner/recap.ts). */
  recap?(): RecapCounts;
}

/**
 * A step context of either scope; helpers that serve both take this. A
 * step's `run` gets the narrower {@link TargetStepContext} or
 * {@link PipelineStepContext}.
 */
export interface StepContext extends StepContextBase {
  /** The target being worked on (target-scope steps only). */
  readonly target?: Target;
}

/** The context of a target-scope step: `target` is the target being worked on. */
export interface TargetStepContext extends StepContextBase {
  /** The target this run of the step works on. */
  readonly target: Target;
}

/** The context of a pipeline-scope step: it has no `target`. */
export type PipelineStepContext = StepContextBase;
