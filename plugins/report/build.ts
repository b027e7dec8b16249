/**
 * Builds the report model ({@link Report}) from the run's targets and their
 * typed PTP facts. Pure: no I/O.
 * @module
 */
import type { RecapCounts, StepCounts } from "../../runner/recap.ts";
import { addCounts, emptyCounts } from "../../runner/recap.ts";
import { inInputOrder } from "../../runner/target-order.ts";
import type { FailureRecord, Target } from "../../runner/types.ts";
import type { CleanupOutcome } from "./cleanup-outcome.ts";
import {
  type CleanupSection,
  type ClockStats,
  type Counts,
  type Recap,
  type Report,
  REPORT_SCHEMA_VERSION,
  ReportSchema,
  type ReportVerdict,
  type RunOutcome,
  type StepCountsReport,
  type TargetReport,
} from "./model.ts";
import { redactDeep } from "./redact.ts";
import { summarize } from "./stats.ts";
import type {} from "../aws/shared/facts.ts";
import type {} from "../host/changes.ts";
import type {} from "../host/distribution.ts";

/** What {@link buildReport} needs. */
export interface BuildReportInput {
  runId: string;
  pipeline: string;
  targets: readonly Target[];
  /** Time the report is generated. */
  now: Date;
  /** Time the run started, when known (see {@link runStartFromId}). */
  startedAt: Date | null;
  /** Redact IP addresses (`settings.redact`); private keys are always removed. */
  redact: boolean;
  /**
   * The run's IP address redactor (`ctx.redactAddresses`): the report names an
   * address as the run's log does. Without it the report numbers its own.
   */
  addressNames?: (text: string) => string;
  /** Cleanup outcome, when cleanup already ran. */
  cleanup?: CleanupOutcome | null;
  /** The run was interrupted (Ctrl-C / SIGTERM; `ctx.interrupted`); default false. */
  interrupted?: boolean;
  /** The run is a `--dry-run` (check mode); default false. */
  checkMode?: boolean;
  /** Run-level outcome (see {@link runOutcome}); null when unknown. */
  run?: RunOutcome | null;
  /** Step counts so far (runner/recap.ts); null when unknown. */
  recap?: RecapCounts | null;
  /**
   * Instance types in the order the user gave them (`instance_types` input,
   * `type[:count]` entries); rows follow it (see `inInputOrder` in runner/target-order.ts).
   */
  typeOrder?: readonly string[];
}

/** Runner step counts in the report's shape (seconds, rounded to ms). */
export function stepCountsReport(counts: StepCounts): StepCountsReport {
  const { duration_ms, ...rest } = counts;
  return { ...rest, duration_seconds: Math.round(duration_ms) / 1000 };
}

/**
 * The recap section: one line per report target (in report order, with its
 * verdict; a target no step ran on has zero counts), the pipeline-scope
 * steps, and the total of both.
 */
export function recapSection(targets: readonly TargetReport[], counts: RecapCounts): Recap {
  const perTarget = targets.map((t) => ({ t, c: counts.targets[t.id] ?? emptyCounts() }));
  return {
    targets: perTarget.map(({ t, c }) => ({
      id: t.id,
      label: t.label,
      verdict: t.verdict,
      ...stepCountsReport(c),
    })),
    pipeline: stepCountsReport(counts.pipeline),
    total: stepCountsReport(addCounts([counts.pipeline, ...perTarget.map((p) => p.c)])),
  };
}

/** The run section from the runner's figures (failures of pipeline-scope steps). */
export function runOutcome(input: {
  status: RunOutcome["status"];
  exitCode: number;
  failures: readonly FailureRecord[];
  failOn?: readonly string[];
}): RunOutcome {
  return {
    status: input.status,
    exit_code: input.exitCode,
    failures: input.failures.map((f) => ({
      step_id: f.stepId,
      step_type: f.stepType,
      kind: f.kind,
      message: f.message,
    })),
    fail_on: [...(input.failOn ?? [])],
  };
}

/**
 * The run's start time encoded in a run id of the form `YYYYMMDD-HHMMSS-xxxx`
 * (UTC, as `runner/run-id.ts` makes them); null for any other id.
 */
