/**
 * The report's `left_behind` section: resources the run's journal still
 * lists as `created` or `release-failed` when the run ended (e.g. a second
 * Ctrl-C exited before cleanup finished), each with its release command, and
 * the `ptp-runner cleanup --run <id>` command that releases them all. A CI job
 * that archives only the report files learns from it (and from the JUnit
 * `<error>` case it makes) that instances may still be billed.
 * @module
 */
import { z } from "zod";
import type { ResourceRecord } from "../../runner/types.ts";

/** One resource that may be left behind. */
export const LeftBehindResourceSchema = z.object({
  kind: z.string().describe("e.g. ec2-instance, placement-group"),
  id: z.string(),
  region: z.string().nullable(),
  state: z.enum(["created", "release-failed"]),
  target_id: z.string().nullable(),
  release_command: z.string().nullable().describe("Copy-paste command releasing it by hand"),
}).strict();

/** What the run may have left behind, and the command releasing it. */
export const LeftBehindSectionSchema = z.object({
  resources: z.array(LeftBehindResourceSchema),
  cleanup_command: z.string().describe("ptp-runner cleanup --run <run-id>"),
}).strict();

/** The `left_behind` section of `report.json`. */
export type LeftBehindSection = z.output<typeof LeftBehindSectionSchema>;

/** `ptp-runner cleanup --run <runId>`: releases what the run's journal lists as open. */
export function cleanupRunCommand(runId: string): string {
  return `ptp-runner cleanup --run ${runId}`;
}

/**
 * The section for the resources still open (`created` or `release-failed`)
 * among `resources`; null when none is.
 */
export function leftBehindSection(
  resources: readonly ResourceRecord[],
  runId: string,
): LeftBehindSection | null {
  const open = resources.filter((r) => r.state === "created" || r.state === "release-failed");
  if (open.length === 0) return null;
  return {
    resources: open.map((r) => ({
      kind: r.kind,
      id: r.id,
      region: r.region ?? null,
      state: r.state as "created" | "release-failed",
      target_id: r.targetId ?? null,
      release_command: r.releaseCommand ?? null,
    })),
    cleanup_command: cleanupRunCommand(runId),
  };
}

/** The left-behind section as text lines, shared by the renderers. */
export interface LeftBehindNotice {
  /** e.g. `3 resource(s) may be left behind, billed until released (forced exit: ...)`. */
  summary: string;
  /** One line per resource: `ec2-instance i-0abc (us-east-1) [created]`. */
  resources: { line: string; releaseCommand: string | null }[];
  /** `ptp-runner cleanup --run <id>`. */
  command: string;
}

/**
 * The notice for a report's `left_behind` section; null when the report lists
 * nothing left behind.
 */
export function leftBehindNotice(
  report: { forced_exit: boolean; left_behind: LeftBehindSection | null },
): LeftBehindNotice | null {
  const section = report.left_behind;
  if (!section || section.resources.length === 0) return null;
  const why = report.forced_exit
    ? " (forced exit: a second signal ended the run before cleanup finished)"
    : "";
  return {
    summary: `${section.resources.length} resource(s) may be left behind, billed until ` +
      `released${why}`,
    resources: section.resources.map((r) => ({
      line: `${r.kind} ${r.id}${r.region ? ` (${r.region})` : ""} [${r.state}]`,
      releaseCommand: r.release_command,
    })),
    command: section.cleanup_command,
  };
}
