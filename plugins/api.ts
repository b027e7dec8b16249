/**
 * The public plugin API. A team's step plugin imports only this module:
 *
 * ```ts
 * import { defineStep, z } from "../plugins/api.ts";
 *
 * declare module "../plugins/api.ts" {
 *   interface TargetFacts {
 *     hello?: { said: string };
 *   }
 * }
 *
 * export default defineStep({
 *   type: "hello",
 *   description: "Say hello to each target",
 *   scope: "target",
 *   input: z.object({ greeting: z.string().default("hello") }),
 *   output: z.object({ said: z.string() }),
 *   writes: ["facts.hello"],
 *   async run(ctx, input) {
 *     ctx.log.info(`${input.greeting} ${ctx.target.label}`);
 *     ctx.target.facts.hello = { said: input.greeting };
 *     return { said: input.greeting };
 *   },
 * });
 * ```
 *
 * In a `scope: "target"` step `ctx.target` is the target; in a
 * `scope: "pipeline"` step there is none. Facts are declared by merging into
 * {@link TargetFacts}; `reads`/`writes` are checked against the declared
 * facts and the target's fields. A plugin module must export the plugin as
 * its default export (or as a named export `plugin`).
 * @module
 */
import { z } from "zod";
import type { PipelineStepPlugin, StepPlugin, TargetStepPlugin } from "../runner/types.ts";

export { z };
export type {
  ContextKey,
  Diagnostic,
  JournalApi,
  KnownStepWith,
  Logger,
  PipelineStepContext,
  PipelineStepPlugin,
  PreRunContext,
  PreRunProblem,
  ResourceRecord,
  RunEvent,
  RunSettings,
  ServiceRegistry,
  StepContext,
  StepPlugin,
  StepScope,
  Target,
  TargetFacts,
  TargetInit,
  TargetStepContext,
  TargetStepPlugin,
  Verdict,
} from "../runner/types.ts";
export { type ErrorKind, StepError } from "../runner/errors.ts";
export { durationSeconds } from "../runner/duration-input.ts";
export { shellFor } from "./ssh/shell-registry.ts";
export type { CommandResult, RemoteShell, RunOptions } from "./ssh/types.ts";

/**
 * Declares a step plugin with full type inference of `input` and `output`;
 * `scope` decides the context `run` receives (`ctx.target` is a `Target` in a
 * target-scope step and absent in a pipeline-scope one). Returns the same
 * object; the registry checks it when loaded.
 */
export function defineStep<I extends z.ZodType, O extends z.ZodType>(
  plugin: TargetStepPlugin<I, O>,
): TargetStepPlugin<I, O>;
export function defineStep<I extends z.ZodType, O extends z.ZodType>(
  plugin: PipelineStepPlugin<I, O>,
): PipelineStepPlugin<I, O>;
export function defineStep(plugin: StepPlugin): StepPlugin {
  return plugin;
}