export function runStartFromId(runId: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})(?:-|$)/.exec(runId);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * The verdict the report shows for a target: the runner's verdict; else
 * `unsupported` for a target skipped at launch; `cancelled` for a target the
 * interrupt stopped before a verdict (status `cancelled`; a target that had
 * failed before the interrupt keeps status `failed` and is an `error`);
 * `error` for a failed target; the verify facts' verdict; else `none`.
 */
export function effectiveVerdict(target: Target): ReportVerdict {
  if (target.verdict) return target.verdict;
  if (target.status === "skipped") return "unsupported";
  if (target.status === "cancelled") return "cancelled";
  if (target.status === "not-attempted") return "not-attempted";
  if (target.failure || target.status === "failed") return "error";
  return target.facts.verify?.verdict ?? "none";
}

function verdictReason(target: Target, verdict: ReportVerdict): string | null {
  if (target.verdictReason) return target.verdictReason;
  if (verdict === "cancelled") {
    return target.failure
      ? `run interrupted during step ${target.failure.stepId}; no verdict reached`
      : "run interrupted before a verdict was reached";
  }
  if (target.failure) return `${target.failure.stepId} failed: ${target.failure.message}`;
  if (verdict === "none") return `no verdict reached (status ${target.status})`;
  return null;
}

function targetReport(target: Target): TargetReport {
  const facts = target.facts;
  const verdict = effectiveVerdict(target);
  const q = facts.verify?.quality ?? null;
  const observedArch = facts.arch && facts.arch.machine !== "unknown" ? facts.arch.machine : null;
  return {
    id: target.id,
    label: target.label,
    status: target.status,
    instance_id: target.instanceId ?? null,
    instance_type: target.instanceType ?? null,
    region: target.region ?? null,
    address: target.address ?? null,
    launched_by_run: target.launchedByRun,
    architecture: observedArch ?? target.expectedArchitecture ?? facts.arch?.expected ?? null,
    expected_architecture: target.expectedArchitecture ?? facts.arch?.expected ?? null,
    distribution: facts.host
      ? { id: facts.host.id, version: facts.host.version_id, name: facts.host.pretty_name }
      : null,
    placement_group: target.placementGroup ?? null,
    phc_support: facts.phcSupport ?? null,
    ena_driver_version: facts.ena?.version ?? null,
    phc_device: facts.phc?.device ?? facts.chrony?.device ?? null,
    phc_clock_name: facts.phc?.clockName ?? facts.chrony?.clockName ?? null,
    phc_index: facts.phc?.index ?? null,
    verdict,
    verdict_reason: verdictReason(target, verdict),
    failed_layer: facts.verify?.failedLayer ?? null,
    quality: q,
    samples: facts.verify?.samples ?? [],
    diagnostics: target.diagnostics.map((d) => ({
      layer: d.layer,
      summary: d.summary,
      ...(d.command !== undefined ? { command: d.command } : {}),
      ...(d.output !== undefined ? { output: d.output } : {}),
    })),
    failure: target.failure
      ? {
        step_id: target.failure.stepId,
        step_type: target.failure.stepType,
        kind: target.failure.kind,
        message: target.failure.message,
      }
      : null,
    warnings: [...target.warnings],
    changes: (facts.changes ?? []).map((c) => ({
      step_id: c.step,
      kind: c.kind,
      summary: c.summary,
      ...(c.diff ? { diff: c.diff } : {}),
      applied: c.applied,
    })),
    steps: Object.entries(target.outputs).map(([id, output]) => ({
      step_id: id,
      changed: typeof output?.changed === "boolean" ? output.changed : null,
    })),
  };
}

/** Counts of targets per verdict. */
export function countVerdicts(targets: readonly TargetReport[]): Counts {
  const counts: Counts = {
    total: targets.length,
    functional: 0,
    unsupported: 0,
    misconfigured: 0,
    error: 0,
    cancelled: 0,
    not_attempted: 0,
    none: 0,
  };
  for (const t of targets) {
    if (t.verdict === "not-attempted") counts.not_attempted++;
    else counts[t.verdict]++;
  }
  return counts;
}

