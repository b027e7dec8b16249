/**
 * The run journal: `.ptp-runner/runs/<run-id>/journal.json` under the work
 * directory, rewritten atomically (temp file + rename) after every step and
 * on every resource change. It survives a crash: `cleanup --run <id>` and
 * `resume` read it to find what exists.
 * @module
 */
import { dirname, join, relative, sep } from "node:path";
import {
  chmodOwnerOnly,
  chmodOwnerOnlySync,
  makeOwnerOnlyDirs,
  OWNER_ONLY_DIR_MODE,
  OWNER_ONLY_FILE_MODE,
} from "./owner-only.ts";
import type { RecordedAddressNames } from "./address-names.ts";
import type { RecapSteps } from "./recap.ts";
import type { RunFingerprint } from "./resume.ts";
import { isRunId } from "./run-id.ts";
import type { FailureRecord, JournalApi, ResourceRecord, Target } from "./types.ts";

/**
 * Overall state of a run as the journal records it. `abandoned` is never
 * written by the run itself: readers ({@link readJournal}, {@link listRuns})
 * report it for a journal still saying `running` whose process is gone (same
 * host, run lock no longer held), e.g. after SIGKILL or a crash.
 */
export type RunStatus =
  | "running"
  | "succeeded"
  | "failed"
  | "interrupted"
  | "left-behind"
  | "abandoned";

/** Contents of `journal.json` (format version 1). */
export interface JournalData {
  /** Format version. */
  version: 1;
  runId: string;
  /** Pipeline name and absolute file path. */
  pipeline: { name: string; file: string };
  /** ISO times. */
  startedAt: string;
  updatedAt: string;
  finishedAt?: string;
  status: RunStatus;
  /** Process id of the run (absent in journals written before it was recorded). */
  pid?: number;
  /** Host name the run's process ran on (`Deno.hostname()`); liveness is checked only there. */
  host?: string;
  /** Process exit code, once finished (see `EXIT` in runner/errors.ts). */
  exitCode?: number;
  /**
   * True for a `--simulate` run: its resources lived in the simulator inside
   * the run's process and ended with it (nothing for `cleanup --run` to do).
   */
  simulated?: boolean;
  /**
   * Resolved inputs as outputs show them, never in clear: values of `secret`
   * inputs are `***`, IP addresses the run's placeholders (`[IPv4-1]`, see
   * {@link addressNames}). Journals of older versions hold addresses in clear.
   */
  inputs: Record<string, unknown>;
  /** Outputs of pipeline-scope steps by step id (target outputs are on the targets). */
  outputs: Record<string, Record<string, unknown>>;
  /** Targets with their state, facts, outputs and verdicts. */
  targets: Target[];
  /** Every cloud resource the run created, with its state. */
  resources: ResourceRecord[];
  /** Values steps stored with `journal.put` (e.g. trusted SSH host keys). */
  values: Record<string, unknown>;
  /** Step failures that failed a target or the run, with their stacks (absent in older journals). */
  failures?: FailureRecord[];
  /** Digests of the pipeline file and inputs, for `--resume` (absent in older journals). */
  fingerprint?: RunFingerprint;
  /** ISO times at which the run was resumed (`run --resume`), oldest first. */
  resumedAt?: string[];
  /**
   * Each step's last result so far (per target and pipeline), saved with the
   * progress: a resumed run's recap goes on from them. Journals written
   * before step results were kept hold bare counts here (ignored on resume).
   */
  recap?: RecapSteps;
  /**
   * The run's numbering of IP addresses (keyed digests, no address), so a
   * resumed run names an address as the first run did (absent in older journals).
   */
  addressNames?: RecordedAddressNames;
}

/** One line of `listRuns`. */
export interface RunSummary {
  runId: string;
  pipeline: string;
  status: RunStatus;
  startedAt: string;
  finishedAt?: string;
  /** Resources still `created` or `release-failed` (0 for a `--simulate` run). */
  openResources: number;
  /** Journal directory. */
  dir: string;
}

/** Directory holding every run's journal: `<workDir>/.ptp-runner/runs`. */
export function runsDir(workDir: string): string {
  return join(workDir, ".ptp-runner", "runs");
}

