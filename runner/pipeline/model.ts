/**
 * The validated pipeline model: what the loader produces and the executor
 * runs. Produced only by `loadPipeline` (runner/pipeline/load.ts) after every
 * check passed.
 * @module
 */
import type { ErrorKind } from "../errors.ts";
import type { StepPlugin } from "../types.ts";
import type { RolloutSpec } from "./rollout.ts";
import type { Position } from "./source-map.ts";

/** Type of a pipeline input. */
export type InputType = "string" | "number" | "integer" | "boolean" | "array" | "object";

/** A declared pipeline input (`inputs.<name>`). */
export interface InputSpec {
  /** Declared type; `--set` values are converted to it. */
  type: InputType;
  /** Element type for arrays (`string`, `number`, `integer`, `boolean`). */
  items?: Exclude<InputType, "array" | "object">;
  /** Default value (already of `type`). */
  default?: unknown;
  /** A run fails validation when a required input has no value. */
  required: boolean;
  /** Secret values are replaced by `***` in every event, journal and report. */
  secret: boolean;
  /** Shown by `--help`-like listings and the README. */
  description?: string;
  /** Allowed values, when restricted. */
  enum?: unknown[];
}

/** Retry policy of a step (`retry:` key, merged over `defaults.retry`). */
export interface RetryPolicy {
  /** Total attempts, >= 1 (1 = no retry). */
  attempts: number;
  /** Delay growth between attempts. */
  backoff: "constant" | "exponential";
  /** First delay, seconds. */
  delaySeconds: number;
  /** Upper bound of any delay, seconds. */
  maxDelaySeconds: number;
  /** Random spread added to each delay, as a fraction of it (0..1). */
  jitter: number;
  /** Error kinds that are retried; `any` retries every kind but `cancelled`. */
  on: ErrorKind[] | "any";
}

/** One validated step. */
export interface StepSpec {
  /** Unique id (defaults to `uses` when unique). */
  id: string;
  /** Step type. */
  uses: string;
  /** Display name. */
  name?: string;
  /** Raw `with:` mapping; strings may hold `${{ }}` expressions, evaluated per run/target. */
  with: Record<string, unknown>;
  /** Condition expression source (with or without `${{ }}`), if any. */
  if?: string;
  /** Runs after failures and after an interrupt. */
  always: boolean;
  /** A failure of this step does not fail the target or the run. */
  continueOnError: boolean;
  /** Timeout, seconds (undefined = none). */
  timeoutSeconds?: number;
  /** Retry policy. */
  retry: RetryPolicy;
  /** The plugin implementing `uses`. */
  plugin: StepPlugin;
  /** 1-based line of the step in the pipeline file. */
  line: number;
  /** Position of each key of `with:` in the pipeline file (for messages about its value). */
  withPositions?: Record<string, Position>;
}

/** A validated pipeline. */
export interface Pipeline {
  /** Absolute path of the pipeline file. */
  file: string;
  /** `name:`. */
  name: string;
  /** `description:`. */
  description?: string;
  /** Declared inputs. */
  inputs: Record<string, InputSpec>;
  /** Targets worked on at once (>= 1). */
  concurrency: number;
  /** `rollout:` as written (batches, max_fail); resolved with `resolveRollout`. */
  rollout?: RolloutSpec;
  /** Steps in file order. */
  steps: StepSpec[];
  /** Absolute `file:` URLs of team plugin modules the pipeline listed. */
  plugins: string[];
}

/** Where a resolved input value came from (shown with `--verbose`). */
export type InputSource = "flag" | "config" | "default" | "simulator";

/** Resolved input values with their origin. */
export interface ResolvedInputs {
  values: Record<string, unknown>;
  sources: Record<string, InputSource>;
  /**
   * How each value given by the user was written, for messages: `--set apply=x`
   * (`--set name=…` for a secret input) or `FILE:LINE` of the `--config` file.
   * Absent for defaults.
   */
  origins?: Record<string, string>;
  /** Names of inputs declared `secret`. */
  secrets: string[];
}

/**
 * What an expression can see.
 * - `inputs.<name>`
 * - `steps.<id>.outputs.<key>`: target outputs first (target steps), then pipeline outputs
 * - `target.<field>`: fields of the current target (id, label, instanceId, instanceType,
 *   address, region, verdict, facts...)
 * - `run.id`
 */
export interface ExpressionScope {
  inputs: Record<string, unknown>;
  steps: Record<string, { outputs: Record<string, unknown> }>;
  target?: Record<string, unknown>;
  run: { id: string };
}
