/**
 * The report model: what `report.json` holds (schema version 1), as a zod
 * schema. Every renderer (console, Markdown, JUnit, YAML) reads this model;
 * `schema/report.schema.json` is generated from it (`plugins/report/json-schema.ts`).
 *
 * Units are in the key names: `_seconds`, `_ns` (nanoseconds), `_ppm`.
 * Domain source for the clock quality fields: `shared/PTP.md` section 6 (chrony
 * tracking fields; clock error bound = |offset| + root_delay/2 + root_dispersion +
 * phc_error_bound, the AWS ClockBound model).
 * @module
 */
import { z } from "zod";
import { ClockQualitySchema, ClockSampleSchema } from "../ptp/facts.ts";
import { CleanupInstanceSchema, CleanupSectionSchema, CountsSchema } from "./sections.ts";
import { LeftBehindSectionSchema } from "./left-behind.ts";

export { CleanupInstanceSchema, CleanupSectionSchema, CountsSchema };

/** Current `schema_version` of `report.json`. Bump on any incompatible change. */
export const REPORT_SCHEMA_VERSION = 1;

/**
 * Verdicts in the report. `cancelled` = the run was interrupted (Ctrl-C /
 * SIGTERM) before the target reached a verdict; `not-attempted` = a rollout
 * stopped on `max_fail` before the target's batch started; `none` = the target reached no
 * verdict for another reason (e.g. no verify step ran).
 */
export const REPORT_VERDICTS = [
  "functional",
  "unsupported",
  "misconfigured",
  "error",
  "cancelled",
  "not-attempted",
  "none",
] as const;

/** A verdict as the report shows it (runner verdict, or `none`). */
export type ReportVerdict = (typeof REPORT_VERDICTS)[number];

/** Clock quality of a functional target (from `chronyc tracking` + `phc_error_bound`). */
export const QualitySchema = ClockQualitySchema;

/** A diagnosis: failing layer, summary, command and its quoted output. */
export const DiagnosticSchema = z.object({
  layer: z.string(),
  summary: z.string(),
  command: z.string().optional(),
  output: z.string().optional(),
}).strict();

/** The failure that stopped a target. */
export const FailureSchema = z.object({
  step_id: z.string(),
  step_type: z.string(),
  kind: z.string(),
  message: z.string(),
}).strict();

/**
 * A change a host step made on the target or, in check mode (`--dry-run`),
 * would make: a file written (with its unified diff), removed, or an action
 * (`restart chrony`, `reload ena (detached)`).
 */
export const ReportChangeSchema = z.object({
  step_id: z.string(),
  kind: z.enum(["file", "remove", "action"]),
  summary: z.string(),
  diff: z.string().optional().describe("Unified diff (--- a/PATH, +++ b/PATH) of a file change"),
  applied: z.boolean().describe("False in check mode, or when the step stopped before it"),
}).strict();

/** Whether one step changed the target (its output's `changed`), in run order. */
export const ReportStepChangedSchema = z.object({
  step_id: z.string(),
  changed: z.boolean().nullable().describe(
    "The step's `changed` output (check mode: would change); null when it has none",
  ),
}).strict();

/** One target (instance or existing host) in the report. */
export const TargetReportSchema = z.object({
  id: z.string(),
  label: z.string(),
  status: z.enum(["pending", "running", "done", "failed", "skipped", "cancelled", "not-attempted"]),
  instance_id: z.string().nullable(),
  instance_type: z.string().nullable(),
  region: z.string().nullable(),
  address: z.string().nullable(),
  launched_by_run: z.boolean(),
  architecture: z.string().nullable().describe("Observed (uname -m), else expected"),
  expected_architecture: z.string().nullable(),
  distribution: z.object({
    id: z.string().describe("os-release ID, e.g. amzn, ubuntu, debian, rhel"),
    version: z.string().describe("os-release VERSION_ID, e.g. 2023, 24.04, 12"),
    name: z.string().describe("os-release PRETTY_NAME, e.g. Debian GNU/Linux 12 (bookworm)"),
  }).strict().nullable().default(null).describe(
    "Linux distribution from /etc/os-release (detect-arch), when read",
  ),
  placement_group: z.string().nullable(),
  phc_support: z.enum(["supported", "unsupported", "unknown"]).nullable().describe(
    "PhcSupport of the instance type from DescribeInstanceTypes, when known",
  ),
  ena_driver_version: z.string().nullable(),
  phc_device: z.string().nullable(),
  phc_clock_name: z.string().nullable(),
  phc_index: z.number().int().nullable(),
  verdict: z.enum(REPORT_VERDICTS),
  verdict_reason: z.string().nullable(),
  failed_layer: z.string().nullable(),
  quality: QualitySchema.nullable(),
  samples: z.array(ClockSampleSchema).default([]).describe(
    "verify's chrony samples over time (its polling window, then its observe time)",
  ),
  diagnostics: z.array(DiagnosticSchema),
  failure: FailureSchema.nullable(),
  warnings: z.array(z.string()),
  changes: z.array(ReportChangeSchema).default([]).describe(
    "Host changes made (or, in check mode, that would be made), in order",
  ),
  steps: z.array(ReportStepChangedSchema).default([]).describe(
    "Each target step that ran and whether it changed the host",
  ),
}).strict();

/** min / median / max of a set of values (nanoseconds), over `count` values. */
export const StatsSchema = z.object({
  count: z.number().int().positive(),
  min: z.number(),
  median: z.number(),
  max: z.number(),
}).strict();

/** Clock statistics over functional targets; null when no target had a quality. */
export const ClockStatsSchema = z.object({
  clock_error_bound_ns: StatsSchema.nullable(),
  abs_offset_ns: StatsSchema.nullable(),
  rms_offset_ns: StatsSchema.nullable(),
}).strict();

