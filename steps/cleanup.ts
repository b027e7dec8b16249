/**
 * The `cleanup` step (pipeline scope; use `always: true`): terminates the
 * run's instances whose PHC is not functional or that never reached a verdict,
 * keeps functional ones per `--keep` (or a multi-select when interactive),
 * deletes a placement group the run created, and fails listing copy-paste AWS
 * CLI commands for anything left behind. The AWS SDK is loaded only in `run`.
 * @module
 */
import { defineStep, durationSeconds, z } from "../plugins/api.ts";
import { CleanupSectionSchema } from "../plugins/report/sections.ts";

/** Input schema of the cleanup step (`with:`). */
export const CleanupInputSchema = z.object({
  /** Upper bound of the wait for `terminated`, seconds. */
  wait_timeout: durationSeconds(300, { positive: true }).describe(
    "Upper bound of the wait for the instances to terminate.",
  ),
}).strict();

/** Parsed `with:` of the cleanup step. */
export type CleanupInput = z.output<typeof CleanupInputSchema>;

/** The cleanup step plugin. */
export default defineStep({
  type: "cleanup",
  description:
    "Terminate the run's instances (keeping functional ones per --keep) and delete its placement group",
  scope: "pipeline",
  input: CleanupInputSchema,
  output: CleanupSectionSchema,
  reads: [
    "targets",
    "journal.resources",
    "journal.aws-account",
    "settings.keep",
    "settings.simulated",
    "settings.yes",
    "settings.interactive",
  ],
  writes: ["journal.resources", "journal.cleanup"],
  async run(ctx, input, signal) {
    const { cleanUpRun } = await import("../plugins/aws/release/clean-up-run.ts");
    const { cleanupSection } = await import("../plugins/report/build.ts");
    return cleanupSection(await cleanUpRun(ctx, input, signal));
  },
});
