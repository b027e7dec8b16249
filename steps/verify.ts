/**
 * `verify`: proves chrony uses the ENA PHC, layer by layer (driver, udev,
 * chrony, service; PTP.md section 6), polling chrony up to `timeout`. Gives a
 * verdict (`functional`, `unsupported`, `misconfigured` with the failing
 * layer, never thrown) and the clock quality with its error bound.
 * @module
 */
import { defineStep, durationSeconds, z } from "../plugins/api.ts";
import type { Target, TargetStepContext } from "../runner/types.ts";
import { parseChronycTracking } from "../plugins/parsers/chronyc.ts";
import {
  type ClockQuality,
  ClockQualitySchema,
  ClockSampleSchema,
  type VerifyFacts,
} from "../plugins/ptp/facts.ts";
import { clockSamplesOf, type TrackingPoll } from "../plugins/ptp/clock-samples.ts";
import { shellFor } from "../plugins/ssh/shell-registry.ts";
import type { RemoteShell } from "../plugins/ssh/types.ts";
import {
  chronydJournalTail,
  type ChronydStatus,
  readChronydStatus,
} from "../plugins/ptp/chronyd-service.ts";
import { ROLLBACK_GRACE_SECONDS, rollBackChrony } from "../plugins/ptp/chrony-rollback.ts";
import { type ClockChoice, clockChoiceOf, ClockChoiceSchema } from "../plugins/ptp/clock-choice.ts";
import { findChosenClock } from "../plugins/ptp/chosen-clock.ts";
import { hostLayout } from "../plugins/host/distribution.ts";
import { clockQuality, parsePhcErrorBound } from "../plugins/ptp/clock-quality.ts";
import { diagnose } from "../plugins/ptp/diagnose.ts";
import { enaNotEnabledReason, readNicDevice } from "../plugins/ptp/ena-not-enabled.ts";
import { type PhcSnapshot, readPhcSnapshot } from "../plugins/ptp/phc-clock.ts";
import { pciSlotOf, primaryInterface } from "../plugins/ptp/primary-interface.ts";
import { readRemoteFile } from "../plugins/ptp/remote-files.ts";
import {
  type CheckOutcome,
  chosenClockChecks,
  chronyChecks,
  driverAndUdevChecks,
  PHC_REFCLOCK_NAME,
  serviceCheck,
} from "../plugins/ptp/verify-checks.ts";
import type {} from "../plugins/aws/shared/facts.ts";

/** `VerifyInput` as the step receives it (from the schema). */
export type VerifyInput = z.output<typeof VerifyInput>;

/** `VerifyOutput` as the step returns it (from the schema). */
export type VerifyOutput = z.input<typeof VerifyOutput>;

/** Input of `verify`. */
export const VerifyInput = z.object({
  /** Which PHC chrony should use: `ena`, `primary-nic` or `clock_name:<glob>`. */
  clock: ClockChoiceSchema,
  /** Seconds to keep polling chrony for the PHC to be selected with its last 3 polls answered. */
  timeout: durationSeconds(60).describe(
    "How long to poll chrony for #* PHC0 with its last 3 polls answered.",
  ),
  /** Seconds between polls. */
  interval: durationSeconds(2).describe("Time between polls."),
  /** Seconds to keep sampling `chronyc tracking` once chrony selected the PHC (0: none). */
  observe: durationSeconds(0).describe(
    "How long to keep sampling chrony (every interval) after the PHC is selected, e.g. 10m; " +
      "the step's timeout must cover it.",
  ),
  /**
   * Seconds to wait, after a rollback restarted chrony, before reading its
   * state again: it must still be active with the same `InvocationID` (a
   * crash and an automatic restart in between give a new one). A fatal error
   * at start (e.g. `Could not open PHC`) already fails the restart itself:
   * chronyd's foreground process exits only once the daemon finished
   * initialising (chrony main.c, `post_init_ntp_hook`; a forking unit's
   * `systemctl restart` waits for it). This wait catches an exit after that.
   * Same role as configure-chrony's `settle_seconds`.
   */
  rollback_settle: durationSeconds(3).describe(
    "After a rollback restarted chrony (found dead with the PHC refclock): wait before checking " +
      "it stayed up (same InvocationID).",
  ),
}).strict();

