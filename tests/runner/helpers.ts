/**
 * Builders for executor tests: small test plugins, steps and pipelines made
 * directly as the validated model (no loader involved), and an event recorder.
 * @module
 */
import { z } from "zod";
import { EventBus } from "../../runner/events.ts";
import { type ExecuteOptions, executePipeline, type RunResult } from "../../runner/executor.ts";
import type {
  Pipeline,
  ResolvedInputs,
  RetryPolicy,
  StepSpec,
} from "../../runner/pipeline/model.ts";
import type { RunEvent, StepContext, StepPlugin, StepScope } from "../../runner/types.ts";
import { testSettings } from "../helpers/context.ts";

/** Retry policy of one attempt. */
export const NO_RETRY: RetryPolicy = {
  attempts: 1,
  backoff: "constant",
  delaySeconds: 0,
  maxDelaySeconds: 60,
  jitter: 0,
  on: "any",
};

/** A test plugin whose `run` is given inline; input and output accept any object. */
export function plugin(
  type: string,
  scope: StepScope,
  run: (ctx: StepContext, input: Record<string, unknown>, signal: AbortSignal) => unknown,
  schemas: { input?: z.ZodType; output?: z.ZodType } = {},
): StepPlugin {
  return {
    type,
    description: `test plugin ${type}`,
    scope,
    input: schemas.input ?? z.record(z.string(), z.unknown()),
    output: schemas.output ?? z.record(z.string(), z.unknown()),
    run: async (ctx: StepContext, input: unknown, signal: AbortSignal) =>
      await run(ctx, input as Record<string, unknown>, signal),
  } as StepPlugin;
}

/** A step using `plugin`, with overrides of the model's fields. */
export function step(id: string, p: StepPlugin, over: Partial<StepSpec> = {}): StepSpec {
  return {
    id,
    uses: p.type,
    with: {},
    always: false,
    continueOnError: false,
    retry: NO_RETRY,
    plugin: p,
    line: 1,
    ...over,
  };
}

/** A pipeline of `steps`. */
export function pipeline(steps: StepSpec[], over: Partial<Pipeline> = {}): Pipeline {
  return {
    file: "/tmp/test-pipeline.yaml",
    name: "test",
    inputs: {},
    concurrency: 4,
    steps,
    plugins: [],
    ...over,
  };
}

/** A pipeline step that adds targets `ids` (label `<id> label`). */
export function addTargetsStep(ids: string[], id = "add"): StepSpec {
  return step(
    id,
    plugin("add-targets", "pipeline", (ctx) => {
      ctx.addTargets(ids.map((t) => ({ id: t, label: `${t} label` })));
      return { count: ids.length };
    }),
  );
}

/** Runs the pipeline, recording every event the bus emitted. */
export async function runRecorded(
  p: Pipeline,
  options: ExecuteOptions & { inputs?: Partial<ResolvedInputs>; workDir?: string } = {},
): Promise<{ result: RunResult; events: RunEvent[]; workDir: string }> {
  const events: RunEvent[] = [];
  // As `ptp-runner run --resume` makes it: a resumed run's bus goes on with its numbering.
  const bus = options.bus ??
    new EventBus(options.runId ?? "20260101-000000-test", {
      addressNames: options.resume?.addressNames,
    });
  bus.subscribe((e) => events.push(e));
  const settings = testSettings(options.workDir ? { workDir: options.workDir } : {});
  const inputs: ResolvedInputs = { values: {}, sources: {}, secrets: [], ...options.inputs };
  const result = await executePipeline(p, inputs, settings, { ...options, bus });
  return { result, events, workDir: settings.workDir };
}

/** `stepId@targetId:type` keys of step events, in order, for ordering assertions. */
export function trace(
  events: RunEvent[],
  types: RunEvent["type"][] = ["step-started", "step-finished"],
): string[] {
  return events.filter((e) => types.includes(e.type)).map((e) => {
    const x = e as { stepId?: string; targetId?: string; type: string };
    const kind = x.type === "step-started" ? "start" : x.type === "step-finished" ? "end" : x.type;
    return `${kind}:${x.stepId}${x.targetId ? `@${x.targetId}` : ""}`;
  });
}

/** A promise with its resolve function. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
