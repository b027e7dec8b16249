/**
 * Resuming a run (`ptp-runner run <pipeline> --resume <run-id>`): what a run
 * records so that a later process can tell whether the pipeline file and the
 * inputs are still the ones it ran with ({@link RunFingerprint}), and how the
 * journal's targets, facts and step outputs become the starting state of the
 * resumed run ({@link planResume}). The runner knows nothing of AWS: whether
 * the run's instances still exist is checked by the AWS plugin
 * (plugins/aws/shared/instance-presence.ts).
 * @module
 */
import { Buffer } from "node:buffer";
import { createHash, createHmac, randomBytes, scryptSync } from "node:crypto";
import type { RecordedAddressNames } from "./address-names.ts";
import { isRecapSteps, type RecapSteps } from "./recap.ts";
import type { JournalData } from "./journal.ts";
import type { Pipeline, ResolvedInputs, StepSpec } from "./pipeline/model.ts";
import type { Target } from "./types.ts";

/**
 * What a run records of its pipeline file and inputs (journal `fingerprint`).
 * No input value is stored here, secret or not: only keyed digests.
 */
export interface RunFingerprint {
  /** SHA-256 of the pipeline file's text, lower-case hex. */
  pipeline: string;
  /** Random 32-byte key (salt) of the input digests, hex. */
  key: string;
  /**
   * Digest of each resolved input value's canonical JSON, hex, by input name:
   * HMAC-SHA-256 with `key`; for a `secret` input scrypt (N=2^14, r=8, p=1,
   * 32 bytes) salted with `key`, so a weak secret is costly to guess from it.
   */
  inputs: Record<string, string>;
}

/** JSON with object keys sorted, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * Fingerprint of a run's pipeline file text and resolved inputs.
 * @param key hex key of the input digests: a new random one for a new run,
 *   the recorded one to compare with a run.
 */
export function runFingerprint(
  pipelineText: string,
  inputs: Pick<ResolvedInputs, "values" | "secrets">,
  key: string = randomBytes(32).toString("hex"),
): RunFingerprint {
  const digests: Record<string, string> = {};
  const salt = Buffer.from(key, "hex");
  for (const name of Object.keys(inputs.values).sort()) {
    const text = canonicalJson(inputs.values[name]);
    digests[name] = inputs.secrets.includes(name)
      ? scryptSync(text, salt, 32).toString("hex")
      : createHmac("sha256", salt).update(text).digest("hex");
  }
  return {
    pipeline: createHash("sha256").update(pipelineText).digest("hex"),
    key,
    inputs: digests,
  };
}

/**
 * What differs between the recorded fingerprint and the current one, one
 * line each: the pipeline file (digests), and each input added, removed or
 * changed. A changed non-secret input shows both values (`shown*`: inputs as
 * the journal shows them, secrets `***`); a secret only that it changed.
 * @returns no lines when nothing changed.
 */
export function fingerprintChanges(
  recorded: { fingerprint: RunFingerprint; inputs: Record<string, unknown>; file: string },
  current: { fingerprint: RunFingerprint; inputs: Record<string, unknown>; secrets: string[] },
): string[] {
  const lines: string[] = [];
  const was = recorded.fingerprint;
  const now = current.fingerprint;
  if (was.pipeline !== now.pipeline) {
    lines.push(
      `pipeline file changed (was ${recorded.file}, sha256 ${was.pipeline.slice(0, 12)}; ` +
        `now sha256 ${now.pipeline.slice(0, 12)})`,
    );
  }
  const names = [...new Set([...Object.keys(was.inputs), ...Object.keys(now.inputs)])].sort();
  for (const name of names) {
    if (!(name in now.inputs)) lines.push(`input ${name}: the pipeline no longer has it`);
    else if (!(name in was.inputs)) lines.push(`input ${name}: new since the run`);
    else if (was.inputs[name] !== now.inputs[name]) {
      lines.push(
        current.secrets.includes(name)
          ? `input ${name} (secret): changed`
          : `input ${name}: was ${JSON.stringify(recorded.inputs[name])}, now ${
            JSON.stringify(current.inputs[name])
          }`,
      );
    }
  }
  return lines;
}

