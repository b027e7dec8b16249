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
import { type ClockQuality, ClockQualitySchema, type VerifyFacts } from "../plugins/ptp/facts.ts";
import { shellFor } from "../plugins/ssh/shell-registry.ts";
import type { RemoteShell } from "../plugins/ssh/types.ts";
import { chronydJournalTail, readChronydStatus } from "../plugins/ptp/chronyd-service.ts";
import { clockQuality, parsePhcErrorBound } from "../plugins/ptp/clock-quality.ts";
import { diagnose } from "../plugins/ptp/diagnose.ts";
import { readPhcSnapshot } from "../plugins/ptp/phc-clock.ts";
import { pciSlotOf, primaryInterface } from "../plugins/ptp/primary-interface.ts";
import { readRemoteFile } from "../plugins/ptp/remote-files.ts";
import {
  type CheckOutcome,
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
  /** Seconds to keep polling chrony for the PHC to be selected with reach 377. */
  timeout: durationSeconds(60).describe(
    "How long to poll chrony for #* PHC0 with reach 377.",
  ),
  /** Seconds between polls. */
  interval: durationSeconds(2).describe("Time between polls."),
}).strict();

/** Output of `verify`. */
export const VerifyOutput = z.object({
  changed: z.literal(false),
  verdict: z.enum(["functional", "unsupported", "misconfigured"]),
  /** First failing layer (`hardware`, `driver`, `udev`, `chrony`, `service`); null when functional. */
  failed_layer: z.string().nullable(),
  /** `/dev/ptp_ena` when it resolves to the ENA clock. */
  device: z.string().nullable(),
  /** `clock_name` of the ENA clock. */
  clock_name: z.string().nullable(),
  /** N of `/dev/ptpN` of the ENA clock. */
  phc_index: z.number().int().nullable(),
  /** Primary interface. */
  interface: z.string().nullable(),
  /** ENA driver version (`modinfo -F version ena`); null when the module prints none. */
  driver_version: z.string().nullable(),
  /** `uname -m` (`x86_64`, `aarch64`). */
  architecture: z.string().nullable(),
  /** Clock quality when chrony tracks PHC0. */
  quality: ClockQualitySchema.nullable(),
});

