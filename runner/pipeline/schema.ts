/**
 * The zod schema of the pipeline YAML format (strict: unknown keys are
 * rejected). It checks shapes only; `load.ts` adds the checks that need the
 * registry (step types, `with:` against the plugin, expression references).
 * `json-schema.ts` derives the editor JSON Schema from it.
 * @module
 */
import { z } from "zod";
import { ERROR_KINDS, type ErrorKind } from "../errors.ts";
import { DURATION_FORMS, DURATION_PATTERN, parseDuration } from "../durations.ts";

/** Step ids and input names: usable in expressions (`steps.ena-check`, `inputs.subnet_id`). */
export const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Default `concurrency` (targets worked on at once). */
export const DEFAULT_CONCURRENCY = 4;

/** A duration: seconds as a number, or `500ms`, `5s`, `10m`, `1h30m`. */
function duration(options: { positive: boolean }) {
  return z.union([
    z.number().min(0, { error: `must not be negative; expected ${DURATION_FORMS}` }),
    // The pattern is for editors (JSON Schema); parseDuration below gives the message.
    z.string().meta({ pattern: DURATION_PATTERN }),
  ], { error: `expected ${DURATION_FORMS}` })
    .superRefine((value, ctx) => {
      // A negative number was already reported by the number branch's minimum.
      if (typeof value === "number" && value < 0) return;
      let seconds: number;
      try {
        seconds = parseDuration(value);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return;
      }
      if (options.positive && seconds <= 0) {
        ctx.addIssue({ code: "custom", message: "must be greater than 0" });
      }
    });
}

/** Type names of pipeline inputs. */
export const INPUT_TYPES = ["string", "number", "integer", "boolean", "array", "object"] as const;
/** Element types of array inputs. */
export const INPUT_ITEM_TYPES = ["string", "number", "integer", "boolean"] as const;

/** `inputs.<name>`. */
export const inputSpecSchema = z.strictObject({
  type: z.enum(INPUT_TYPES).describe("Value type; --set values are converted to it."),
  items: z.enum(INPUT_ITEM_TYPES).optional().describe("Element type of an array input."),
  default: z.unknown().optional().describe("Value used when none is given; must match type."),
  required: z.boolean().optional().describe("A run fails validation when no value is given."),
  secret: z.boolean().optional().describe("Value is shown as *** in logs, journal and reports."),
  description: z.string().optional().describe("What the input means."),
  enum: z.array(z.unknown()).min(1).optional().describe("Allowed values (for arrays: elements)."),
}).describe("A typed pipeline input.");

/** `retry:` mapping. */
export const retryObjectSchema = z.strictObject({
  attempts: z.int().min(1).optional().describe("Total attempts, >= 1 (1 = no retry)."),
  backoff: z.enum(["constant", "exponential"]).optional().describe("Delay growth."),
  delay: duration({ positive: false }).optional().describe("First delay (e.g. 5s)."),
  max_delay: duration({ positive: false }).optional().describe("Upper bound of a delay."),
  jitter: z.number().min(0).max(1).optional().describe("Random spread, fraction of the delay."),
  on: z.union([
    z.literal("any"),
    z.array(z.enum(["any", ...ERROR_KINDS] as ["any", ...ErrorKind[]])).min(1),
  ])
    .optional()
    .describe("Error kinds retried, or `any` (every kind but cancelled)."),
});

/** `retry:` as a mapping or the shorthand `retry: 3` (attempts). */
export const retrySchema = z.union([
  z.int().min(1).describe("Total attempts (shorthand)."),
  retryObjectSchema,
], { error: "expected a number of attempts (>= 1) or a mapping {attempts, backoff, delay, ...}" })
  .describe("Retry policy.");

/** One entry of `steps:`. */
export const stepSchema = z.strictObject({
  id: z.string().regex(NAME_PATTERN, {
    error: "must start with a letter or _ and contain only letters, digits, _ and -",
  }).optional().describe("Unique id; defaults to `uses`. Used in steps.<id>.outputs."),
  uses: z.string().min(1).describe("Step type (see `ptp-runner steps`)."),
  name: z.string().optional().describe("Display name."),
  with: z.record(z.string(), z.unknown()).nullable().optional()
    .describe("Inputs of the step type; strings may hold ${{ }} expressions."),
  if: z.union([z.string(), z.boolean()]).optional()
    .describe("Condition, e.g. ${{ steps.ena-check.outputs.needs_build }}."),
  always: z.boolean().optional().describe("Also run after failures and after an interrupt."),
  continue_on_error: z.boolean().optional().describe("A failure does not fail the target/run."),
  timeout: duration({ positive: true }).optional().describe("Per attempt, e.g. 10m."),
  retry: retrySchema.optional(),
}).describe("A step.");

/** `defaults:`. */
export const defaultsSchema = z.strictObject({
  timeout: duration({ positive: true }).optional().describe("Default step timeout."),
  retry: retrySchema.optional(),
}).describe("Defaults for every step.");

/** `rollout:` (runner/rollout.ts); values are checked once inputs are known. */
export const rolloutSchema = z.strictObject({
  batch: z.union([z.int(), z.string()]).optional().describe(
    'Targets started at a time: a count (10) or a percentage of the targets ("10%"); ' +
      "or ${{ inputs.<name> }}. Default: all at once (up to concurrency).",
  ),
  max_fail: z.union([z.number(), z.string()]).optional().describe(
    'Percentage of failed targets among those attempted ("10%") that, once exceeded, ' +
      "stops starting batches; or ${{ inputs.<name> }}. Default: never stop.",
  ),
}).describe("A rollout in batches (Ansible's serial and max_fail_percentage).");

/** The whole pipeline file. */
export const pipelineSchema = z.strictObject({
  name: z.string().min(1).describe("Pipeline name."),
  description: z.string().optional().describe("What the pipeline does."),
  inputs: z.record(
    z.string().regex(NAME_PATTERN, {
      error: "input names must start with a letter or _ and contain only letters, digits, _, -",
    }),
    inputSpecSchema,
  ).optional().describe("Typed parameters; --set name=value and --config FILE override."),
  concurrency: z.int().min(1).optional().describe(
    `Targets worked on at once (default ${DEFAULT_CONCURRENCY}).`,
  ),
  rollout: rolloutSchema.optional(),
  defaults: defaultsSchema.optional(),
  plugins: z.array(z.string().min(1)).optional()
    .describe("Team plugin modules, paths relative to this file."),
  steps: z.array(stepSchema).min(1).describe("Steps in order."),
}).describe("A ptp-runner pipeline.");

/** The raw (unvalidated-by-registry) shape of a pipeline file. */
export type PipelineDocument = z.infer<typeof pipelineSchema>;
/** The raw shape of `retry:`. */
export type RetryDocument = z.infer<typeof retrySchema>;