/** One instance type's counts and statistics (`instance_type` null = existing hosts). */
export const TypeSummarySchema = z.object({
  instance_type: z.string().nullable(),
  counts: CountsSchema,
  stats: ClockStatsSchema,
}).strict();

/**
 * Step counts of a target or of the pipeline-scope steps (see
 * runner/recap.ts): `ok` steps, of which `changed` / `unchanged` per their
 * `changed` output (steps without one count in `ok` only), `skipped`,
 * `failed` (also cancelled), and their summed run time. Each step counts
 * once per run; `rerun` says how many of them ran again on `--resume`.
 */
export const StepCountsSchema = z.object({
  ok: z.number().int().nonnegative(),
  changed: z.number().int().nonnegative(),
  unchanged: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  duration_seconds: z.number().nonnegative(),
  rerun: z.number().int().nonnegative().default(0).describe(
    "Steps that ran before a --resume and again in it (counted once, with the resumed result)",
  ),
}).strict();

/** One line of the recap: a target, its verdict and its step counts. */
export const RecapTargetSchema = StepCountsSchema.extend({
  id: z.string(),
  label: z.string(),
  verdict: z.enum(REPORT_VERDICTS),
}).strict();

/** The recap (as Ansible's PLAY RECAP): per target, the pipeline steps, and the total. */
export const RecapSchema = z.object({
  targets: z.array(RecapTargetSchema),
  pipeline: StepCountsSchema.describe("Pipeline-scope steps (launch, report, cleanup, ...)"),
  total: StepCountsSchema,
}).strict();

/** Run states in the report; `running` = written before the run ended (exit code provisional). */
export const RUN_STATES = ["running", "succeeded", "failed", "interrupted", "left-behind"] as const;

/** How the run went as a whole: state, exit code, failures of pipeline-scope steps. */
export const RunOutcomeSchema = z.object({
  status: z.enum(RUN_STATES),
  exit_code: z.number().int().describe(
    "Process exit code: 0 every target functional or unsupported, 1 a target misconfigured, " +
      "error or without verdict, or a pipeline step failed, 2 usage, 3 resources may be left " +
      "behind, 130 interrupted; provisional while status is running",
  ),
  failures: z.array(FailureSchema).describe(
    "Pipeline-scope steps that failed the run (e.g. launch), with why",
  ),
  fail_on: z.array(z.string()).describe("Verdicts --fail-on adds to the failing ones"),
}).strict();

/** The whole report, `report.json`. */
export const ReportSchema = z.object({
  schema_version: z.literal(REPORT_SCHEMA_VERSION),
  tool: z.literal("ptp-runner"),
  run_id: z.string(),
  pipeline: z.string(),
  generated_at: z.string().describe("ISO 8601 time the report was generated"),
  started_at: z.string().nullable().describe("ISO 8601 time the run started, when known"),
  wall_time_seconds: z.number().nonnegative().nullable(),
  redacted: z.boolean().describe("True when IP addresses were replaced by [IPv4]/[IPv6]"),
  interrupted: z.boolean().default(false).describe(
    "True when the run was interrupted (Ctrl-C, SIGTERM or SIGHUP) before the report; targets it " +
      "stopped count as cancelled",
  ),
  interrupted_by: z.enum(["SIGINT", "SIGTERM", "SIGHUP"]).nullable().default(null).describe(
    "The signal that interrupted the run (SIGINT = Ctrl-C), once the run ended; null when " +
      "not interrupted or not known yet",
  ),
  check_mode: z.boolean().default(false).describe(
    "True for a --dry-run: host steps only read; `changes` say what they would do, and " +
      "targets get no verdict from chrony",
  ),
  summary: CountsSchema,
  by_type: z.array(TypeSummarySchema),
  overall: ClockStatsSchema,
  targets: z.array(TargetReportSchema),
  cleanup: CleanupSectionSchema.nullable(),
  forced_exit: z.boolean().default(false).describe(
    "True when a second signal (e.g. Ctrl-C again) made the run exit at once: cleanup did " +
      "not finish, see left_behind",
  ),
  left_behind: LeftBehindSectionSchema.nullable().default(null).describe(
    "Resources the run's journal still listed as created or release-failed when the run " +
      "ended, with the command releasing them; null when none (or not known yet)",
  ),
  run: RunOutcomeSchema.nullable().default(null).describe(
    "Run-level outcome; null in reports written before it existed",
  ),
  recap: RecapSchema.nullable().default(null).describe(
    "Step counts per target; null in reports written before it existed",
  ),
}).strict().meta({
  title: "ptp-runner report",
  description: "Result of a ptp-runner run: one entry per target, counts, clock statistics.",
});

/** `report.json` content. */
export type Report = z.output<typeof ReportSchema>;
/** One target of the report. */
export type TargetReport = z.output<typeof TargetReportSchema>;
/** Verdict counts. */
export type Counts = z.output<typeof CountsSchema>;
/** min/median/max statistics. */
export type Stats = z.output<typeof StatsSchema>;
/** Clock statistics group. */
export type ClockStats = z.output<typeof ClockStatsSchema>;
/** Cleanup section. */
export type CleanupSection = z.output<typeof CleanupSectionSchema>;
/** Step counts in the report. */
export type StepCountsReport = z.output<typeof StepCountsSchema>;
/** The recap section. */
export type Recap = z.output<typeof RecapSchema>;
/** One chrony sample of a target. */
export type ClockSampleReport = z.output<typeof ClockSampleSchema>;
/** The left-behind section. */
export type { LeftBehindSection } from "./left-behind.ts";
/** The run section. */
export type RunOutcome = z.output<typeof RunOutcomeSchema>;
