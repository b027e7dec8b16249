/**
 * Implementation of the `verify` step: the three layers of PTP.md section 6
 * (driver, udev, chrony) plus the chronyd service, polling chrony until the
 * PHC is selected with full reach or the timeout passes, then a verdict
 * (`functional`, `unsupported`, `misconfigured` with the failing layer) and
 * the clock quality. A verdict that is not `functional` is not an error.
 *
 * Domain source: PTP.md section 6.
 * @module
 */
import type { StepContext, Target } from "../../runner/types.ts";
import { parseChronycTracking } from "../parsers/chronyc.ts";
import { type ClockQuality, ptpFacts, type VerifyFacts } from "../ptp-facts.ts";
import { shellFor } from "../ssh/shell-registry.ts";
import type { RemoteShell } from "../ssh/types.ts";
import { chronydJournalTail, readChronydStatus } from "./chronyd-service.ts";
import { clockQuality, parsePhcErrorBound } from "./clock-quality.ts";
import { diagnose } from "./diagnose.ts";
import { readPhcSnapshot } from "./phc-clock.ts";
import { pciSlotOf, primaryInterface } from "./primary-interface.ts";
import { readRemoteFile } from "./remote-files.ts";
import { currentTarget } from "./step-target.ts";
import {
  type CheckOutcome,
  chronyChecks,
  driverAndUdevChecks,
  PHC_REFCLOCK_NAME,
  serviceCheck,
} from "./verify-checks.ts";

/** Input of verify. */
export interface VerifyInput {
  /** Seconds to keep polling chrony for the PHC to be selected with reach 377. */
  timeout: number;
  /** Seconds between polls. */
  interval: number;
}

/** Output of verify. */
export interface VerifyOutput {
  changed: false;
  verdict: "functional" | "unsupported" | "misconfigured";
  /** First failing layer (`hardware`, `driver`, `udev`, `chrony`, `service`); null when functional. */
  failed_layer: string | null;
  /** `/dev/ptp_ena` when it resolves to the ENA clock. */
  device: string | null;
  /** `clock_name` of the ENA clock. */
  clock_name: string | null;
  /** N of `/dev/ptpN` of the ENA clock. */
  phc_index: number | null;
  /** Primary interface. */
  interface: string | null;
  /** ENA driver version (`modinfo -F version ena`); null when the module prints none. */
  driver_version: string | null;
  /** `uname -m` (`x86_64`, `aarch64`). */
  architecture: string | null;
  /** Clock quality when chrony tracks PHC0. */
  quality: ClockQuality | null;
}

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
export async function runVerify(
  ctx: StepContext,
  input: VerifyInput,
  signal: AbortSignal,
): Promise<VerifyOutput> {
  const target = currentTarget(ctx);
  const facts = ptpFacts(target);
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
