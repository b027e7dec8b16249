/**
 * The checks of `verify`, as pure functions over what was read from the
 * target: three layers (driver, udev, chrony) plus the chronyd service, each
 * check with its pass/fail, what was observed, and the evidence quoted when
 * it fails.
 *
 * Domain source: PTP.md section 6 (table and state characters: `*` selected;
 * `#?`, `#x`, `#-` are not success; reach 377 octal = the last 8 polls answered).
 * The reach rule (`recentSamplesAnswered`) is chrony's: "Reach: This shows the
 * source's reachability register printed as an octal number. The register has
 * 8 bits and is updated on every received or missed packet from the source"
 * (chrony `chronyc` manual, `sources` command), so the lowest bit is the last
 * poll. A real busy host keeps `#* PHC0` with reach 376 or 37 now and then.
 * @module
 */
import { parseChronycSources, parseChronycTracking } from "../parsers/chronyc.ts";
import type { ChronydStatus } from "./chronyd-service.ts";
import { type Evidence, evidenceOf } from "./diagnose.ts";
import type { PhcSnapshot } from "./phc-clock.ts";
import { type ChosenClock, describeClocks } from "./chosen-clock.ts";
import type { CommandResult } from "../ssh/types.ts";

/** Name chrony gives the first PHC refclock. */
export const PHC_REFCLOCK_NAME = "PHC0";
/** `chronyc tracking` Reference ID of `PHC0` (ASCII "PHC0" in hex). */
export const PHC0_REFERENCE_ID = "50484330";
/** Low bits of the reach register that must all be set: the 3 most recent polls. */
export const RECENT_REACH_MASK = 0o7;

/**
 * Whether a source's most recent samples were answered: the reach register
 * (8 bits, octal in `chronyc sources`, lowest bit = the last poll, per chrony's
 * `chronyc` manual) has its low 3 bits set (`reach & 0o7 == 0o7`), so it is
 * never 0. Older gaps (e.g. 376 -> 373 -> 367 on a busy host) are accepted;
 * chrony itself keeps such a source selected.
 * @param reach reach register, 0..255
 */
export function recentSamplesAnswered(reach: number): boolean {
  return reach !== 0 && (reach & RECENT_REACH_MASK) === RECENT_REACH_MASK;
}

/** Layers of the checks, in order. */
export type CheckLayer = "driver" | "udev" | "chrony" | "service";

/** Outcome of one check. */
export interface CheckOutcome {
  layer: CheckLayer;
  /** What was checked, e.g. `phc_enable == 1`. */
  check: string;
  pass: boolean;
  /** What was seen, one line. */
  observed: string;
  /** Diagnosis summary when failing. */
  summary?: string;
  /** Raw output quoted when failing. */
  evidence?: Evidence;
}

/**
 * Driver and udev checks from a PHC snapshot: phc_enable == 1, an `ena-ptp-*`
 * clock exists (gives N), `ethtool -T <iface>` index == N, `/dev/ptp_ena` -> ptpN.
 */
export function driverAndUdevChecks(snapshot: PhcSnapshot, iface: string | null): CheckOutcome[] {
  const clock = snapshot.enaClock;
  const clocksObserved = snapshot.clocks.length === 0
    ? "no PTP clocks"
    : snapshot.clocks.map((c) => `${c.device}=${c.clockName}`).join(", ");
  const ethtoolObserved = snapshot.ethtoolResult === null
    ? "no primary interface"
    : `PTP Hardware Clock: ${snapshot.ethtoolIndex ?? "none"}`;
  const phcObserved = snapshot.phcEnable === null
    ? "parameter missing"
    : String(snapshot.phcEnable);
  return [
    {
      layer: "driver",
      check: "phc_enable == 1",
      pass: snapshot.phcEnable === 1,
      observed: phcObserved,
      summary: snapshot.phcEnable === null
        ? "the ena driver has no phc_enable parameter (built without ENA_PHC_INCLUDE=1)"
        : "phc_enable is 0: the PHC is not enabled",
      evidence: evidenceOf(snapshot.phcEnableResult),
    },
    {
      layer: "driver",
      check: "an ena-ptp-* clock exists",
      pass: clock !== null,
      observed: clock ? `${clock.device}=${clock.clockName}` : clocksObserved,
      summary: "no ena-ptp-* PTP clock under /sys/class/ptp",
      evidence: { command: snapshot.clocksResult.command, output: clocksObserved },
    },
    {
      layer: "driver",
      check: `ethtool -T ${iface ?? "<iface>"} index == N`,
      pass: clock !== null && snapshot.ethtoolIndex === clock.index,
      observed: ethtoolObserved,
      summary: clock
        ? `index mismatch: ethtool reports ${
          snapshot.ethtoolIndex ?? "none"
        }, the ENA clock is ${clock.device}`
        : `ethtool reports ${snapshot.ethtoolIndex ?? "none"} and there is no ENA clock`,
      evidence: snapshot.ethtoolResult
        ? evidenceOf(snapshot.ethtoolResult)
        : { command: "ethtool -T", output: "no primary interface" },
    },
    {
      layer: "udev",
      check: "readlink /dev/ptp_ena == ptpN",
      pass: clock !== null && snapshot.symlinkTarget === clock.device,
      observed: snapshot.symlinkTarget ?? "missing",
      summary: snapshot.symlinkTarget === null
        ? "/dev/ptp_ena is missing"
        : `/dev/ptp_ena points to ${snapshot.symlinkTarget}, not ${
          clock?.device ?? "an ENA clock"
        }`,
      evidence: evidenceOf(snapshot.symlinkResult),
    },
  ];
}

