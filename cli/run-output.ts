/**
 * `ptp-runner run --output json`: the result document printed on stdout when
 * the run ends (logs, live view and report go to stderr). Shape:
 *
 * ```json
 * { "run_id": "...", "pipeline": "ptp", "status": "failed", "exit_code": 1, "check_mode": false,
 *   "duration_seconds": 4.4, "journal": ".../journal.json", "report_dir": "...",
 *   "failures": [{ "step_id": "launch", "step_type": "launch", "kind": "auth", "message": "..." }],
 *   "targets": [{ "id": "c7i.large-1", "label": "c7i.large 1 of 2", "status": "done",
 *     "verdict": "functional", "verdict_reason": null, "instance_id": "i-...",
 *     "instance_type": "c7i.large", "steps": { "ok": 9, "changed": 4, ... } }],
 *   "left_behind": [{ "kind": "ec2-instance", "id": "i-...", "region": "...", "release_command": "..." }],
 *   "kept": [{ "kind": "ec2-instance", "id": "i-...", "region": "...", "target_id": "c7i.large-1",
 *     "release_command": "aws ec2 terminate-instances ..." }],
 *   "cleanup_command": "ptp-runner cleanup --run <run-id> --include-kept" }
 * ```
 *
 * `kept`: instances left running on purpose (`--keep`), as report.json's
 * `cleanup.kept`; a target whose instance was kept has `kept: true`.
 * `cleanup_command` releases what is left behind and kept (null when nothing
 * is); a `--simulate` run's instances end with its simulator, so it lists none.
 *
 * IP addresses are redacted unless `--no-redact` (as in the report files), with
 * the run's numbering when the caller passes its redactor: `[IPv4-1]` names the
 * same host here as in the console log and `--log-json` events.
 * @module
 */
import type { RunResult } from "../runner/executor.ts";
import { emptyCounts } from "../runner/recap.ts";
import { stepCountsReport } from "../plugins/report/build.ts";
import { cleanupRunCommand } from "../plugins/report/left-behind.ts";
import {
  createIpRedactor,
  type IpRedactor,
  redactDeep,
  redactIpsWith,
} from "../plugins/report/redact.ts";
import type { RunStatus } from "../runner/journal.ts";
import { EXIT, type ValidationError } from "../runner/errors.ts";

/** Run status from the executor's result (as the journal records it). */
export function runStatusOf(
  result: Pick<RunResult, "interrupted" | "exitCode">,
): Extract<RunStatus, "interrupted" | "left-behind" | "succeeded" | "failed"> {
  if (result.interrupted) return "interrupted";
  if (result.exitCode === 3) return "left-behind";
  return result.exitCode === 0 ? "succeeded" : "failed";
}

/**
 * The `--output json` document of a finished run (see the module documentation).
 * `info.ips`: the run's IP redactor (shared numbering with its log); without it a
 * new numbering starts here. Private key blocks are always removed.
 */
export function runJsonDocument(
  result: RunResult,
  info: {
    pipeline: string;
    journal: string;
    reportDir: string | null;
    redact: boolean;
    ips?: IpRedactor;
    /** `--dry-run`: nothing was applied (as report.json's `check_mode`). */
    checkMode?: boolean;
    /** `--simulate`: the instances ended with the in-process simulator (none is kept). */
    simulated?: boolean;
  },
): Record<string, unknown> {
  const kept = info.simulated ? [] : result.resources.filter((r) => r.state === "kept");
  const keptIds = new Set(kept.map((r) => r.id));
  const doc = {
    run_id: result.runId,
    pipeline: info.pipeline,
    status: runStatusOf(result),
    exit_code: result.exitCode,
    interrupted: result.interrupted,
    check_mode: info.checkMode ?? false,
    duration_seconds: Math.round(result.durationMs) / 1000,
    journal: info.journal,
    report_dir: info.reportDir,
    failures: result.runFailures.map((f) => ({
      step_id: f.stepId,
      step_type: f.stepType,
      kind: f.kind,
      message: f.message,
    })),
    targets: result.targets.map((t) => ({
      id: t.id,
      label: t.label,
      status: t.status,
      verdict: t.verdict ?? (t.status === "skipped" ? "unsupported" : null),
      verdict_reason: t.verdictReason ?? t.failure?.message ?? null,
      instance_id: t.instanceId ?? null,
      instance_type: t.instanceType ?? null,
      region: t.region ?? null,
      address: t.address ?? null,
      kept: t.instanceId !== undefined && keptIds.has(t.instanceId),
      steps: stepCountsReport(result.recap.targets[t.id] ?? emptyCounts()),
    })),
    pipeline_steps: stepCountsReport(result.recap.pipeline),
    warnings: result.warnings,
    left_behind: result.leftBehind.map((r) => ({
      kind: r.kind,
      id: r.id,
      region: r.region ?? null,
      state: r.state,
      release_command: r.releaseCommand ?? null,
    })),
    kept: kept.map((r) => ({
      kind: r.kind,
      id: r.id,
      region: r.region ?? null,
      target_id: r.targetId ?? null,
      release_command: r.releaseCommand ?? null,
    })),
    cleanup_command: result.leftBehind.length + kept.length === 0
      ? null
      : `${cleanupRunCommand(result.runId)}${kept.length > 0 ? " --include-kept" : ""}`,
  };
  const keyless = redactDeep(doc, { ips: false });
  return info.redact ? redactIpsWith(keyless, info.ips ?? createIpRedactor()) : keyless;
}

/**
 * The `--output json` document of a run refused before it started (bad
 * pipeline, flag, config file or input; exit 2), so a job reading stdout gets
 * a document in every case:
 * `{ "pipeline_file": "p.yaml", "status": "invalid", "exit_code": 2,
 *    "problems": [{ "source": "p.yaml", "line": 4, "col": 7, "key": "steps[0].with", "message": "..." }] }`.
 * The problems are the ones printed on stderr (`line`, `col`, `key` are null when unknown).
 */
export function invalidRunDocument(
  pipelineFile: string,
  error: ValidationError,
): Record<string, unknown> {
  return {
    pipeline_file: pipelineFile,
    status: "invalid",
    exit_code: EXIT.USAGE,
    problems: error.issues.map((issue) => ({
      source: issue.source,
      line: issue.line ?? null,
      col: issue.col ?? null,
      key: issue.key ?? null,
      message: issue.message,
    })),
  };
}
