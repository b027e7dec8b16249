/**
 * `run --resume <run-id>`: every check made before a run is resumed, so that
 * a refusal (exit 2) creates and changes nothing: the journal exists, the run
 * is not alive, the pipeline file and the inputs are those the run recorded,
 * the run got its targets, and the instances of the targets that go on still
 * run.
 * @module
 */
import { ValidationError, type ValidationIssue } from "../runner/errors.ts";
import { AddressNames } from "../runner/address-names.ts";
import { maskSecretInputs } from "../runner/executor.ts";
import { journalDir, readJournal, runLiveness } from "../runner/journal.ts";
import type { Pipeline, ResolvedInputs } from "../runner/pipeline/model.ts";
import {
  fingerprintChanges,
  planResume,
  type ResumeState,
  runFingerprint,
  stillRunning,
} from "../runner/resume.ts";
import type { RunSettings } from "../runner/types.ts";

/** Source every refusal names. */
const SOURCE = "--resume";

function refuse(messages: string[]): never {
  throw new ValidationError(
    messages.map((message): ValidationIssue => ({ source: SOURCE, message })),
  );
}

/** Where to look for run ids, appended to a refusal of an unknown one. */
const LIST_RUNS_HINT = "list the runs with: ptp-runner runs";

/**
 * Why `--resume <runId>` names no run that can be read (malformed id, no
 * journal, unreadable journal), with how to list the runs; undefined when its
 * journal reads. Checked before anything else about the run (its inputs
 * included), so an unknown id is what a mistyped one is told.
 */
export async function resumeRunProblem(
  runId: string,
  workDir: string,
): Promise<string | undefined> {
  try {
    await readJournal(workDir, runId);
    return undefined;
  } catch (error) {
    return `${(error as Error).message}; ${LIST_RUNS_HINT}`;
  }
}

/**
 * Checks that run `runId` can be resumed with `pipeline` (whose file text is
 * `pipelineText`) and `inputs`, and returns its starting state.
 * @throws ValidationError (source `--resume`, exit 2) naming each reason:
 *   no such journal; the run's process is alive; a journal without a
 *   fingerprint (older version); the pipeline file or an input changed (each
 *   change on its own line); nothing to resume; instances gone.
 * @throws Error when AWS cannot be asked about the instances (exit 1).
 */
export async function checkResume(
  runId: string,
  pipeline: Pipeline,
  pipelineText: string,
  inputs: ResolvedInputs,
  settings: RunSettings,
): Promise<ResumeState> {
  let data;
  try {
    data = await readJournal(settings.workDir, runId);
  } catch (error) {
    refuse([`${(error as Error).message}; ${LIST_RUNS_HINT}`]);
  }
  const running = stillRunning(data);
  if (running) refuse([running]);
  if (await runLiveness(journalDir(settings.workDir, runId)) === "alive") {
    refuse([`run ${runId} is still alive (process ${data.pid ?? "?"} holds its run lock)`]);
  }
  if (!data.fingerprint) {
    refuse([
      `the journal of run ${runId} does not record its pipeline file and inputs (written by an ` +
      `older version): it cannot be resumed`,
    ]);
  }
  const changes = fingerprintChanges(
    { fingerprint: data.fingerprint, inputs: data.inputs, file: data.pipeline.file },
    {
      fingerprint: runFingerprint(pipelineText, inputs, data.fingerprint.key),
      // As the journal holds them: addresses by the run's placeholders.
      inputs: new AddressNames({ recorded: data.addressNames }).redact(maskSecretInputs(inputs)),
      secrets: inputs.secrets,
    },
  );
  if (changes.length > 0) refuse(changes.map((change) => `changed since run ${runId}: ${change}`));
  const plan = planResume(data, pipeline);
  if ("problems" in plan) refuse(plan.problems);
  const going = plan.state.targets.filter((t) =>
    plan.state.resumedTargets.includes(t.id) && t.instanceId
  );
  if (going.length > 0) {
    const gone = await goneInstancesOf(going, settings);
    if (gone.length > 0) {
      refuse([
        `instances of run ${runId} are gone, its targets cannot go on: ${
          gone.map((g) => `${g.instanceId} (${g.targetId}) ${g.state}`).join(", ")
        }; start a new run (ptp-runner cleanup --run ${runId} releases what is left)`,
      ]);
    }
  }
  return plan.state;
}

/** Asks EC2 (lazily loaded) which instances of `targets` no longer run. */
async function goneInstancesOf(
  targets: Parameters<typeof import("../plugins/aws/shared/instance-presence.ts").goneInstances>[1],
  settings: RunSettings,
) {
  const { goneInstances } = await import("../plugins/aws/shared/instance-presence.ts");
  const { createCommandContext } = await import("../plugins/aws/release/command-context.ts");
  const ctx = createCommandContext("resume", {
    region: settings.region,
    profile: settings.profile,
    endpoint: settings.aws.endpoint,
    yes: settings.yes,
    interactive: false,
    workDir: settings.workDir,
  });
  try {
    return await goneInstances(ctx, targets, new AbortController().signal);
  } finally {
    await ctx.close();
  }
}
