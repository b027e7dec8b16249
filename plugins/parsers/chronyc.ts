/**
 * Parsers for `chronyc sources`, `chronyc sourcestats` and `chronyc tracking`,
 * in every form people run them: the table (with or without the `-v` legend,
 * with or without `-n`) and the `-c` CSV.
 *
 * Domain source: PTP.md section 6 and chrony's `client.c` (report formats):
 * source mode `^` server, `=` peer, `#` local reference clock; state `*`
 * selected, `+` combined, `-` not combined, `x` falseticker, `~` too variable,
 * `?` unusable; reach is an octal shift register (377 = last 8 polls answered).
 * Sign conventions: the table says `fast`/`slow` in words; in CSV the system
 * time is positive when the clock is slow and the frequency positive when it
 * is fast (chrony `print_report`, specifiers `O` and `F`). Here every value
 * uses one convention: positive = fast.
 * @module
 */
import { lines, parseInterval, parseSecondsWithUnit, toNumber } from "./units.ts";

/** Source mode character: `^` server, `=` peer, `#` local reference clock (e.g. PHC0). */
export type ChronySourceMode = "^" | "=" | "#";

/** Source state character: `*` selected, `+` combined, `-` not combined, `x` falseticker, `~` too variable, `?` unusable. */
export type ChronySourceState = "*" | "+" | "-" | "x" | "~" | "?";

/** The latest sample of a source (`+184ns[ +198ns] +/- 5032ns`), in seconds. */
export interface ChronySample {
  /** Adjusted offset, seconds (positive: the source is ahead of the local clock). */
  offsetSeconds: number;
  /** Offset as measured, seconds. */
  measuredOffsetSeconds: number;
  /** Estimated error (the `+/-` value), seconds. */
  errorSeconds: number;
}

/** One row of `chronyc sources`. */
export interface ChronySource {
  mode: ChronySourceMode;
  /** State; a blank state column is reported as `?` (unusable). */
  state: ChronySourceState;
  /** Name or address, e.g. `PHC0`, `169.254.169.123`. */
  name: string;
  stratum: number;
  /** Polling interval, log2 seconds. */
  poll: number;
  /** Reachability register as a number (octal `377` -> 255). */
  reach: number;
  /** Reachability register as printed, octal digits (e.g. `377`). */
  reachOctal: string;
  /** Seconds since the last sample; null when never (`-`). */
  lastRx: number | null;
  /** Last sample; null when the column is missing or unparsable. */
  lastSample: ChronySample | null;
}

const MODES = new Set(["^", "=", "#"]);
const STATES = new Set(["*", "+", "-", "x", "~", "?"]);

