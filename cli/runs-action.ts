/**
 * The `runs` command's implementation: one entry per journal under
 * `<workDir>/.ptp-runner/runs/`, newest first, with the EC2 instances the
 * journal still records as `created` or `release-failed` (may be running)
 * or `kept` (`--keep`: running on purpose), and the command that releases
 * them (`cleanup --run <id>`, with `--include-kept` when some were kept).
 * @module
 */
import { journalPath, listRuns, openResources, readJournal, runsDir } from "../runner/journal.ts";
import { isRunId } from "../runner/run-id.ts";
import type { RunsOptions } from "./runs.ts";

/** One past run as `runs --output json` prints it. */
export interface RunListing {
  run_id: string;
  pipeline: string;
  started_at: string;
  finished_at: string | null;
  /** Journal status (`running`, `succeeded`, `failed`, `interrupted`, `left-behind`, `abandoned`). */
  status: string;
  exit_code: number | null;
  /** Instances the journal records as created, release-failed or kept (may still run and cost). */
  running_instances: { id: string; region: string | null; state: string }[];
  /** Other resources not yet released (e.g. placement groups). */
  other_open_resources: { kind: string; id: string; region: string | null }[];
  /** Command that releases what is open; null when nothing is. */
  release_command: string | null;
  journal: string;
  /** Why the journal cannot be read (status `unreadable`); absent for readable journals. */
  unreadable?: string;
}

/**
 * Listings of run directories whose journal cannot be read (not valid JSON,
 * missing, foreign): never dropped, since their instances may still run.
 */
async function unreadableRuns(workDir: string, listed: Set<string>): Promise<RunListing[]> {
  const out: RunListing[] = [];
  let entries: Deno.DirEntry[] = [];
  try {
    entries = await Array.fromAsync(Deno.readDir(runsDir(workDir)));
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!entry.isDirectory || !isRunId(entry.name) || listed.has(entry.name)) continue;
    const why = await readJournal(workDir, entry.name).then(
      () => "listed while it was being written",
      (error) => (error as Error).message,
    );
    out.push({
      run_id: entry.name,
      pipeline: "?",
      started_at: "",
      finished_at: null,
      status: "unreadable",
      exit_code: null,
      running_instances: [],
      other_open_resources: [],
      release_command: `ptp-runner cleanup --run ${entry.name}`,
      journal: journalPath(workDir, entry.name),
      unreadable: why,
    });
  }
  return out;
}

/** Lists the runs under `workDir` (see the module documentation). */
export async function listRunListings(workDir: string): Promise<RunListing[]> {
  const out: RunListing[] = [];
  for (const summary of await listRuns(workDir)) {
    const journal = await readJournal(workDir, summary.runId).catch(() => null);
    // A --simulate run's resources ended with its process (also after a forced exit).
    const resources = journal?.simulated ? [] : journal?.resources ?? [];
    const open = openResources(resources);
    const kept = resources.filter((r) => r.kind === "ec2-instance" && r.state === "kept");
    const instances = [...open.filter((r) => r.kind === "ec2-instance"), ...kept];
    const release = kept.length > 0
      ? `ptp-runner cleanup --run ${summary.runId} --include-kept`
      : `ptp-runner cleanup --run ${summary.runId}`;
    out.push({
      run_id: summary.runId,
      pipeline: summary.pipeline,
      started_at: summary.startedAt,
      finished_at: summary.finishedAt ?? null,
      status: summary.status,
      exit_code: journal?.exitCode ?? null,
      running_instances: instances.map((r) => ({
        id: r.id,
        region: r.region ?? null,
        state: r.state,
      })),
      other_open_resources: open.filter((r) => r.kind !== "ec2-instance").map((r) => ({
        kind: r.kind,
        id: r.id,
        region: r.region ?? null,
      })),
      release_command: open.length + kept.length > 0 && summary.status !== "running"
        ? release
        : null,
      journal: journalPath(workDir, summary.runId),
    });
  }
  const broken = await unreadableRuns(workDir, new Set(out.map((r) => r.run_id)));
  return [...out, ...broken].sort((a, b) => b.run_id.localeCompare(a.run_id));
}

/** Text lines of the listing: a header and one line per run, plus what is open. */
export function runsText(runs: readonly RunListing[]): string[] {
  if (runs.length === 0) return ["no runs (no journal under .ptp-runner/runs)"];
  const rows = runs.map((r) => [
    r.run_id,
    r.pipeline,
    r.started_at === "" ? "-" : r.started_at.replace(/\.\d+Z$/, "Z"),
    r.status,
    r.exit_code === null ? "-" : String(r.exit_code),
    String(r.running_instances.length),
  ]);
  const headers = ["run", "pipeline", "started", "status", "exit", "instances"];
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  const lines = [line(headers), ...rows.map(line)];
  for (const r of runs) {
    if (r.unreadable !== undefined) {
      lines.push(
        `${r.run_id}: journal unreadable (${r.unreadable}); its instances may still run: ` +
          `${r.release_command} (finds them by their run tag, as ptp-runner sweep --run ` +
          `${r.run_id})`,
      );
      continue;
    }
    if (!r.release_command) continue;
    const ids = [
      ...r.running_instances.map((i) => i.id),
      ...r.other_open_resources.map((o) => o.id),
    ];
    lines.push(`${r.run_id} may have left ${ids.join(", ")}: ${r.release_command}`);
  }
  return lines;
}

/**
 * Why the work directory cannot hold runs (it does not exist, or is not a
 * directory), so a mistyped `--work-dir` is not taken for "no runs" (which
 * would hide instances still running); undefined when it is a directory. A
 * directory without `.ptp-runner/runs` simply has no runs.
 */
async function workDirProblem(workDir: string): Promise<string | undefined> {
  try {
    const info = await Deno.stat(workDir);
    return info.isDirectory ? undefined : `${workDir} is not a directory`;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return `${workDir} does not exist`;
    return `${workDir}: ${(error as Error).message}`;
  }
}

/**
 * The `runs --output json` document when the runs cannot be listed (exit 1),
 * shaped like the one of a refused run (cli/run-output.ts) so a job reading
 * stdout gets a document in every case:
 * `{ "status": "error", "exit_code": 1, "problems": [{ "source": "--work-dir",
 *    "line": null, "col": null, "key": null, "message": "/x does not exist" }] }`.
 */
export function runsErrorDocument(message: string): Record<string, unknown> {
  return {
    status: "error",
    exit_code: 1,
    problems: [{ source: "--work-dir", line: null, col: null, key: null, message }],
  };
}

/**
 * Runs `ptp-runner runs`; returns the exit code: 0 listed (also when the
 * work directory holds no run, and when a journal is unreadable: it is
 * listed as `unreadable`), 1 when the work directory does not exist or the
 * runs directory cannot be read (the reason on stderr, and with
 * `--output json` as {@link runsErrorDocument} on stdout).
 */
export async function runsCommand(
  options: RunsOptions,
  write: (text: string) => void = (text) => console.log(text),
): Promise<number> {
  const workDir = options.workDir ?? Deno.cwd();
  let runs: RunListing[];
  try {
    const problem = await workDirProblem(workDir);
    if (problem) throw new Error(problem);
    runs = await listRunListings(workDir);
  } catch (error) {
    const message = (error as Error).message;
    console.error(`error: cannot list runs: ${message}`);
    if (options.output === "json") write(JSON.stringify(runsErrorDocument(message), null, 2));
    return 1;
  }
  if (options.output === "json") write(JSON.stringify(runs, null, 2));
  else write(runsText(runs).join("\n"));
  return 0;
}
