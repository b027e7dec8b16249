/**
 * What a running chronyd reports, derived from when it started and how much
 * simulated time passed: sources with their reach register (octal shift
 * register, one bit per poll: 0 -> 1 -> 3 -> 7 ... -> 377), state characters
 * (`?` until a few samples, then `*` for the selected source), tracking and
 * the journal lines chronyd would have written meanwhile.
 *
 * Domain source: PTP.md sections 5-6; chrony's `chronyc` reports (sample files
 * `chronyc-sources-phc.txt`, `chronyc-tracking-phc.txt`); a PHC refclock with
 * `poll 0` is polled once per second; the Amazon Time Sync server line uses
 * `minpoll 4` (16 s) with `iburst` (first four samples 2 s apart).
 * @module
 */
import { chronyUnitOf } from "./distribution.ts";
import type { HostState, JournalEntry } from "./state.ts";

/** One row of `chronyc sources`. Offsets and errors in seconds. */
export interface SourceView {
  mode: "#" | "^";
  state: "*" | "+" | "-" | "x" | "~" | "?";
  name: string;
  /** Reference id, hex (`50484330` for PHC0, `A9FEA97B` for 169.254.169.123). */
  refId: string;
  stratum: number;
  /** log2 seconds. */
  poll: number;
  /** Reach register (0..255). */
  reach: number;
  /** Seconds since the last sample; null when none yet. */
  lastRx: number | null;
  offset: number;
  measured: number;
  error: number;
  /** Successful samples so far. */
  samples: number;
}

/** `chronyc tracking`, seconds and ppm. */
export interface TrackingView {
  refId: string;
  refName: string;
  stratum: number;
  /** Reference time, wall-clock ms; null when never synchronised. */
  refTimeMs: number | null;
  /** System time offset, seconds; positive = fast of NTP time. */
  systemTime: number;
  lastOffset: number;
  rmsOffset: number;
  /** ppm; positive = fast. */
  frequency: number;
  residualFreq: number;
  skew: number;
  rootDelay: number;
  rootDispersion: number;
  updateInterval: number;
  leap: string;
}

/** Deterministic value in [-1, 1) from a seed and a counter. */
function jitter(seed: string, n: number): number {
  let h = 2166136261 ^ n;
  for (const ch of seed) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  h = Math.imul(h ^ (h >>> 15), 2246822507);
  return ((h >>> 0) / 2 ** 31) - 1;
}

/** Hex reference id of a name: ASCII of a refclock name, octets of an IPv4 address. */
export function refIdOf(name: string): string {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) {
    return name.split(".").map((o) => Number(o).toString(16).padStart(2, "0")).join("")
      .toUpperCase();
  }
  return [...name.padEnd(4, "\0").slice(0, 4)].map((c) =>
    c.charCodeAt(0).toString(16).padStart(2, "0")
  )
    .join("").toUpperCase();
}

interface Timeline {
  /** Sample times relative to start. */
  at: (i: number) => number;
  count: number;
}

function timeline(elapsed: number, interval: number, iburst: boolean): Timeline {
  if (iburst) {
    const at = (i: number) => (i <= 4 ? 2 * i : 8 + (i - 4) * interval);
    const count = elapsed < 2
      ? 0
      : elapsed <= 8
      ? Math.floor(elapsed / 2)
      : 4 + Math.floor((elapsed - 8) / interval);
    return { at, count };
  }
  return { at: (i) => i * interval, count: Math.max(0, Math.floor(elapsed / interval)) };
}

function register(tl: Timeline, ok: (i: number) => boolean): number {
  let reg = 0;
  for (let i = Math.max(1, tl.count - 7); i <= tl.count; i++) {
    reg = ((reg << 1) | (ok(i) ? 1 : 0)) & 0xff;
  }
  return reg;
}

