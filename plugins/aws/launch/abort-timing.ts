/**
 * The time bounds of a launch abort (see `abort-launch.ts`), in a module of
 * their own so the `launch` step's definition can name them without loading
 * the AWS SDK.
 * @module
 */

/**
 * Upper bound (seconds, scaled by `settings.timeScale`) of the wait for
 * instances of aborted RunInstances requests to become visible.
 */
export const RECOVERY_WINDOW_SECONDS = 30;
/** Seconds between two recovery lookups. */
export const RECOVERY_POLL_SECONDS = 2;
/**
 * Real seconds the launch step may take to settle after an abort: the
 * recovery window at real speed, plus the lookups and TerminateInstances.
 */
export const LAUNCH_ABORT_GRACE_SECONDS = RECOVERY_WINDOW_SECONDS + 45;