/** The starting state of a resumed run (see {@link planResume}). */
export interface ResumeState {
  /** Id of the run being resumed (the resumed run keeps it). */
  runId: string;
  /** Every target of the run: finished ones as they were, resumed ones reset to `pending`. */
  targets: Target[];
  /** Pipeline-scope step outputs the run recorded, by step id. */
  outputs: Record<string, Record<string, unknown>>;
  /** Ids of the targets that go on. */
  resumedTargets: string[];
  /**
   * Each step's result before the resume (absent in journals written before
   * step results were kept).
   */
  recap?: RecapSteps;
  /** The run's numbering of IP addresses (absent in journals written before it was kept). */
  addressNames?: RecordedAddressNames;
}

/** Target statuses that mean the target is finished: it keeps its verdict. */
const FINISHED: ReadonlySet<Target["status"]> = new Set(["done", "skipped"]);

/**
 * Whether a step's work lives only in the process that ran it (it writes a
 * `services.*` key, e.g. connect's SSH session): a resumed target runs it
 * again although it finished, since sessions do not survive the process.
 */
export function holdsLiveState(step: StepSpec): boolean {
  return (step.plugin.writes ?? []).some((key) => key.startsWith("services."));
}

/**
 * Whether a resumed run skips `step` as done before: it finished ok then (it
 * has recorded outputs), is not an `always` step (report, cleanup run again
 * over the whole run) and holds no live state ({@link holdsLiveState}).
 * @param outputs the recorded outputs (the target's for a target step).
 */
export function doneBeforeResume(
  step: StepSpec,
  outputs: Readonly<Record<string, unknown>>,
): boolean {
  return !step.always && !holdsLiveState(step) && outputs[step.id] !== undefined;
}

/**
 * Why a run whose journal says `running` (its process alive, or on another
 * host where liveness cannot be checked) cannot be resumed; undefined for any
 * other status. `readJournal` already reports a dead process as `abandoned`.
 */
export function stillRunning(data: Pick<JournalData, "runId" | "status" | "pid" | "host">) {
  if (data.status !== "running") return undefined;
  const where = data.pid === undefined
    ? ""
    : ` (process ${data.pid}${data.host ? ` on ${data.host}` : ""})`;
  return `run ${data.runId} is still running${where}: wait for it to end, or stop it ` +
    `(Ctrl-C), then resume`;
}

/**
 * Plans the resume of the run `data` records, with `pipeline` (already known
 * to be the same file). Targets that finished (`done`, `skipped`) keep their
 * status and verdict; the others (failed, cancelled, never finished) are reset
 * to `pending` without their failure (and without the verdict `error` the
 * failure gave) and go on from their first step without recorded outputs.
 * @returns the state, or the reasons the run cannot be resumed (one line each).
 */
export function planResume(
  data: JournalData,
  pipeline: Pipeline,
): { state: ResumeState } | { problems: string[] } {
  const id = data.runId;
  const running = stillRunning(data);
  if (running) return { problems: [running] };
  if (data.status === "succeeded") {
    return { problems: [`run ${id} succeeded: there is nothing to resume`] };
  }
  const creator = pipeline.steps.find((s) =>
    s.plugin.scope === "pipeline" && !s.always && (s.plugin.writes ?? []).includes("targets") &&
    data.outputs[s.id] === undefined
  );
  if (creator) {
    return {
      problems: [
        `run ${id} ended before step "${creator.id}" gave it its targets: there is nothing to ` +
        `resume; start a new run (ptp-runner cleanup --run ${id} releases what it may have left)`,
      ],
    };
  }
  const targets = structuredClone(data.targets);
  const resumed = targets.filter((t) => !FINISHED.has(t.status));
  const pipelineStepsLeft = pipeline.steps.some((s) =>
    s.plugin.scope === "pipeline" && !doneBeforeResume(s, data.outputs) && !s.always
  );
  if (resumed.length === 0 && !pipelineStepsLeft) {
    return {
      problems: [
        `every target of run ${id} finished (verdicts are final): there is nothing to resume; ` +
        `ptp-runner cleanup --run ${id} releases what it left`,
      ],
    };
  }
  for (const target of resumed) {
    target.status = "pending";
    delete target.failure;
    if (target.verdict === "error") {
      delete target.verdict;
      delete target.verdictReason;
    }
  }
  return {
    state: {
      runId: id,
      targets,
      outputs: structuredClone(data.outputs),
      resumedTargets: resumed.map((t) => t.id),
      ...(isRecapSteps(data.recap) ? { recap: structuredClone(data.recap) } : {}),
      ...(data.addressNames ? { addressNames: structuredClone(data.addressNames) } : {}),
    },
  };
}
