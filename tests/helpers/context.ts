/**
 * A minimal in-memory {@link StepContext} for unit tests of step plugins,
 * recording events and resources. Not used by production code.
 * @module
 */
import { memoryJournal } from "../../runner/memory-journal.ts";
import type {
  PipelineStepContext,
  RunEventInput,
  RunSettings,
  StepContext,
  Target,
  TargetInit,
  TargetStepContext,
} from "../../runner/types.ts";
import { tempDirSync } from "./temp.ts";

/** A test context plus what it recorded. */
export interface TestContext extends StepContext {
  /** Events emitted (logs included, as `log` events). */
  events: RunEventInput[];
  /** Services by key; pre-seed to inject fakes (e.g. a RemoteShell). */
  serviceMap: Map<string, unknown>;
  /** Journal key/values stored with `put`. */
  journalValues: Map<string, unknown>;
}

/** Creates a target with empty facts/outputs. */
export function makeTarget(init: TargetInit): Target {
  return {
    status: "running",
    launchedByRun: false,
    diagnostics: [],
    warnings: [],
    outputs: {},
    ...init,
    facts: init.facts ?? {},
  } as Target;
}

/** Default settings for tests: non-interactive, no waits. */
export function testSettings(overrides: Partial<RunSettings> = {}): RunSettings {
  return {
    yes: true,
    interactive: false,
    dryRun: false,
    redact: true,
    timeScale: 0,
    aws: {},
    workDir: tempDirSync("ptp-test-"),
    ...overrides,
  };
}

/** A test context of a target-scope step. */
export type TargetTestContext = TestContext & TargetStepContext;
/** A test context of a pipeline-scope step. */
export type PipelineTestContext = TestContext & PipelineStepContext;

/** Options of {@link makeTestContext}. */
export interface TestContextOptions {
  step?: { id: string; type: string };
  inputs?: Record<string, unknown>;
  target?: Target;
  targets?: Target[];
  settings?: Partial<RunSettings>;
  outputs?: Record<string, Record<string, unknown>>;
  services?: Record<string, unknown>;
}

/** Builds a test context. `target` makes it a target-scope context. */
export function makeTestContext(
  options: TestContextOptions & { target: Target },
): TargetTestContext;
export function makeTestContext(
  options?: TestContextOptions & { target?: undefined },
): PipelineTestContext;
export function makeTestContext(options?: TestContextOptions): TestContext;
export function makeTestContext(options: TestContextOptions = {}): TestContext {
  const events: RunEventInput[] = [];
  const serviceMap = new Map<string, unknown>(Object.entries(options.services ?? {}));
  const targets: Target[] = options.targets ?? (options.target ? [options.target] : []);
  const step = options.step ?? { id: "test", type: "test" };
  const settings = testSettings(options.settings);
  const log =
    (level: "debug" | "info" | "warn" | "error") =>
    (message: string, data?: Record<string, unknown>) =>
      events.push({
        type: "log",
        level,
        message,
        stepId: step.id,
        targetId: options.target?.id,
        data,
      });
  const journal = memoryJournal(settings.workDir);
  const journalValues = journal.values;
  return {
    runId: "test-run",
    pipelineName: "test",
    inputs: options.inputs ?? {},
    step,
    outputs: options.outputs ?? {},
    target: options.target,
    targets,
    addTargets(inits: TargetInit[]) {
      const made = inits.map(makeTarget);
      targets.push(...made);
      return made;
    },
    log: { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") },
    emit: (e) => events.push(e),
    addSecret: () => {},
    services: {
      async get<T>(key: string, create: () => T | Promise<T>): Promise<T> {
        if (!serviceMap.has(key)) serviceMap.set(key, await create());
        return serviceMap.get(key) as T;
      },
    },
    journal,
    settings,
    sleep: (_s: number, signal?: AbortSignal) =>
      signal?.aborted ? Promise.reject(signal.reason) : Promise.resolve(),
    withConsole: (fn) => fn(),
    interrupted: false,
    events,
    serviceMap,
    journalValues,
  };
}