/** Journal directory of a run: `<workDir>/.ptp-runner/runs/<runId>`. */
export function journalDir(workDir: string, runId: string): string {
  return join(runsDir(workDir), runId);
}

/** Path of a run's `journal.json`. */
export function journalPath(workDir: string, runId: string): string {
  return join(journalDir(workDir, runId), "journal.json");
}

/** Resources that may be left behind: state `created` or `release-failed`. */
export function openResources(resources: readonly ResourceRecord[]): ResourceRecord[] {
  return resources.filter((r) => r.state === "created" || r.state === "release-failed");
}

/**
 * Multi-line text listing resources that may be left behind, each with its
 * release command, and the `ptp-runner cleanup --run <id>` command.
 * Returns "" when `resources` is empty.
 */
export function formatLeftBehind(resources: readonly ResourceRecord[], runId: string): string {
  if (resources.length === 0) return "";
  const lines = ["resources that may be left behind:"];
  for (const r of resources) {
    const where = r.region ? ` (${r.region})` : "";
    lines.push(`  ${r.kind} ${r.id}${where} [${r.state}]`);
    if (r.releaseCommand) lines.push(`    release: ${r.releaseCommand}`);
  }
  lines.push(`  or run: ptp-runner cleanup --run ${runId}`);
  return lines.join("\n");
}

/** Name of the lock file a live run holds in its journal directory. */
export const RUN_LOCK_FILE = "run.lock";

/**
 * Whether a run's process is alive: `alive` while some process holds the
 * exclusive lock on `<dir>/run.lock` ({@link RunJournal.holdRunLock}), `gone`
 * when the file exists but nobody holds it (the OS drops the lock of a dead
 * process, SIGKILL included), `unknown` when there is no lock file (a journal
 * of a run that never took it) or it cannot be opened.
 */
export async function runLiveness(dir: string): Promise<"alive" | "gone" | "unknown"> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(join(dir, RUN_LOCK_FILE), { read: true });
  } catch {
    return "unknown";
  }
  try {
    return (await file.tryLock(true)) ? "gone" : "alive";
  } catch {
    return "unknown";
  } finally {
    file.close();
  }
}

function thisHost(): string | undefined {
  try {
    return Deno.hostname();
  } catch {
    return undefined;
  }
}

/**
 * The status readers should show: `abandoned` when the journal says
 * `running`, it was written on this host (`host` = `Deno.hostname()`) and
 * its process is `gone` (see {@link runLiveness}); otherwise the recorded
 * status (also when the run is on another host or liveness is unknown).
 */
export function effectiveStatus(
  data: Pick<JournalData, "status" | "host">,
  liveness: "alive" | "gone" | "unknown",
  host: string | undefined = thisHost(),
): RunStatus {
  if (data.status !== "running" || data.host === undefined || data.host !== host) {
    return data.status;
  }
  return liveness === "gone" ? "abandoned" : data.status;
}

/**
 * Reads a run's journal. A journal still saying `running` whose process is
 * gone is returned with status `abandoned` (see {@link effectiveStatus}), so
 * `cleanup --run` and `resume`, which save it back, record that too.
 * @throws Error naming the path when the run id is malformed, the journal does
 *   not exist, or it is not valid JSON of this format.
 */
export async function readJournal(workDir: string, runId: string): Promise<JournalData> {
  if (!isRunId(runId)) {
    throw new Error(`"${runId}" is not a run id (expected like 20261129-101500-ab12)`);
  }
  const path = journalPath(workDir, runId);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(`no journal for run ${runId}: ${path} does not exist`);
    }
    throw error;
  }
  const data = parseJournal(text, path);
  if (data.status !== "running") return data;
  return { ...data, status: effectiveStatus(data, await runLiveness(journalDir(workDir, runId))) };
}

