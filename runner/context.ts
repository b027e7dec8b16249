/**
 * Builds the {@link StepContext} each step receives: a logger bound to the
 * step (and target), target creation, events, secrets, services, the journal,
 * scaled sleeps and console access.
 * @module
 */
import { StepError } from "./errors.ts";
import type { EventBus } from "./events.ts";

import { scaledSleep } from "./retry.ts";
import type { RecapCounts } from "./recap.ts";
import type {
  FailureRecord,
  JournalApi,
  Logger,
  LogLevel,
  RunSettings,
  ServiceRegistry,
  StepContext,
  Target,
  TargetInit,
} from "./types.ts";

/** Something that can pause the live console view while `fn` runs (prompts). */
export interface ConsoleAccess {
  withConsole<T>(fn: () => Promise<T>): Promise<T>;
}

/** The run-wide state every step context is a view of. Owned by the executor. */
export interface RunRuntime {
  readonly runId: string;
  readonly pipelineName: string;
  /** Resolved input values (real values; events redact secret ones). */
  readonly inputs: Readonly<Record<string, unknown>>;
  /** Pipeline-scope step outputs by step id (mutated by the executor). */
  readonly outputs: Record<string, Record<string, unknown>>;
  /** Every target, in creation order (mutated by `addTargets`). */
  readonly targets: Target[];
  readonly bus: EventBus;
  readonly services: ServiceRegistry;
  readonly journal: JournalApi;
  readonly settings: RunSettings;
  /** Console to pause for prompts; absent means `fn` simply runs. */
  readonly console?: ConsoleAccess;
  /** True once the run was interrupted. */
  isInterrupted(): boolean;
  /** Called after targets were added (the executor persists the journal). */
  onTargetsAdded?(targets: Target[]): void;
  /** Failures of pipeline-scope steps that failed the run so far. */
  readonly runFailures?: readonly FailureRecord[];
  /** Step counts so far (see ./recap.ts). */
  recap?(): RecapCounts;
}

/**
 * Builds a target from what a step gave: status `pending`, `launchedByRun`
 * false, empty facts/outputs/diagnostics/warnings unless given.
 */
export function newTarget(init: TargetInit): Target {
  return {
    status: "pending",
    launchedByRun: false,
    ...init,
    facts: init.facts ?? {},
    outputs: {},
    diagnostics: [],
    warnings: [],
  };
}

/** A logger whose messages become `log` events of `step` (and `targetId`). */
export function stepLogger(bus: EventBus, stepId?: string, targetId?: string): Logger {
  const at = (level: LogLevel) => (message: string, data?: Record<string, unknown>) => {
    bus.emit({
      type: "log",
      level,
      message,
      ...(stepId === undefined ? {} : { stepId }),
      ...(targetId === undefined ? {} : { targetId }),
      ...(data === undefined ? {} : { data }),
    });
  };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/**
 * Wraps the run journal so every `recordResource`/`updateResource` also
 * emits a `resource` event (after the journal persisted it).
 */
export function journalWithEvents(journal: JournalApi, bus: EventBus): JournalApi {
  const emit = (kind: string, id: string) => {
    const resource = journal.resources().find((r) => r.kind === kind && r.id === id);
    if (resource) bus.emit({ type: "resource", resource: { ...resource } });
  };
  return {
    get dir() {
      return journal.dir;
    },
    async recordResource(resource) {
      await journal.recordResource(resource);
      emit(resource.kind, resource.id);
    },
    async updateResource(kind, id, state) {
      await journal.updateResource(kind, id, state);
      emit(kind, id);
    },
    resources: () => journal.resources(),
    put: (key, value) => journal.put(key, value),
    get: (key) => journal.get(key),
  };
}

/**
 * The context of one step run (per target for target-scope steps).
 * `addTargets` throws {@link StepError} kind `internal` when an id is empty,
 * repeated in the call, or already used in the run.
 */
export function createStepContext(
  run: RunRuntime,
  step: { id: string; type: string },
  target?: Target,
): StepContext {
  return {
    runId: run.runId,
    pipelineName: run.pipelineName,
    inputs: run.inputs,
    step: { id: step.id, type: step.type },
    outputs: run.outputs,
    target,
    targets: run.targets,
    addTargets(inits: TargetInit[]): Target[] {
      const seen = new Set(run.targets.map((t) => t.id));
      for (const init of inits) {
        if (!init.id) {
          throw new StepError("internal", `step "${step.id}" added a target without id`);
        }
        if (seen.has(init.id)) {
          throw new StepError(
            "internal",
            `step "${step.id}" added target "${init.id}" but that id is already used`,
          );
        }
        seen.add(init.id);
      }
      const made = inits.map(newTarget);
      run.targets.push(...made);
      for (const t of made) {
        run.bus.emit({
          type: "target-added",
          targetId: t.id,
          label: t.label,
          ...(t.instanceType ? { instanceType: t.instanceType } : {}),
        });
      }
      run.onTargetsAdded?.(made);
      return made;
    },
    log: stepLogger(run.bus, step.id, target?.id),
    emit: (event) => {
      run.bus.emit(event);
    },
    addSecret: (value) => run.bus.addSecret(value),
    redact: (value) => run.bus.redactor.redact(value),
    redactAddresses: (text) => run.bus.addresses.redactText(text),
    services: run.services,
    journal: run.journal,
    settings: run.settings,
    sleep: (seconds, signal) => scaledSleep(seconds, run.settings.timeScale, signal),
    withConsole: (fn) => run.console ? run.console.withConsole(fn) : fn(),
    get interrupted() {
      return run.isInterrupted();
    },
    ...(run.runFailures ? { runFailures: run.runFailures } : {}),
    ...(run.recap ? { recap: run.recap } : {}),
  };
}
