/**
 * An example team plugin: greets every target. It imports only the public
 * plugin API (`plugins/api.ts`), as a team's own plugin would, and is used by
 * `pipelines/examples/team-plugin.yaml`, which lists it under `plugins:`.
 *
 * It shows the parts of a step plugin: type, description, scope, zod input
 * and output schemas (validated by the runner), the target from the context,
 * a fact declared on `TargetFacts`, a logger, a scaled and cancellable wait (`ctx.sleep` honours the signal),
 * and a fact written on the target for later steps and the journal.
 * @module
 */
import { defineStep, z } from "../../plugins/api.ts";

declare module "../../plugins/api.ts" {
  /** The fact this plugin records on each target. */
  interface TargetFacts {
    /** The greeting said to the target, and when (ISO time). */
    hello?: { said: string; at: string };
  }
}

export default defineStep({
  type: "hello-target",
  description: "Example team plugin: greets each target and notes the greeting in its facts.",
  scope: "target",
  input: z.object({
    greeting: z.string().min(1).default("hello").describe("Word to greet with."),
    pause_seconds: z.number().min(0).default(0).describe(
      "Seconds to wait before greeting (scaled by the run's time scale; stops on Ctrl-C).",
    ),
  }).strict(),
  output: z.object({
    said: z.string().describe("The greeting as logged."),
  }),
  reads: ["target.label", "target.instanceType"],
  writes: ["facts.hello"],
  async run(ctx, input, signal) {
    const target = ctx.target;
    await ctx.sleep(input.pause_seconds, signal);
    const said = `${input.greeting}, ${target.label}` +
      (target.instanceType ? ` (${target.instanceType})` : "");
    ctx.log.info(said);
    target.facts.hello = { said, at: new Date().toISOString() };
    return { said };
  },
});