/**
 * chrony checks: `chronyc -n sources` has `#* PHC0` whose 3 most recent polls
 * answered (`recentSamplesAnswered`: reach & 0o7 == 0o7; 377 is not required),
 * and `chronyc tracking` references `50484330 (PHC0)` at stratum 1.
 */
export function chronyChecks(sources: CommandResult, tracking: CommandResult): CheckOutcome[] {
  const phc = parseChronycSources(sources.stdout).find((s) => s.name === PHC_REFCLOCK_NAME);
  const t = parseChronycTracking(tracking.stdout);
  const sourcePass = phc !== undefined && phc.mode === "#" && phc.state === "*" &&
    recentSamplesAnswered(phc.reach);
  let sourceSummary =
    `${PHC_REFCLOCK_NAME} is not among chrony's sources (no refclock configured?)`;
  if (phc && phc.state !== "*") {
    sourceSummary = `${PHC_REFCLOCK_NAME} present but not selected (state ${phc.mode}${phc.state})`;
  } else if (phc && !recentSamplesAnswered(phc.reach)) {
    sourceSummary = `${PHC_REFCLOCK_NAME} selected but reach is ${phc.reachOctal}: ` +
      "its most recent samples were missed (low 3 bits of reach not all set)";
  } else if (phc && phc.mode !== "#") {
    sourceSummary = `${PHC_REFCLOCK_NAME} is not a reference clock (mode ${phc.mode})`;
  }
  const trackingPass = t.referenceId === PHC0_REFERENCE_ID && t.stratum === 1;
  return [
    {
      layer: "chrony",
      check: "chronyc sources: #* PHC0, last 3 polls answered (reach & 7 == 7)",
      pass: sourcePass,
      observed: phc ? `${phc.mode}${phc.state} ${phc.name} reach ${phc.reachOctal}` : "no PHC0",
      summary: sourceSummary,
      evidence: evidenceOf(sources),
    },
    {
      layer: "chrony",
      check: "chronyc tracking: 50484330 (PHC0), stratum 1",
      pass: trackingPass,
      observed: `${t.referenceId ?? "?"} (${t.referenceName ?? "?"}), stratum ${t.stratum ?? "?"}`,
      summary: `chrony tracks ${t.referenceName ?? t.referenceId ?? "nothing"} at stratum ` +
        `${t.stratum ?? "?"}, not PHC0 at stratum 1`,
      evidence: evidenceOf(tracking),
    },
  ];
}

/**
 * Checks of a clock chosen by `primary-nic` or `clock_name:<glob>` (driver
 * layer: the clock exists and, for `primary-nic`, is the one `ethtool -T`
 * names; udev layer: the stable link points at it).
 * @param link `readlink <device>` of the chosen clock's stable path; null when no clock was found
 */
export function chosenClockChecks(
  chosen: ChosenClock,
  snapshot: PhcSnapshot,
  link: CommandResult | null,
): CheckOutcome[] {
  const clocksObserved = describeClocks(snapshot.clocks);
  const found: CheckOutcome = {
    layer: "driver",
    check: "the chosen PTP clock exists",
    pass: chosen.found,
    observed: chosen.found ? `${chosen.clock.device}=${chosen.clock.clockName}` : clocksObserved,
    summary: chosen.found ? undefined : chosen.reason,
    evidence: snapshot.ethtoolResult && !chosen.found
      ? {
        command: `${snapshot.clocksResult.command}; ${snapshot.ethtoolResult.command}`,
        output: `${clocksObserved}\n${evidenceOf(snapshot.ethtoolResult).output}`,
      }
      : { command: snapshot.clocksResult.command, output: clocksObserved },
  };
  if (!chosen.found) return [found];
  const to = link && link.exitCode === 0 ? link.stdout.trim().replace(/^.*\//, "") : null;
  return [found, {
    layer: "udev",
    check: `readlink ${chosen.device} == ${chosen.clock.device}`,
    pass: to === chosen.clock.device,
    observed: to ?? "missing",
    summary: to === null
      ? `${chosen.device} is missing (udev rule not applied?)`
      : `${chosen.device} points to ${to}, not ${chosen.clock.device}`,
    evidence: link ? evidenceOf(link) : undefined,
  }];
}

/**
 * Service check: chrony active/running, and its `InvocationID` the one
 * configure-chrony recorded (a new one means it restarted since; real
 * systemd's `NRestarts` does not count manual restarts, nor any restart of a
 * unit without `Restart=`). A null/absent baseline skips that part.
 */
export function serviceCheck(
  status: ChronydStatus,
  unit: string,
  baselineInvocationId: string | null | undefined,
): CheckOutcome {
  const running = status.active === "active" && status.subState === "running";
  const restarted = !!baselineInvocationId && status.invocationId !== null &&
    status.invocationId !== baselineInvocationId;
  return {
    layer: "service",
    check: `${unit} active/running, not restarted since configure-chrony`,
    pass: running && !restarted,
    observed: `${status.active}/${status.subState ?? "?"}, InvocationID=${
      status.invocationId ?? "?"
    }`,
    summary: running
      ? `${unit} restarted since configure-chrony (InvocationID ${baselineInvocationId} became ` +
        `${status.invocationId})`
      : `${unit} is not active (${status.active}/${status.subState ?? "?"})`,
    evidence: status.evidence,
  };
}
