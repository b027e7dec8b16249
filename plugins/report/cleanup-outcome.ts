/**
 * What the cleanup step did, in the shape the report records it. The cleanup
 * step stores it under the journal key {@link CLEANUP_JOURNAL_KEY} and passes
 * it to the report writer, which adds a "kept / terminated" section to the
 * report files written earlier in the run.
 * @module
 */

/** Journal key under which cleanup stores its {@link CleanupOutcome}. */
export const CLEANUP_JOURNAL_KEY = "cleanup";

/** One instance cleanup dealt with. */
export interface CleanupInstance {
  instanceId: string;
  /** Target id and label, when the instance belonged to a target of this run. */
  targetId?: string;
  label?: string;
  instanceType?: string;
  region?: string;
  /**
   * Billed time of a terminated instance: seconds from when `launch` saw it
   * running to when its termination was confirmed (as this run saw them).
   */
  billedSeconds?: number;
}

/** Result of the cleanup step. */
export interface CleanupOutcome {
  /** Instances terminated (and confirmed `terminated`). */
  terminated: CleanupInstance[];
  /** Instances kept running on the user's choice. */
  kept: CleanupInstance[];
  /** Instances that could not be terminated: error and a copy-paste AWS CLI command. */
  failed: (CleanupInstance & { error: string; command: string })[];
  /** Placement groups the run created and deleted. */
  placementGroupsDeleted: string[];
  /** Placement groups that could not be deleted, with a copy-paste command. */
  placementGroupsFailed: { name: string; error: string; command: string }[];
  /**
   * True in a `--simulate` run: the instances are the in-process simulator's
   * and end with it, so a kept one needs no command to terminate it.
   */
  simulated?: boolean;
}

/** A {@link CleanupOutcome} with nothing in it yet. */
export function emptyCleanupOutcome(): CleanupOutcome {
  return {
    terminated: [],
    kept: [],
    failed: [],
    placementGroupsDeleted: [],
    placementGroupsFailed: [],
  };
}