const TABLE_ROW = /^([\^=#])([*+\-x~? ])\s*(\S+)\s+(\d+)\s+(-?\d+)\s+([0-7]+)\s+(\S+)(?:\s+(.*))?$/;
const SAMPLE =
  /^([+-]?\s*[\d.]+\s*(?:ns|us|µs|ms|s)?)\s*\[\s*([+-]?\s*[\d.]+\s*(?:ns|us|µs|ms|s)?)\s*\]\s*\+\/-\s*([\d.]+\s*(?:ns|us|µs|ms|s)?)\s*$/;

/**
 * Parses `chronyc sources` output: the table (any column widths or tabs, with
 * or without the `-v` legend) or `chronyc -c sources` CSV. Header, legend and
 * unknown lines are ignored. Never throws.
 */
export function parseChronycSources(text: string): ChronySource[] {
  const sources: ChronySource[] = [];
  for (const raw of lines(text)) {
    const line = raw.trim();
    if (line === "") continue;
    const csv = line.split(",");
    if (csv.length >= 10 && MODES.has(csv[0])) {
      const source = sourceFromCsv(csv);
      if (source) sources.push(source);
      continue;
    }
    const m = TABLE_ROW.exec(line);
    if (!m) continue;
    const sample = m[8] ? SAMPLE.exec(m[8].trim()) : null;
    sources.push({
      mode: m[1] as ChronySourceMode,
      state: toState(m[2]),
      name: m[3],
      stratum: Number(m[4]),
      poll: Number(m[5]),
      reach: parseInt(m[6], 8),
      reachOctal: m[6],
      lastRx: m[7] === "-" ? null : parseInterval(m[7]),
      lastSample: sample ? sampleOf(sample[1], sample[2], sample[3]) : null,
    });
  }
  return sources;
}

function toState(ch: string): ChronySourceState {
  return STATES.has(ch) ? ch as ChronySourceState : "?";
}

function sampleOf(offset: string, measured: string, error: string): ChronySample | null {
  const o = parseSecondsWithUnit(offset.replace(/\s+/g, ""));
  const m = parseSecondsWithUnit(measured.replace(/\s+/g, ""));
  const e = parseSecondsWithUnit(error.replace(/\s+/g, ""));
  if (o === null || m === null || e === null) return null;
  return { offsetSeconds: o, measuredOffsetSeconds: m, errorSeconds: e };
}

/** chronyc prints 2^32-1 as LastRx for a source never heard from. */
const NEVER = 4294967295;

function sourceFromCsv(f: string[]): ChronySource | null {
  const [mode, state, name, stratum, poll, reach, lastRx, offset, measured, error] = f.map((x) =>
    x.trim()
  );
  if (!/^[0-7]+$/.test(reach) || toNumber(stratum) === null || toNumber(poll) === null) {
    return null;
  }
  const rx = toNumber(lastRx);
  const o = toNumber(offset);
  const m = toNumber(measured);
  const e = toNumber(error);
  return {
    mode: mode as ChronySourceMode,
    state: toState(state || " "),
    name,
    stratum: Number(stratum),
    poll: Number(poll),
    reach: parseInt(reach, 8),
    reachOctal: reach,
    lastRx: rx === null || rx >= NEVER ? null : rx,
    lastSample: o === null || m === null || e === null
      ? null
      : { offsetSeconds: o, measuredOffsetSeconds: m, errorSeconds: e },
  };
}

/** `chronyc tracking`: what chrony synchronises to and how well. Missing lines give null. */
export interface ChronyTracking {
  /** Reference ID in hex, e.g. `50484330` (`PHC0`) or `A9FEA97B`. */
  referenceId: string | null;
  /** Name in parentheses after the reference ID, e.g. `PHC0`, `169.254.169.123`. */
  referenceName: string | null;
  stratum: number | null;
  /** `Ref time (UTC)` as printed (table) or seconds since the epoch (CSV). */
  refTime: string | null;
  /** System time offset from NTP time, seconds; positive = fast, negative = slow. */
  systemTimeOffsetSeconds: number | null;
  /** Last offset, seconds (signed as printed). */
  lastOffsetSeconds: number | null;
  /** RMS offset, seconds. */
  rmsOffsetSeconds: number | null;
  /** Frequency error of the system clock, ppm; positive = fast, negative = slow. */
  frequencyPpm: number | null;
  /** Residual frequency, ppm (signed). */
  residualFrequencyPpm: number | null;
  /** Skew, ppm. */
  skewPpm: number | null;
  /** Root delay, seconds. */
  rootDelaySeconds: number | null;
  /** Root dispersion, seconds. */
  rootDispersionSeconds: number | null;
  /** Update interval, seconds. */
  updateIntervalSeconds: number | null;
  /** Leap status, e.g. `Normal`, `Not synchronised`. */
  leapStatus: string | null;
}

/**
 * Parses `chronyc tracking` (labels, any spacing) or `chronyc -c tracking`
 * (14 CSV fields). Unknown lines are ignored; missing ones give null.
 * Never throws.
 */
export function parseChronycTracking(text: string): ChronyTracking {
  const t: ChronyTracking = {
    referenceId: null,
    referenceName: null,
    stratum: null,
    refTime: null,
    systemTimeOffsetSeconds: null,
    lastOffsetSeconds: null,
    rmsOffsetSeconds: null,
    frequencyPpm: null,
    residualFrequencyPpm: null,
    skewPpm: null,
    rootDelaySeconds: null,
    rootDispersionSeconds: null,
    updateIntervalSeconds: null,
    leapStatus: null,
  };
  for (const raw of lines(text)) {
    const line = raw.trim();
    const csv = line.split(",");
    if (csv.length >= 14 && /^[0-9A-Fa-f]{8}$/.test(csv[0])) {
      return trackingFromCsv(csv.map((x) => x.trim()));
    }
    const m = /^([A-Za-z][A-Za-z ()]*?)\s*:\s*(.*)$/.exec(line);
    if (!m) continue;
    const label = m[1].toLowerCase();
    const value = m[2].trim();
    switch (label) {
      case "reference id": {
        const ref = /^([0-9A-Fa-f]+)\s*(?:\((.*)\))?/.exec(value);
        if (ref) {
          t.referenceId = ref[1].toUpperCase();
          t.referenceName = ref[2]?.trim() || null;
        }
        break;
      }
      case "stratum":
        t.stratum = toNumber(value);
        break;
      case "ref time (utc)":
        t.refTime = value || null;
        break;
      case "system time":
        t.systemTimeOffsetSeconds = signedByWord(value, "seconds");
        break;
      case "last offset":
        t.lastOffsetSeconds = leadingNumber(value);
        break;
      case "rms offset":
        t.rmsOffsetSeconds = leadingNumber(value);
        break;
      case "frequency":
        t.frequencyPpm = signedByWord(value, "ppm");
        break;
      case "residual freq":
        t.residualFrequencyPpm = leadingNumber(value);
        break;
      case "skew":
        t.skewPpm = leadingNumber(value);
        break;
      case "root delay":
        t.rootDelaySeconds = leadingNumber(value);
        break;
      case "root dispersion":
        t.rootDispersionSeconds = leadingNumber(value);
        break;
      case "update interval":
        t.updateIntervalSeconds = leadingNumber(value);
        break;
      case "leap status":
        t.leapStatus = value || null;
        break;
    }
  }
  return t;
}

/** `0.000002191 seconds fast of NTP time` -> +0.000002191; `3.710 ppm slow` -> -3.710. */
function signedByWord(value: string, unit: string): number | null {
  const m = new RegExp(`^([+-]?[\\d.]+(?:e[+-]?\\d+)?)\\s*${unit}\\s+(fast|slow)\\b`, "i").exec(
    value,
  );
  if (!m) return leadingNumber(value);
  const magnitude = Math.abs(Number(m[1]));
  return m[2].toLowerCase() === "slow" ? -magnitude : magnitude;
}

function leadingNumber(value: string): number | null {
  return toNumber(/^\S+/.exec(value)?.[0]);
}

function trackingFromCsv(f: string[]): ChronyTracking {
  const systemTime = toNumber(f[4]);
  return {
    referenceId: f[0].toUpperCase(),
    referenceName: f[1] || null,
    stratum: toNumber(f[2]),
    refTime: f[3] || null,
    // CSV: positive system time = slow (chrony client.c, specifier O).
    systemTimeOffsetSeconds: systemTime === null ? null : systemTime === 0 ? 0 : -systemTime,
    lastOffsetSeconds: toNumber(f[5]),
    rmsOffsetSeconds: toNumber(f[6]),
    // CSV: positive frequency = fast (specifier F).
    frequencyPpm: toNumber(f[7]),
    residualFrequencyPpm: toNumber(f[8]),
    skewPpm: toNumber(f[9]),
    rootDelaySeconds: toNumber(f[10]),
    rootDispersionSeconds: toNumber(f[11]),
    updateIntervalSeconds: toNumber(f[12]),
    leapStatus: f[13] || null,
  };
}

/** One row of `chronyc sourcestats` (rows carry no mode/state prefix). */
export interface ChronySourceStats {
  name: string;
  /** Number of sample points retained. */
  samples: number;
  /** Number of runs of residuals with the same sign. */
  runs: number;
  /** Span of the samples, seconds. */
  spanSeconds: number | null;
  /** Estimated residual frequency, ppm. */
  frequencyPpm: number;
  /** Estimated error bound of the frequency, ppm. */
  frequencySkewPpm: number;
  /** Estimated offset of the source, seconds. */
  offsetSeconds: number | null;
  /** Standard deviation of the samples, seconds. */
  stdDevSeconds: number | null;
}

const STATS_ROW = /^(\S+)\s+(\d+)\s+(\d+)\s+(\S+)\s+([+-]?[\d.]+)\s+([+-]?[\d.]+)\s+(\S+)\s+(\S+)$/;

/**
 * Parses `chronyc sourcestats` (table, with or without `-v` legend) or
 * `chronyc -c sourcestats` (8 CSV fields). Never throws.
 */
export function parseChronycSourcestats(text: string): ChronySourceStats[] {
  const rows: ChronySourceStats[] = [];
  for (const raw of lines(text)) {
    const line = raw.trim();
    const csv = line.split(",");
    if (csv.length >= 8 && toNumber(csv[1]) !== null && toNumber(csv[2]) !== null) {
      const f = csv.map((x) => x.trim());
      const freq = toNumber(f[4]);
      const skew = toNumber(f[5]);
      if (freq === null || skew === null) continue;
      rows.push({
        name: f[0],
        samples: Number(f[1]),
        runs: Number(f[2]),
        spanSeconds: toNumber(f[3]),
        frequencyPpm: freq,
        frequencySkewPpm: skew,
        offsetSeconds: toNumber(f[6]),
        stdDevSeconds: toNumber(f[7]),
      });
      continue;
    }
    const m = STATS_ROW.exec(line);
    if (!m) continue;
    rows.push({
      name: m[1],
      samples: Number(m[2]),
      runs: Number(m[3]),
      spanSeconds: parseInterval(m[4]),
      frequencyPpm: Number(m[5]),
      frequencySkewPpm: Number(m[6]),
      offsetSeconds: parseSecondsWithUnit(m[7]),
      stdDevSeconds: parseSecondsWithUnit(m[8]),
    });
  }
  return rows;
}

/** The source chrony selected (`*`), or null when none is. */
export function selectedSource(sources: readonly ChronySource[]): ChronySource | null {
  return sources.find((s) => s.state === "*") ?? null;
}