/** Output of `verify`. */
export const VerifyOutput = z.object({
  changed: z.literal(false),
  /** The verdict; null in check mode (`--dry-run`: nothing was applied, so nothing is judged). */
  verdict: z.enum(["functional", "unsupported", "misconfigured"]).nullable(),
  /** True under `--dry-run`. */
  check_mode: z.boolean(),
  /** First failing layer (`hardware`, `driver`, `udev`, `chrony`, `service`); null when functional. */
  failed_layer: z.string().nullable(),
  /** Stable device path (`/dev/ptp_ena`, `/dev/ptp_refclock`) when it resolves to the chosen clock. */
  device: z.string().nullable(),
  /** `clock_name` of the chosen clock. */
  clock_name: z.string().nullable(),
  /** N of `/dev/ptpN` of the chosen clock. */
  phc_index: z.number().int().nullable(),
  /** Primary interface. */
  interface: z.string().nullable(),
  /** ENA driver version (`modinfo -F version ena`); null when the module prints none. */
  driver_version: z.string().nullable(),
  /** `uname -m` (`x86_64`, `aarch64`). */
  architecture: z.string().nullable(),
  /** Clock quality when chrony tracks PHC0. */
  quality: ClockQualitySchema.nullable(),
  /** chrony samples, one per poll (polling window, then `observe`). */
  samples: z.array(ClockSampleSchema),
});

/** One poll of chrony and chronyd. */
async function chronyRound(
  shell: RemoteShell,
  unit: string,
  baseline: string | null | undefined,
  signal: AbortSignal,
) {
  const sources = await shell.run("chronyc -n sources", { signal });
  const tracking = await shell.run("chronyc -n tracking", { signal });
  const status = await readChronydStatus(shell, unit, signal);
  return {
    checks: [...chronyChecks(sources, tracking), serviceCheck(status, unit, baseline)],
    tracking,
    status,
  };
}

/**
 * Keeps polling `chronyc -n tracking` every `interval` for `observe` seconds
 * (run time) after chrony selected the PHC, appending to `polls`.
 * @throws the signal's reason when cancelled
 */
async function observeChrony(
  ctx: TargetStepContext,
  shell: RemoteShell,
  input: VerifyInput,
  polls: TrackingPoll[],
  sinceStart: () => number,
  signal: AbortSignal,
): Promise<void> {
  const interval = Math.max(input.interval, 0.001);
  ctx.log.info(`observing chrony for ${input.observe} s (a sample every ${interval} s)`);
  const from = sinceStart();
  while (sinceStart() - from + interval <= input.observe) {
    await ctx.sleep(interval, signal);
    const tracking = await shell.run("chronyc -n tracking", { signal });
    polls.push({ tSeconds: sinceStart(), stdout: tracking.stdout });
  }
}

/** `facts.<key>` when known, else the trimmed stdout of `command` (null when empty or failing). */
async function factOr(
  known: string | null | undefined,
  shell: RemoteShell,
  command: string,
  signal: AbortSignal,
): Promise<string | null> {
  if (known) return known;
  const result = await shell.run(command, { signal });
  return result.exitCode === 0 && result.stdout.trim() !== "" ? result.stdout.trim() : null;
}

/** Records diagnoses of the failing checks (the chrony journal when chrony is down). */
async function diagnoseFailures(
  target: Target,
  checks: CheckOutcome[],
  shell: RemoteShell,
  unit: string,
  status: ChronydStatus,
  signal: AbortSignal,
): Promise<void> {
  for (const c of checks.filter((x) => !x.pass)) {
    diagnose(target, c.layer, c.summary ?? c.check, c.evidence);
  }
  if (status.active !== "active") {
    const journal = await chronydJournalTail(shell, unit, signal);
    diagnose(target, "service", `last lines of ${unit}'s journal`, journal);
  }
}

/**
 * Why the chosen (non-`ena`) clock is missing when the ENA PHC was simply not
 * enabled (the ENA steps did not run for this clock choice); undefined when
 * that is not the cause. Reads the primary NIC's uevent only when it may be.
 * @throws StepError `connection`/`cancelled` from the shell
 */
async function enaSkippedReason(
  facts: Target["facts"],
  choice: ClockChoice,
  iface: string | null,
  snapshot: PhcSnapshot,
  shell: RemoteShell,
  signal: AbortSignal,
): Promise<string | undefined> {
  if (facts.phc !== undefined || snapshot.phcEnable === 1 || iface === null) return undefined;
  const nic = await readNicDevice(shell, iface, signal);
  return enaNotEnabledReason({
    choice,
    iface,
    nicDriver: nic.driver,
    pciSlot: nic.pciSlot,
    phcEnable: snapshot.phcEnable,
    enableHwtsRan: false,
  });
}

