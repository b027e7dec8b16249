/**
 * Writes the report files of a run under `<workDir>/reports/<run-id>/`:
 * `report.json`, `report.yaml`, `junit.xml`, `report.md`, `report.html`, each atomically
 * (temporary file + rename), owner-only (0600 files, 0700 directories, see
 * runner/owner-only.ts), and reads `report.json` back.
 * @module
 */
import { join } from "node:path";
import { yaml } from "../../runner/pipeline/yaml-library.ts";
import {
  chmodOwnerOnly,
  makeOwnerOnlyDirs,
  OWNER_ONLY_DIR_MODE,
  OWNER_ONLY_FILE_MODE,
} from "../../runner/owner-only.ts";
import { type Report, ReportSchema } from "./model.ts";
import { renderJunitReport } from "./render-junit.ts";
import { renderMarkdownReport } from "./render-markdown.ts";
import { renderHtmlReport } from "./render-html.ts";

/** Paths of the report files. */
export interface ReportFiles {
  json: string;
  yaml: string;
  junit: string;
  markdown: string;
  /** Self-contained page with charts (inline SVG and CSS). */
  html: string;
}

/** Directory of a run's report files: `<workDir>/reports/<runId>/`. */
export function reportDir(workDir: string, runId: string): string {
  return join(workDir, "reports", runId);
}

/**
 * Directory of a run's report files per its settings: `--report-dir`
 * (`settings.reportDir`) when given, else `<workDir>/reports/<runId>/`.
 */
export function reportDirOf(
  settings: { workDir: string; reportDir?: string },
  runId: string,
): string {
  return settings.reportDir ?? reportDir(settings.workDir, runId);
}

/**
 * Paths of a run's report files (they may not exist yet), in `dir`
 * (default `<workDir>/reports/<runId>/`).
 */
export function reportFiles(
  workDir: string,
  runId: string,
  dir: string = reportDir(workDir, runId),
): ReportFiles {
  return {
    json: join(dir, "report.json"),
    yaml: join(dir, "report.yaml"),
    junit: join(dir, "junit.xml"),
    markdown: join(dir, "report.md"),
    html: join(dir, "report.html"),
  };
}

/** `report.yaml` content: the same model as `report.json`. */
export function renderYamlReport(report: Report): string {
  return `# ptp-runner report, schema_version ${report.schema_version}\n` +
    yaml.stringify(report, { lineWidth: 0 });
}

async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  await Deno.writeTextFile(tmp, text, { mode: OWNER_ONLY_FILE_MODE });
  await chmodOwnerOnly(tmp);
  await Deno.rename(tmp, path);
}

/**
 * Validates `report` and writes all report files into `dir` (default
 * `<workDir>/reports/<run-id>/`, created when missing).
 * @throws {z.ZodError} when the model is invalid; Deno file-system errors as thrown.
 */
export async function writeReportFiles(
  workDir: string,
  report: Report,
  dir: string = reportDir(workDir, report.run_id),
): Promise<ReportFiles> {
  const valid = ReportSchema.parse(report);
  const files = reportFiles(workDir, valid.run_id, dir);
  if (dir === reportDir(workDir, valid.run_id)) {
    await makeOwnerOnlyDirs(workDir, "reports", valid.run_id);
  } else {
    await Deno.mkdir(dir, { recursive: true, mode: OWNER_ONLY_DIR_MODE });
    await chmodOwnerOnly(dir, OWNER_ONLY_DIR_MODE);
  }
  await writeAtomic(files.json, JSON.stringify(valid, null, 2) + "\n");
  await writeAtomic(files.yaml, renderYamlReport(valid));
  await writeAtomic(files.junit, renderJunitReport(valid));
  await writeAtomic(files.markdown, renderMarkdownReport(valid));
  await writeAtomic(files.html, renderHtmlReport(valid));
  return files;
}

/**
 * Reads and validates a run's `report.json` in `dir` (default
 * `<workDir>/reports/<run-id>/`); null when the run wrote none.
 * @throws {Error} naming the file when it exists but is not a valid report.
 */
export async function readReportFile(
  workDir: string,
  runId: string,
  dir: string = reportDir(workDir, runId),
): Promise<Report | null> {
  const path = reportFiles(workDir, runId, dir).json;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  const parsed = ReportSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new Error(`${path}: not a valid report (schema_version 1): ${parsed.error.message}`);
  }
  return parsed.data;
}
