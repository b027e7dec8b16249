/**
 * The report sections the `report` and `cleanup` steps return (their output
 * schemas): target counts and what cleanup did. Part of the report model
 * (`model.ts` re-exports them), in a module of their own so the step
 * definitions do not build the whole report schema at start-up.
 * @module
 */
import { z } from "zod";

/**
 * Counts of targets per verdict. `cancelled` defaults to 0 so reports written
 * before it existed still read.
 */
export const CountsSchema = z.object({
  total: z.number().int().nonnegative(),
  functional: z.number().int().nonnegative(),
  unsupported: z.number().int().nonnegative(),
  misconfigured: z.number().int().nonnegative(),
  error: z.number().int().nonnegative(),
  cancelled: z.number().int().nonnegative().default(0).describe(
    "Targets with no verdict because the run was interrupted",
  ),
  not_attempted: z.number().int().nonnegative().default(0).describe(
    "Targets a rollout that stopped on max_fail never started",
  ),
  none: z.number().int().nonnegative(),
}).strict();

/** An instance in the cleanup section. */
export const CleanupInstanceSchema = z.object({
  instance_id: z.string(),
  target_id: z.string().nullable(),
  label: z.string().nullable(),
  instance_type: z.string().nullable(),
  region: z.string().nullable(),
  /** Seconds from running to terminated, as the run saw them (terminated instances it launched). */
  billed_seconds: z.number().optional(),
}).strict();

/** What cleanup did (added by `recordCleanupInReport` after the report was written). */
export const CleanupSectionSchema = z.object({
  terminated: z.array(CleanupInstanceSchema),
  kept: z.array(CleanupInstanceSchema),
  failed: z.array(
    CleanupInstanceSchema.extend({ error: z.string(), command: z.string() }).strict(),
  ),
  placement_groups_deleted: z.array(z.string()),
  placement_groups_failed: z.array(
    z.object({ name: z.string(), error: z.string(), command: z.string() }).strict(),
  ),
  /** Sum of the terminated instances' `billed_seconds` (absent when none is known). */
  billed_seconds_total: z.number().optional(),
  /** True in a `--simulate` run: its instances (kept ones too) ended with the simulator. */
  simulated: z.boolean().optional().describe(
    "True in a --simulate run: its instances, kept ones too, ended with the in-process simulator",
  ),
}).strict();