/**
 * Runs verify on the current target: writes `facts.verify`, sets
 * `target.verdict`/`verdictReason`, records diagnoses when not functional.
 * When chrony is found dead with this run's refclock in place, rolls the
 * change back (restore, restart, check). In check mode (`--dry-run`) reads
 * the clock only and gives no verdict (nothing was applied): the reason
 * says so and counts the changes that would be made.
 * @throws StepError `config` without a target/session; `connection`/`cancelled`
 *   (never for a verdict)
 */
async function runVerify(
  ctx: TargetStepContext,
  input: VerifyInput,
  signal: AbortSignal,
): Promise<VerifyOutput> {
  const target = ctx.target;
  const facts = target.facts;
  const unit = hostLayout(facts).chrony_unit;
  const choice = clockChoiceOf(input.clock);
  const checkMode = ctx.settings.dryRun;
  const shell = await shellFor(ctx);
  const iface = await primaryInterface(facts, shell, signal);
  const snapshot = await readPhcSnapshot(shell, iface, signal);
  const host = target.address ?? target.label;
  const chosen = findChosenClock(choice, snapshot, iface, host);
  const clock = chosen.found ? chosen.clock : null;
  const driverChecks = choice.kind === "ena"
    ? driverAndUdevChecks(snapshot, iface)
    : chosenClockChecks(
      chosen,
      snapshot,
      chosen.found ? await shell.run(`readlink ${chosen.device}`, { signal }) : null,
    );

  const identity = async () => ({
    interface: iface,
    driver_version: choice.kind === "ena"
      ? await factOr(facts.ena?.version, shell, "modinfo -F version ena", signal)
      : null,
    architecture: await factOr(
      facts.arch && facts.arch.machine !== "unknown" ? facts.arch.machine : null,
      shell,
      "uname -m",
      signal,
    ),
  });

  if (checkMode) {
    const planned = (facts.changes ?? []).length;
    target.verdictReason = `check mode (--dry-run): no verdict; ${planned} host change(s) ` +
      "would be made (see changes)";
    ctx.log.info(target.verdictReason);
    return {
      changed: false,
      verdict: null,
      check_mode: true,
      failed_layer: null,
      device: null,
      clock_name: clock?.clockName ?? null,
      phc_index: clock?.index ?? null,
      ...(await identity()),
      quality: null,
      samples: [],
    };
  }

  const baseline = facts.chrony?.invocationId;
  const rounds = Math.max(1, Math.floor(input.timeout / Math.max(input.interval, 0.001)) + 1);
  // Sample times in run seconds: wall time divided by the time scale (the simulator's speed).
  const started = performance.now();
  const scale = ctx.settings.timeScale > 0 ? ctx.settings.timeScale : 1;
  const sinceStart = () => (performance.now() - started) / 1000 / scale;
  const polls: TrackingPoll[] = [];
  const sampled = <T extends { tracking: { stdout: string } }>(r: T, t: number): T => {
    polls.push({ tSeconds: t, stdout: r.tracking.stdout });
    return r;
  };
  let round = sampled(await chronyRound(shell, unit, baseline, signal), 0);
  const driverOk = driverChecks.every((c) => c.pass);
  for (let i = 1; i < rounds && driverOk; i++) {
    const failing = round.checks.filter((c) => !c.pass);
    // Only chrony converging (reach rising, selection pending) is worth waiting for.
    if (failing.length === 0 || failing.some((c) => c.layer !== "chrony")) break;
    await ctx.sleep(input.interval, signal);
    round = sampled(await chronyRound(shell, unit, baseline, signal), sinceStart());
  }
  const checks = [...driverChecks, ...round.checks];

  if (input.observe > 0 && round.checks.every((c) => c.pass) && driverOk) {
    await observeChrony(ctx, shell, input, polls, sinceStart, signal);
  }

  const tracking = parseChronycTracking(round.tracking.stdout);
  let quality: ClockQuality | null = null;
  let phcBound: number | null = null;
  if (tracking.referenceName === PHC_REFCLOCK_NAME) {
    const slot = choice.kind === "ena" ? await pciSlotOf(facts, iface, shell, signal) : null;
    const bound = slot
      ? parsePhcErrorBound(
        (await readRemoteFile(shell, `/sys/bus/pci/devices/${slot}/phc_error_bound`, signal))
          .content,
      )
      : null;
    phcBound = bound;
    quality = clockQuality(tracking, bound);
  }
  const samples = clockSamplesOf(polls, phcBound);

  // chrony's checks depend on chronyd running: a service failure is the cause, not chrony's.
  const order: CheckOutcome["layer"][] = ["driver", "udev", "service", "chrony"];
  const firstFailure = order.map((layer) => checks.find((c) => c.layer === layer && !c.pass))
    .find((c) => c !== undefined) ?? null;
  let verdict: VerifyFacts["verdict"] = "functional";
  let failedLayer: string | null = null;
  let reason = `chrony uses the PHC${
    clock ? ` ${clock.clockName}` : ""
  } (#* PHC0, last 3 polls answered, stratum 1)`;
  let notEnabled: string | undefined;
  if (firstFailure) {
    const noClock = choice.kind === "ena" && snapshot.phcEnable === 1 &&
      snapshot.enaClock === null;
    if (choice.kind === "ena" && facts.phcSupport === "unsupported") {
      verdict = "unsupported";
      failedLayer = "hardware";
      reason = "the instance type reports PhcSupport unsupported";
      diagnose(target, "hardware", reason);
    } else if (choice.kind === "ena" && (facts.phc?.state === "unsupported" || noClock)) {
      verdict = "unsupported";
      failedLayer = "hardware";
      reason = "phc_enable is 1 but no ena-ptp-* clock exists: this hardware has no PHC";
    } else if (!chosen.found && choice.kind !== "ena") {
      notEnabled = await enaSkippedReason(facts, choice, iface, snapshot, shell, signal);
      verdict = notEnabled ? "misconfigured" : chosen.verdict;
      failedLayer = !notEnabled && chosen.verdict === "unsupported" ? "hardware" : "driver";
      reason = notEnabled ?? chosen.reason;
      if (notEnabled) diagnose(target, "driver", notEnabled, snapshot.phcEnableResult);
    } else {
      verdict = "misconfigured";
      failedLayer = firstFailure.layer;
      reason = `${firstFailure.layer}: ${firstFailure.summary ?? firstFailure.check}`;
    }
    // Without the chosen clock, chrony's failures are only its consequence: not diagnosed.
    // When the ENA PHC was not enabled, that diagnosis replaces "no such clock".
    const diagnosed = chosen.found
      ? checks
      : checks.filter((c) => c.layer !== "chrony" && !(notEnabled && c.layer === "driver"));
    await diagnoseFailures(target, diagnosed, shell, unit, round.status, signal);
    const previous = facts.chrony?.previous;
    if (round.status.active !== "active" && facts.chrony?.changed && previous?.length) {
      const outcome = await rollBackChrony(ctx, shell, {
        previous,
        unit,
        restart: true,
        settleSeconds: input.rollback_settle,
        why: `verify found ${unit} ${round.status.active} with ptp-runner's PHC refclock`,
      });
      facts.chrony = { ...facts.chrony, rolledBack: outcome.filesRestored, previous: undefined };
      reason += outcome.filesRestored && outcome.chronyActive
        ? "; the chrony change was rolled back"
        : `; ${outcome.summary}`;
    }
  }

  facts.verify = {
    verdict,
    failedLayer,
    checks: checks.map(({ layer, check, pass, observed }) => ({ layer, check, pass, observed })),
    quality,
    samples,
  };
  target.verdict = verdict;
  target.verdictReason = reason;
  ctx.log.info(`verdict ${verdict}: ${reason}`);

  const linked = chosen.found &&
    (choice.kind === "ena"
      ? snapshot.symlinkTarget === chosen.clock.device
      : driverChecks.every((c) => c.pass));
  return {
    changed: false,
    verdict,
    check_mode: false,
    failed_layer: failedLayer,
    device: linked && chosen.found ? chosen.device : null,
    clock_name: clock?.clockName ?? null,
    phc_index: clock?.index ?? null,
    ...(await identity()),
    quality,
    samples,
  };
}

export default defineStep({
  type: "verify",
  description:
    "Check the chosen PHC, its udev link, chrony and its service; verdict and clock quality.",
  scope: "target",
  input: VerifyInput,
  output: VerifyOutput,
  reads: [
    "facts.ena",
    "facts.arch",
    "facts.phc",
    "facts.chrony",
    "facts.phcSupport",
    "facts.host",
    "facts.changes",
    "settings.dryRun",
  ],
  writes: [
    "facts.verify",
    "facts.chrony",
    "facts.changes",
    "target.verdict",
    "target.verdictReason",
    "target.diagnostics",
  ],
  // verify may be rolling chrony back when an interrupt lands (rollback bound: 60 s).
  abortGraceSeconds: ROLLBACK_GRACE_SECONDS,
  async run(ctx, input, signal) {
    return await runVerify(ctx, input, signal);
  },
});
