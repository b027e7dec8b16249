/**
 * The `cleanup` step (pipeline scope; use `always: true`): terminates the
 * run's instances whose PHC is not functional or that never reached a verdict,
 * keeps functional ones per `--keep` (or a multi-select when interactive),
 * deletes a placement group the run created, and fails listing copy-paste AWS
 * CLI commands for anything left behind. The AWS SDK is loaded only in `run`.
 * @module
 */
import { defineStep, z } from "../plugins/api.ts";

const CleanupInstanceSchema = z.object({
  instanceId: z.string(),
  targetId: z.string().optional(),
  label: z.string().optional(),
  instanceType: z.string().optional(),
  region: z.string().optional(),
});

/** Output schema: the `CleanupOutcome` of plugins/report/cleanup-outcome.ts. */
export const CleanupOutputSchema = z.object({
  terminated: z.array(CleanupInstanceSchema),
  kept: z.array(CleanupInstanceSchema),
  failed: z.array(CleanupInstanceSchema.extend({ error: z.string(), command: z.string() })),
  placementGroupsDeleted: z.array(z.string()),
  placementGroupsFailed: z.array(
    z.object({ name: z.string(), error: z.string(), command: z.string() }),
  ),
});

/** Input schema of the cleanup step (`with:`). */
export const CleanupInputSchema = z.object({
  /** Upper bound of the wait for `terminated`, seconds. */
  wait_timeout: z.coerce.number().positive("wait_timeout is in seconds and must be > 0")
    .default(300),
}).strict();

/** The cleanup step plugin. */
export default defineStep({
  type: "cleanup",
  description:
    "Terminate the run's instances (keeping functional ones per --keep) and delete its placement group",
  scope: "pipeline",
  input: CleanupInputSchema,
  output: CleanupOutputSchema,
  reads: ["targets", "journal.resources", "settings.keep", "settings.interactive"],
  writes: ["journal.resources", "journal.cleanup"],
  async run(ctx, input, signal) {
    const { cleanUpRun } = await import("../plugins/aws/release/clean-up-run.ts");
    return await cleanUpRun(ctx, input, signal);
  },
});
