/**
 * The public plugin API. A team's step plugin imports only this module:
 *
 * ```ts
 * import { defineStep, z } from "../plugins/api.ts";
 * export default defineStep({
 *   type: "hello",
 *   description: "Say hello to each target",
 *   scope: "target",
 *   input: z.object({ greeting: z.string().default("hello") }),
 *   output: z.object({ said: z.string() }),
 *   async run(ctx, input) {
 *     ctx.log.info(`${input.greeting} ${ctx.target!.label}`);
 *     return { said: input.greeting };
 *   },
 * });
 * ```
 *
 * A plugin module must export the plugin as its default export (or as a named
 * export `plugin`).
 * @module
 */
import { z } from "zod";
import type { StepPlugin } from "../runner/types.ts";

export { z };
export type {
  Diagnostic,
  JournalApi,
  Logger,
  ResourceRecord,
  RunEvent,
  RunSettings,
  ServiceRegistry,
  StepContext,
  StepPlugin,
  StepScope,
  Target,
  TargetInit,
  Verdict,
} from "../runner/types.ts";
export { type ErrorKind, StepError } from "../runner/errors.ts";

/**
 * Declares a step plugin with full type inference of `input` and `output`.
 * Returns the same object; the registry checks it when loaded.
 */
export function defineStep<I extends z.ZodType, O extends z.ZodType>(
  plugin: StepPlugin<I, O>,
): StepPlugin<I, O> {
  return plugin;
}