/** Sources of the running chronyd at `now`; empty when chronyd is not running. */
export function chronySources(state: HostState, now: number): SourceView[] {
  const c = state.chrony;
  if (!c) return [];
  const elapsed = now - c.startedAt;
  const out: SourceView[] = [];
  let phcSelected = false;
  c.refclocks.forEach((r, idx) => {
    const name = `PHC${idx}`;
    const interval = 2 ** r.poll;
    const tl = timeline(elapsed, interval, false);
    const lost = c.phcLostAt;
    const missEvery = state.profile.faults.phc_missed_every;
    const ok = (i: number) =>
      (lost === null || c.startedAt + tl.at(i) < lost) && !(missEvery > 0 && i % missEvery === 0);
    let samples = 0;
    let last = -1;
    for (let i = 1; i <= tl.count; i++) {
      if (ok(i)) {
        samples++;
        last = i;
      }
    }
    const broken = lost !== null && now >= lost;
    let st: SourceView["state"] = "?";
    if (!broken && samples >= 3) {
      if (state.profile.faults.chrony_never_selects) st = "-";
      else if (!phcSelected) {
        st = "*";
        phcSelected = true;
      } else st = "+";
    }
    const j = jitter(state.instanceId + name, samples);
    const offset = Math.round(150 + 60 * j) * 1e-9;
    out.push({
      mode: "#",
      state: st,
      name,
      refId: refIdOf(name),
      stratum: 0,
      poll: r.poll,
      reach: register(tl, ok),
      lastRx: last < 0 ? null : Math.max(0, Math.floor(elapsed - tl.at(last))),
      offset,
      measured: offset + Math.round(14 + 6 * j) * 1e-9,
      error: Math.round(5000 + 40 * j) * 1e-9,
      samples,
    });
  });
  for (const srv of c.servers) {
    const interval = 2 ** srv.poll;
    const tl = timeline(elapsed, interval, srv.iburst);
    const j = jitter(state.instanceId + srv.address, tl.count);
    let st: SourceView["state"] = "?";
    if (tl.count >= 2) st = phcSelected ? "-" : "*";
    if (st === "*") phcSelected = true; // only one source is selected
    const offset = (3 + 20 * j) * 1e-6;
    out.push({
      mode: "^",
      state: st,
      name: srv.address,
      refId: refIdOf(srv.address),
      stratum: 1,
      poll: srv.poll,
      reach: register(tl, () => true),
      lastRx: tl.count === 0 ? null : Math.max(0, Math.floor(elapsed - tl.at(tl.count))),
      offset,
      measured: offset + 1.2e-6,
      error: (91 + 20 * Math.abs(j)) * 1e-6,
      samples: tl.count,
    });
  }
  return out;
}

/** `chronyc tracking` at `now`; reference `00000000` when nothing is selected yet. */
export function chronyTracking(state: HostState, now: number): TrackingView {
  const sel = chronySources(state, now).find((s) => s.state === "*");
  const wall = (t: number) => state.wallEpochMs + t * 1000;
  if (!sel) {
    return {
      refId: "00000000",
      refName: "",
      stratum: 0,
      refTimeMs: null,
      systemTime: 0,
      lastOffset: 0,
      rmsOffset: 0,
      frequency: -3.71,
      residualFreq: 0,
      skew: 0,
      rootDelay: 1,
      rootDispersion: 1,
      updateInterval: 0,
      leap: "Not synchronised",
    };
  }
  const j = jitter(state.instanceId + "tracking", sel.samples);
  if (sel.mode === "#") {
    const refclock = state.chrony!.refclocks[Number(sel.name.slice(3))];
    return {
      refId: sel.refId,
      refName: sel.name,
      stratum: 1,
      refTimeMs: wall(now - (sel.lastRx ?? 0)),
      systemTime: Math.round(14 + 8 * j) * 1e-9,
      lastOffset: Math.round(2 * j) * 1e-9,
      rmsOffset: Math.round(60 + 10 * j) * 1e-9,
      frequency: 6.614 + 0.01 * j,
      residualFreq: 0,
      skew: 0.019,
      rootDelay: refclock?.delay ?? 1e-9,
      rootDispersion: Math.round(1311 + 50 * j) * 1e-9,
      updateInterval: 2 ** (refclock?.poll ?? 0),
      leap: "Normal",
    };
  }
  return {
    refId: sel.refId,
    refName: sel.name,
    stratum: 2,
    refTimeMs: wall(now - (sel.lastRx ?? 0)),
    systemTime: (2.191 + j) * 1e-6,
    lastOffset: (2.164 + j) * 1e-6,
    rmsOffset: 82.968e-6,
    frequency: -3.71,
    residualFreq: 0.002,
    skew: 0.504,
    rootDelay: 362.541e-6,
    rootDispersion: 225.028e-6,
    updateInterval: 16.1,
    leap: "Normal",
  };
}

/** Journal lines chronyd wrote by `now` that follow from time alone (`Selected source ...`). */
export function chronyDerivedJournal(state: HostState, now: number): JournalEntry[] {
  const c = state.chrony;
  if (!c) return [];
  const unit = chronyUnitOf(state.profile);
  const pid = state.units[unit]?.mainPid ?? 0;
  const out: JournalEntry[] = [];
  let t = c.startedAt;
  let selected = "";
  // Walk time in 1 s steps up to the first minute (enough for the first selections).
  for (let step = 1; step <= Math.min(60, Math.floor(now - c.startedAt)); step++) {
    t = c.startedAt + step;
    const sel = chronySources(state, t).find((s) => s.state === "*");
    if (sel && sel.name !== selected) {
      selected = sel.name;
      out.push({
        t,
        ident: "chronyd",
        pid,
        unit: `${unit}.service`,
        message: `Selected source ${sel.name}`,
      });
    }
  }
  return out;
}