/** Seconds to nanoseconds, rounded to 0.001 ns (chrony prints at most nanoseconds). */
function toNs(seconds: number): number {
  return Math.round(seconds * 1e12) / 1e3;
}

/** Clock statistics (nanoseconds) over the functional targets that have a quality. */
export function clockStats(targets: readonly TargetReport[]): ClockStats {
  const qualities = targets.filter((t) => t.verdict === "functional" && t.quality)
    .map((t) => t.quality!);
  return {
    clock_error_bound_ns: summarize(qualities.map((q) => q.clock_error_bound_ns)),
    abs_offset_ns: summarize(qualities.map((q) => toNs(Math.abs(q.system_time_offset_seconds)))),
    rms_offset_ns: summarize(
      qualities.flatMap((q) => (q.rms_offset_seconds === null ? [] : [toNs(q.rms_offset_seconds)])),
    ),
  };
}

/** The cleanup outcome in the report's shape. */
export function cleanupSection(outcome: CleanupOutcome): CleanupSection {
  const instance = (i: CleanupOutcome["terminated"][number]) => ({
    instance_id: i.instanceId,
    target_id: i.targetId ?? null,
    label: i.label ?? null,
    instance_type: i.instanceType ?? null,
    region: i.region ?? null,
    ...(i.billedSeconds === undefined ? {} : { billed_seconds: i.billedSeconds }),
  });
  const billed = outcome.terminated.flatMap((i) =>
    i.billedSeconds === undefined ? [] : [i.billedSeconds]
  );
  return {
    terminated: outcome.terminated.map(instance),
    kept: outcome.kept.map(instance),
    failed: outcome.failed.map((f) => ({ ...instance(f), error: f.error, command: f.command })),
    placement_groups_deleted: [...outcome.placementGroupsDeleted],
    placement_groups_failed: outcome.placementGroupsFailed.map((p) => ({ ...p })),
    ...(billed.length === 0
      ? {}
      : { billed_seconds_total: Math.round(billed.reduce((a, b) => a + b, 0) * 10) / 10 }),
    ...(outcome.simulated ? { simulated: true } : {}),
  };
}

/**
 * Builds and validates the report model. Targets are in input order
 * (`inInputOrder` in runner/target-order.ts), else their creation order;
 * `by_type` follows the order in which each instance type first appears
 * (targets without a type, i.e. existing hosts, are grouped under `null`).
 * Strings are redacted per `input.redact` (see `redact.ts`).
 * @throws {z.ZodError} if the result does not match {@link ReportSchema} (a bug).
 */
export function buildReport(input: BuildReportInput): Report {
  const targets = inInputOrder(input.targets, input.typeOrder ?? []).map(targetReport);
  const types = [...new Set(targets.map((t) => t.instance_type))];
  const wall = input.startedAt
    ? Math.max(0, (input.now.getTime() - input.startedAt.getTime()) / 1000)
    : null;
  const report: Report = {
    schema_version: REPORT_SCHEMA_VERSION,
    tool: "ptp-runner",
    run_id: input.runId,
    pipeline: input.pipeline,
    generated_at: input.now.toISOString(),
    started_at: input.startedAt?.toISOString() ?? null,
    wall_time_seconds: wall,
    redacted: input.redact,
    interrupted: input.interrupted ?? false,
    interrupted_by: null,
    check_mode: input.checkMode ?? false,
    summary: countVerdicts(targets),
    by_type: types.map((type) => {
      const group = targets.filter((t) => t.instance_type === type);
      return { instance_type: type, counts: countVerdicts(group), stats: clockStats(group) };
    }),
    overall: clockStats(targets),
    targets,
    cleanup: input.cleanup ? cleanupSection(input.cleanup) : null,
    forced_exit: false,
    left_behind: null,
    run: input.run ?? null,
    recap: input.recap ? recapSection(targets, input.recap) : null,
  };
  return ReportSchema.parse(redactDeep(report, { ips: input.redact, names: input.addressNames }));
}