/** One poll of chrony and chronyd. */
async function chronyRound(
  shell: RemoteShell,
  baseline: number | null | undefined,
  signal: AbortSignal,
) {
  const sources = await shell.run("chronyc -n sources", { signal });
  const tracking = await shell.run("chronyc tracking", { signal });
  const status = await readChronydStatus(shell, signal);
  return {
    checks: [...chronyChecks(sources, tracking), serviceCheck(status, baseline)],
    tracking,
    status,
  };
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

/** Records diagnoses of the failing checks (the chronyd journal when chronyd is down). */
async function diagnoseFailures(
  target: Target,
  checks: CheckOutcome[],
  shell: RemoteShell,
  chronydActive: boolean,
  signal: AbortSignal,
): Promise<void> {
  for (const c of checks.filter((x) => !x.pass)) {
    diagnose(target, c.layer, c.summary ?? c.check, c.evidence);
  }
  if (!chronydActive) {
    const journal = await chronydJournalTail(shell, signal);
    diagnose(target, "service", "last lines of chronyd's journal", journal);
  }
}

/**
 * Runs verify on the current target: writes `facts.verify`, sets
 * `target.verdict`/`verdictReason`, records diagnoses when not functional.
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
  const shell = await shellFor(ctx);
  const iface = await primaryInterface(facts, shell, signal);
  const snapshot = await readPhcSnapshot(shell, iface, signal);
  const driverChecks = driverAndUdevChecks(snapshot, iface);
  const baseline = facts.chrony?.nRestarts;

  const rounds = Math.max(1, Math.floor(input.timeout / Math.max(input.interval, 0.001)) + 1);
  let round = await chronyRound(shell, baseline, signal);
  const driverOk = driverChecks.every((c) => c.pass);
  for (let i = 1; i < rounds && driverOk; i++) {
    const failing = round.checks.filter((c) => !c.pass);
    // Only chrony converging (reach rising, selection pending) is worth waiting for.
    if (failing.length === 0 || failing.some((c) => c.layer !== "chrony")) break;
    await ctx.sleep(input.interval, signal);
    round = await chronyRound(shell, baseline, signal);
  }
  const checks = [...driverChecks, ...round.checks];

  const tracking = parseChronycTracking(round.tracking.stdout);
  let quality: ClockQuality | null = null;
  if (tracking.referenceName === PHC_REFCLOCK_NAME) {
    const slot = await pciSlotOf(facts, iface, shell, signal);
    const bound = slot
      ? parsePhcErrorBound(
        (await readRemoteFile(shell, `/sys/bus/pci/devices/${slot}/phc_error_bound`, signal))
          .content,
      )
      : null;
    quality = clockQuality(tracking, bound);
  }

  // chrony's checks depend on chronyd running: a service failure is the cause, not chrony's.
  const order: CheckOutcome["layer"][] = ["driver", "udev", "service", "chrony"];
  const firstFailure = order.map((layer) => checks.find((c) => c.layer === layer && !c.pass))
    .find((c) => c !== undefined) ?? null;
  let verdict: VerifyFacts["verdict"] = "functional";
  let failedLayer: string | null = null;
  let reason = "chrony uses the ENA PHC (#* PHC0, reach 377, stratum 1)";
  if (firstFailure) {
    const noClock = snapshot.phcEnable === 1 && snapshot.enaClock === null;
    if (facts.phcSupport === "unsupported") {
      verdict = "unsupported";
      failedLayer = "hardware";
      reason = "the instance type reports PhcSupport unsupported";
      diagnose(target, "hardware", reason);
    } else if (facts.phc?.state === "unsupported" || noClock) {
      verdict = "unsupported";
      failedLayer = "hardware";
      reason = "phc_enable is 1 but no ena-ptp-* clock exists: this hardware has no PHC";
    } else {
      verdict = "misconfigured";
      failedLayer = firstFailure.layer;
      reason = `${firstFailure.layer}: ${firstFailure.summary ?? firstFailure.check}`;
    }
    await diagnoseFailures(target, checks, shell, round.status.active === "active", signal);
  }

  facts.verify = {
    verdict,
    failedLayer,
    checks: checks.map(({ layer, check, pass, observed }) => ({ layer, check, pass, observed })),
    quality,
  };
  target.verdict = verdict;
  target.verdictReason = reason;
  ctx.log.info(`verdict ${verdict}: ${reason}`);

  const clock = snapshot.enaClock;
  const linked = clock !== null && snapshot.symlinkTarget === clock.device;
  return {
    changed: false,
    verdict,
    failed_layer: failedLayer,
    device: linked ? "/dev/ptp_ena" : null,
    clock_name: clock?.clockName ?? null,
    phc_index: clock?.index ?? null,
    interface: iface,
    driver_version: await factOr(facts.ena?.version, shell, "modinfo -F version ena", signal),
    architecture: await factOr(
      facts.arch && facts.arch.machine !== "unknown" ? facts.arch.machine : null,
      shell,
      "uname -m",
      signal,
    ),
    quality,
  };
}

export default defineStep({
  type: "verify",
  description: "Check driver, udev, chrony and chronyd use the ENA PHC; verdict and clock quality.",
  scope: "target",
  input: VerifyInput,
  output: VerifyOutput,
  reads: ["facts.ena", "facts.arch", "facts.phc", "facts.chrony.nRestarts", "facts.phcSupport"],
  writes: ["facts.verify", "target.verdict", "target.verdictReason", "target.diagnostics"],
  async run(ctx, input, signal) {
    return await runVerify(ctx, input, signal);
  },
});