function parseJournal(text: string, path: string): JournalData {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path}: not valid JSON: ${(error as Error).message}`);
  }
  const d = data as Partial<JournalData>;
  if (
    !d || typeof d !== "object" || d.version !== 1 || typeof d.runId !== "string" ||
    !Array.isArray(d.resources) || !Array.isArray(d.targets)
  ) {
    throw new Error(`${path}: not a ptp-runner journal (version 1)`);
  }
  return d as JournalData;
}

/**
 * Every run with a journal under `workDir`, newest first. Unreadable
 * journals are skipped. A `running` run whose process is gone is listed as
 * `abandoned`.
 */
export async function listRuns(workDir: string): Promise<RunSummary[]> {
  const out: RunSummary[] = [];
  let entries: Deno.DirEntry[] = [];
  try {
    entries = await Array.fromAsync(Deno.readDir(runsDir(workDir)));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  for (const entry of entries) {
    if (!entry.isDirectory || !isRunId(entry.name)) continue;
    try {
      const j = await readJournal(workDir, entry.name);
      out.push({
        runId: j.runId,
        pipeline: j.pipeline.name,
        status: j.status,
        startedAt: j.startedAt,
        finishedAt: j.finishedAt,
        // A --simulate run's resources ended with its process.
        openResources: j.simulated ? 0 : openResources(j.resources).length,
        dir: journalDir(workDir, j.runId),
      });
    } catch {
      // A half-written or foreign directory: not a run to list.
    }
  }
  return out.sort((a, b) => b.runId.localeCompare(a.runId));
}

/** Minimum milliseconds between two progress writes of the journal (see `RunJournal.save`). */
export const PROGRESS_WRITE_INTERVAL_MS = 200;

/** Writes `text` to `path` atomically: a temp file in the same directory, then rename. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = join(
    dirname(path),
    `.${crypto.randomUUID().slice(0, 8)}.${path.split("/").pop()}.tmp`,
  );
  try {
    await Deno.writeTextFile(tmp, text, { mode: OWNER_ONLY_FILE_MODE });
    await chmodOwnerOnly(tmp);
    await Deno.rename(tmp, path);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw error;
  }
}

/**
 * Writes `text` to `path` atomically and synchronously (temp file + rename),
 * for paths where no `await` may run (the forced exit on a second Ctrl-C).
 * @throws Deno file-system errors (the temp file is removed).
 */
export function writeFileAtomicSync(path: string, text: string): void {
  const tmp = join(
    dirname(path),
    `.${crypto.randomUUID().slice(0, 8)}.${path.split("/").pop()}.tmp`,
  );
  try {
    Deno.writeTextFileSync(tmp, text, { mode: OWNER_ONLY_FILE_MODE });
    chmodOwnerOnlySync(tmp);
    Deno.renameSync(tmp, path);
  } catch (error) {
    try {
      Deno.removeSync(tmp);
    } catch {
      // Never written.
    }
    throw error;
  }
}

/**
 * A run's journal, held in memory and persisted atomically on every change.
 * Implements the {@link JournalApi} steps use; the executor also sets the
 * run's outputs, targets and status through {@link RunJournal.update}.
 *
 * Saves are serialised: each writes the state at the time it runs, so the
 * file on disk is always a complete, parseable snapshot.
 */
export class RunJournal implements JournalApi {
  /** Directory of this run's journal. */
  readonly dir: string;
  /** Path of `journal.json`. */
  readonly path: string;
  #data: JournalData;
  #redact: <T>(value: T) => T;
  /** Turns the journal into the text written (redacted JSON, one line). */
  #serialize: (value: unknown) => string;
  #chain: Promise<void> = Promise.resolve();
  #lock: Deno.FsFile | undefined;
  #queued: Promise<void> | undefined;
  /** Ends the wait of a queued progress write. */
  #hurry: (() => void) | undefined;
  /** When the last write finished (ms since the epoch). */
  #lastWriteAt = 0;

  private constructor(
    dir: string,
    data: JournalData,
    redact: <T>(value: T) => T,
    serialize?: (value: unknown) => string,
  ) {
    this.dir = dir;
    this.path = join(dir, "journal.json");
    this.#data = data;
    this.#redact = redact;
    this.#serialize = serialize ?? ((value) => JSON.stringify(this.#redact(value)));
  }

  /**
   * Creates the journal of a new run (directory and first write).
   * @param init.inputs Inputs as they may be written (secret values already `***`).
   * @param init.simulated True for a `--simulate` run (recorded as `simulated`).
   * @param init.redact Applied to everything written (replaces secrets); identity by default.
   * @param init.serialize Faster alternative: returns the redacted JSON text directly
   *   (e.g. `Redactor.redactJson`); wins over `redact` when given.
   * @throws Error when the journal directory already exists or cannot be written.
   */
  static async create(
    workDir: string,
    init: {
      runId: string;
      pipeline: { name: string; file: string };
      inputs: Record<string, unknown>;
      fingerprint?: RunFingerprint;
      /** `--simulate`: the run's resources live in its in-process simulator. */
      simulated?: boolean;
      redact?: <T>(value: T) => T;
      serialize?: (value: unknown) => string;
      now?: Date;
    },
  ): Promise<RunJournal> {
    const dir = journalDir(workDir, init.runId);
    await makeOwnerOnlyDirs(workDir, ...relative(workDir, runsDir(workDir)).split(sep));
    // Fails if the run id is already taken.
    await Deno.mkdir(dir, { mode: OWNER_ONLY_DIR_MODE });
    await chmodOwnerOnly(dir, OWNER_ONLY_DIR_MODE);
    const time = (init.now ?? new Date()).toISOString();
    const host = thisHost();
    const journal = new RunJournal(
      dir,
      {
        version: 1,
        runId: init.runId,
        pipeline: init.pipeline,
        startedAt: time,
        updatedAt: time,
        status: "running",
        pid: Deno.pid,
        ...(host === undefined ? {} : { host }),
        ...(init.simulated ? { simulated: true } : {}),
        inputs: init.inputs,
        ...(init.fingerprint ? { fingerprint: init.fingerprint } : {}),
        outputs: {},
        targets: [],
        resources: [],
        values: {},
      },
      init.redact ?? ((v) => v),
      init.serialize,
    );
    await journal.save();
    return journal;
  }

  /**
   * Opens the journal of an existing run to update it (`cleanup --run`, `run --resume`).
   * @param options.redact, options.serialize as for {@link RunJournal.create}
   *   (a resumed run writes what its steps add, secrets included).
   * @throws Error as {@link readJournal}.
   */
  static async open(
    workDir: string,
    runId: string,
    options: { redact?: <T>(value: T) => T; serialize?: (value: unknown) => string } = {},
  ): Promise<RunJournal> {
    const data = await readJournal(workDir, runId);
    return new RunJournal(
      journalDir(workDir, runId),
      data,
      options.redact ?? ((v) => v),
      options.serialize,
    );
  }

  /**
   * Marks the run as running again in this process (`run --resume`): status
   * `running`, this pid and host, no exit code or end time, the time appended
   * to `resumedAt`; the caller saves and takes the run lock.
   */
  markResumed(now: Date = new Date()): void {
    const d = this.#data;
    d.status = "running";
    d.pid = Deno.pid;
    const host = thisHost();
    if (host === undefined) delete d.host;
    else d.host = host;
    delete d.exitCode;
    delete d.finishedAt;
    d.resumedAt = [...(d.resumedAt ?? []), now.toISOString()];
    for (const r of d.resources) if (r.state === "kept") r.state = "created";
  }

  /** The journal's current contents (live object: do not mutate). */
  get data(): Readonly<JournalData> {
    return this.#data;
  }

  /** Replaces run-level fields (outputs, targets, status, ...) without saving. */
  update(
    patch: Partial<
      Pick<
        JournalData,
        | "outputs"
        | "targets"
        | "failures"
        | "recap"
        | "status"
        | "exitCode"
        | "finishedAt"
        | "addressNames"
      >
    >,
  ): void {
    Object.assign(this.#data, patch);
  }

  /**
   * Writes the journal atomically; resolves once this state (or a later one)
   * is on disk. Saves requested while a write is queued join that write, so a
   * burst of saves (many targets finishing a step together) costs one or two
   * writes, not one per call.
   *
   * `progress: true` (step results) lets the write wait until
   * {@link PROGRESS_WRITE_INTERVAL_MS} after the previous one, so a large
   * fleet does not rewrite the whole journal back to back; any other save
   * (resources, stored values, the final state) writes at once and hurries a
   * waiting one.
   */
  save(options: { progress?: boolean } = {}): Promise<void> {
    const urgent = !options.progress;
    if (this.#queued) {
      if (urgent) this.#hurry?.();
      return this.#queued;
    }
    const queued = this.#chain.then(async () => {
      const wait = this.#lastWriteAt + PROGRESS_WRITE_INTERVAL_MS - Date.now();
      if (!urgent && wait > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          this.#hurry = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#hurry = undefined;
      }
      // From here on, a new save() must queue a later write: this one may miss its state.
      this.#queued = undefined;
      this.#data.updatedAt = new Date().toISOString();
      const text = this.#serialize(this.#data) + "\n";
      await writeFileAtomic(this.path, text);
      this.#lastWriteAt = Date.now();
    });
    this.#queued = queued;
    this.#chain = queued.catch(() => {});
    return queued;
  }

  /**
   * Takes the exclusive lock on `<dir>/run.lock` that tells readers this run's
   * process is alive (see {@link runLiveness}); the OS releases it when the
   * process dies. Call once when the run starts; {@link releaseRunLock} at
   * the end.
   * @throws Error when another process holds the lock (the run id is in use).
   */
  async holdRunLock(): Promise<void> {
    if (this.#lock) return;
    const file = await Deno.open(join(this.dir, RUN_LOCK_FILE), {
      write: true,
      create: true,
      mode: OWNER_ONLY_FILE_MODE,
    });
    await chmodOwnerOnly(join(this.dir, RUN_LOCK_FILE));
    if (!(await file.tryLock(true))) {
      file.close();
      throw new Error(`run ${this.#data.runId} is locked by another process`);
    }
    this.#lock = file;
  }

  /** Releases the lock of {@link holdRunLock} (no-op when not held). */
  releaseRunLock(): void {
    this.#lock?.close();
    this.#lock = undefined;
  }

  /**
   * Writes the current state synchronously and atomically, for the forced
   * exit (second Ctrl-C), where the process ends before any `await` resumes.
   * A save still in flight may finish its rename afterwards in rare cases;
   * readers then see `running` with the run lock free, i.e. `abandoned`.
   * @throws Deno file-system errors.
   */
  saveSync(): void {
    this.#data.updatedAt = new Date().toISOString();
    const text = this.#serialize(this.#data) + "\n";
    writeFileAtomicSync(this.path, text);
  }

  /** See {@link JournalApi.recordResource}: adds or replaces (by kind + id), then saves. */
  recordResource(
    resource: Omit<ResourceRecord, "createdAt"> & { createdAt?: string },
  ): Promise<void> {
    const record: ResourceRecord = { ...resource, createdAt: resource.createdAt ?? now() };
    const list = this.#data.resources;
    const i = list.findIndex((r) => r.kind === record.kind && r.id === record.id);
    if (i >= 0) list[i] = { ...record, createdAt: resource.createdAt ?? list[i].createdAt };
    else list.push(record);
    return this.save();
  }

  /**
   * See {@link JournalApi.updateResource}.
   * @throws Error when no resource of that kind and id was recorded.
   */
  updateResource(kind: string, id: string, state: ResourceRecord["state"]): Promise<void> {
    const record = this.#data.resources.find((r) => r.kind === kind && r.id === id);
    if (!record) {
      return Promise.reject(
        new Error(`journal: no ${kind} ${id} recorded in run ${this.#data.runId}`),
      );
    }
    record.state = state;
    return this.save();
  }

  /** See {@link JournalApi.resources}. */
  resources(): readonly ResourceRecord[] {
    return this.#data.resources;
  }

  /** See {@link JournalApi.put}: stores a JSON-compatible value, then saves. */
  put(key: string, value: unknown): Promise<void> {
    this.#data.values[key] = value;
    return this.save();
  }

  /** See {@link JournalApi.get}. */
  get(key: string): unknown {
    return this.#data.values[key];
  }
}

function now(): string {
  return new Date().toISOString();
}
