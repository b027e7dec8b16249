/**
 * Benchmark: the runner's overhead per step per target. Prints figures;
 * never fails on a timing.
 * @module
 */
import { z } from "zod";
import { EventBus } from "../runner/events.ts";
import { executePipeline } from "../runner/executor.ts";
import type { Pipeline, RetryPolicy, StepSpec } from "../runner/pipeline/model.ts";
import type { RunSettings, StepPlugin } from "../runner/types.ts";

const ONE_ATTEMPT: RetryPolicy = {
  attempts: 1,
  backoff: "constant",
  delaySeconds: 0,
  maxDelaySeconds: 0,
  jitter: 0,
  on: "any",
};

function settings(workDir: string): RunSettings {
  return {
    yes: true,
    interactive: false,
    dryRun: false,
    redact: true,
    timeScale: 0,
    aws: {},
    workDir,
  };
}

/** A pipeline: one step adding `targets` targets, then `steps` no-op target steps. */
function noopPipeline(targets: number, steps: number): Pipeline {
  const add: StepPlugin = {
    type: "bench-targets",
    description: "adds targets",
    scope: "pipeline",
    input: z.object({}),
    output: z.object({ count: z.number() }),
    run: (ctx) => {
      ctx.addTargets(
        Array.from({ length: targets }, (_, i) => ({ id: `t${i}`, label: `target ${i}` })),
      );
      return Promise.resolve({ count: targets });
    },
  };
  const noop: StepPlugin = {
    type: "bench-noop",
    description: "does nothing",
    scope: "target",
    input: z.object({}),
    output: z.object({ changed: z.boolean() }),
    run: () => Promise.resolve({ changed: false }),
  };
  const spec = (id: string, plugin: StepPlugin): StepSpec => ({
    id,
    uses: plugin.type,
    with: {},
    always: false,
    continueOnError: false,
    retry: ONE_ATTEMPT,
    plugin,
    line: 1,
  });
  return {
    file: "bench.yaml",
    name: "bench",
    inputs: {},
    concurrency: targets,
    plugins: [],
    steps: [
      spec("targets", add),
      ...Array.from({ length: steps }, (_, i) => spec(`noop-${i}`, noop)),
    ],
  };
}

/** Runs the no-op pipeline; returns milliseconds per step-target. */
export async function runnerOverhead(targets = 100, steps = 200): Promise<number> {
  const workDir = await Deno.makeTempDir({ prefix: "ptp-bench-" });
  try {
    const started = performance.now();
    const result = await executePipeline(
      noopPipeline(targets, steps),
      { values: {}, sources: {}, secrets: [] },
      settings(workDir),
      { bus: new EventBus("bench") },
    );
    const elapsed = performance.now() - started;
    if (result.exitCode !== 0) throw new Error(`bench pipeline exited ${result.exitCode}`);
    return elapsed / (targets * steps);
  } finally {
    await Deno.remove(workDir, { recursive: true });
  }
}
