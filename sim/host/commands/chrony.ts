/**
 * chrony commands of the simulated host: `chronyd -p [-f FILE]` (print the
 * parsed configuration or the fatal error, exit 1), `chronyd --version`, and
 * `chronyc [-n] [-c] sources [-v] | sourcestats | tracking | activity | makestep`.
 *
 * Formats follow `shared/samples/chronyc-*.txt` exactly (column widths of
 * chrony's `client.c`); `-c` prints chrony's CSV (tracking: system time
 * positive when slow, frequency positive when fast... as chronyc does).
 * @module
 */
import { parseChronyConfig } from "../model/chrony-config.ts";
import { chronySources, chronyTracking, type SourceView } from "../model/chrony-status.ts";
import type { CommandFn } from "./types.ts";
import { fail, parseFlags, pathOf } from "./util.ts";

const FEATURES =
  "+CMDMON +NTP +REFCLOCK +RTC +PRIVDROP +SCFILTER +SIGND +ASYNCDNS +NTS +SECHASH +IPV6 +DEBUG";

const chronyd: CommandFn = (inv) => {
  const { flags } = parseFlags(inv.args, ["-f", "-u", "-F", "-L"]);
  const m = inv.ctx.machine;
  if (flags.has("-v") || flags.has("--version")) {
    inv.io.out(`chronyd (chrony) version ${m.profile.chrony_version} (${FEATURES})\n`);
    return Promise.resolve(0);
  }
  const file = typeof flags.get("-f") === "string"
    ? pathOf(inv, flags.get("-f") as string)
    : m.facts.chronyConf;
  const cfg = parseChronyConfig(m.fs, file);
  if (flags.has("-p")) {
    // chronyd prints each directive as it parses it (the bad one too), then
    // logs the fatal error to stderr with an ISO timestamp.
    inv.io.out(cfg.lines.map((l) => l + "\n").join(""));
    if (cfg.error) {
      const stamp = m.wallDate().toISOString().replace(/\.\d{3}Z$/, "Z");
      inv.io.err(`${stamp} Fatal error : ${cfg.error}\n`);
      return Promise.resolve(1);
    }
    return Promise.resolve(0);
  }
  if (inv.ctx.uid !== 0) {
    inv.io.err("Fatal error : Not superuser\n");
    return Promise.resolve(1);
  }
  if (m.unit(m.chronyUnit).active === "active") {
    inv.io.err(
      `Fatal error : Another chronyd may already be running (pid=${
        m.unit(m.chronyUnit).mainPid
      }), check /run/chrony/chronyd.pid\n`,
    );
    return Promise.resolve(1);
  }
  if (flags.has("-q") || flags.has("-Q")) {
    inv.io.err(`chronyd version ${m.profile.chrony_version} starting (${FEATURES})\n`);
    inv.io.err("System clock wrong by 0.000002 seconds (ignored)\nchronyd exiting\n");
    return Promise.resolve(0);
  }
  return Promise.resolve(fail(inv, "starting chronyd by hand is not simulated: use systemctl"));
};

/** chrony's `%S`: a signed or unsigned value with ns/us/ms/s, at most 4 digits before the unit. */
function fmtSeconds(x: number, signed: boolean): string {
  const units: [number, string][] = [[1e9, "ns"], [1e6, "us"], [1e3, "ms"], [1, "s"]];
  for (const [mult, unit] of units) {
    const v = Math.round(x * mult);
    if (Math.abs(v) < 9999.5 || unit === "s") return `${signed && v >= 0 ? "+" : ""}${v}${unit}`;
  }
  return `${x}s`;
}

/** chrony's `%I`: an interval in seconds, minutes, hours, days or years. */
function fmtInterval(s: number | null): string {
  if (s === null) return "-";
  if (s < 1000) return String(Math.round(s));
  if (s < 60 * 1000) return `${Math.round(s / 60)}m`;
  if (s < 3600 * 1000) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}

const LEGEND = [
  "",
  "  .-- Source mode  '^' = server, '=' = peer, '#' = local clock.",
  " / .- Source state '*' = current best, '+' = combined, '-' = not combined,",
  "| /             'x' = may be in error, '~' = too variable, '?' = unusable.",
  "||                                                 .- xxxx [ yyyy ] +/- zzzz",
  "||      Reachability register (octal) -.           |  xxxx = adjusted offset,",
  "||      Log2(Polling interval) --.      |          |  yyyy = measured offset,",
  "||                                \\     |          |  zzzz = estimated error.",
  "||                                 |    |           \\",
];

function sourceRow(s: SourceView): string {
  return `${s.mode}${s.state} ${s.name.padEnd(27)}  ${String(s.stratum).padStart(2)}  ${
    String(s.poll).padStart(2)
  }   ${s.reach.toString(8).padStart(3)}  ${fmtInterval(s.lastRx).padStart(4)}  ${
    fmtSeconds(s.offset, true).padStart(7)
  }[${fmtSeconds(s.measured, true).padStart(7)}] +/- ${fmtSeconds(s.error, false).padStart(6)}`;
}

function sourceCsv(s: SourceView): string {
  return [
    s.mode,
    s.state,
    s.name,
    s.stratum,
    s.poll,
    s.reach.toString(8),
    s.lastRx ?? "-",
    s.offset.toFixed(9),
    s.measured.toFixed(9),
    s.error.toFixed(9),
  ].join(",");
}

function asctime(ms: number | null): string {
  const d = new Date(ms ?? 0);
  const wd = d.toLocaleString("en-US", { weekday: "short", timeZone: "UTC" });
  const mon = d.toLocaleString("en-US", { month: "short", timeZone: "UTC" });
  return `${wd} ${mon} ${String(d.getUTCDate()).padStart(2, "0")} ${
    d.toISOString().slice(11, 19)
  } ${d.getUTCFullYear()}`;
}

const chronyc: CommandFn = (inv) => {
  const { flags, operands } = parseFlags(inv.args, ["-h", "-p", "-f"]);
  const m = inv.ctx.machine;
  const csv = flags.has("-c");
  const [cmd, ...rest] = operands;
  if (flags.has("-v") && !cmd || flags.has("--version")) {
    inv.io.out(`chronyc (chrony) version ${m.profile.chrony_version} (${FEATURES})\n`);
    return Promise.resolve(0);
  }
  if (m.unit(m.chronyUnit).active !== "active" || !m.state.chrony) {
    inv.io.err("506 Cannot talk to daemon\n");
    return Promise.resolve(1);
  }
  const now = m.now();
  const sources = chronySources(m.state, now);
  switch (cmd) {
    case "sources": {
      if (csv) {
        inv.io.out(sources.map((s) => sourceCsv(s) + "\n").join(""));
        return Promise.resolve(0);
      }
      const verbose = rest.includes("-v") || flags.has("-v");
      // chrony 4.3 pads the header to 79 columns with or without -v (real Debian 12 guest).
      const header =
        "MS Name/IP address         Stratum Poll Reach LastRx Last sample               ";
      const lines = [...(verbose ? LEGEND : []), header, "=".repeat(79), ...sources.map(sourceRow)];
      inv.io.out(lines.join("\n") + "\n");
      return Promise.resolve(0);
    }
    case "sourcestats": {
      const rows = sources.map((s) => {
        const np = Math.min(64, s.samples);
        const span = s.samples * 2 ** s.poll;
        if (csv) {
          return [
            s.name,
            np,
            Math.max(0, np - 2),
            span,
            "0.000",
            "0.001",
            s.offset.toFixed(9),
            "0.000000015",
          ].join(",");
        }
        return `${s.name.padEnd(25)} ${String(np).padStart(3)} ${
          String(Math.max(0, Math.floor(np / 2))).padStart(3)
        }  ${fmtInterval(span).padStart(4)}  ${"+0.000".padStart(9)}  ${
          (s.mode === "#" ? "0.001" : "0.020").padStart(9)
        }  ${fmtSeconds(s.offset, true).padStart(6)}  ${
          fmtSeconds(s.mode === "#" ? 15e-9 : 8.6e-6, false).padStart(6)
        }`;
      });
      const header = csv ? [] : [
        "Name/IP Address            NP  NR  Span  Frequency  Freq Skew  Offset  Std Dev",
        "=".repeat(78),
      ];
      inv.io.out([...header, ...rows].join("\n") + "\n");
      return Promise.resolve(0);
    }
    case "tracking": {
      const t = chronyTracking(m.state, now);
      if (csv) {
        inv.io.out(
          [
            t.refId,
            t.refName,
            t.stratum,
            ((t.refTimeMs ?? 0) / 1000).toFixed(9),
            (-t.systemTime).toFixed(9),
            t.lastOffset.toFixed(9),
            t.rmsOffset.toFixed(9),
            t.frequency.toFixed(3),
            t.residualFreq.toFixed(3),
            t.skew.toFixed(3),
            t.rootDelay.toFixed(9),
            t.rootDispersion.toFixed(9),
            t.updateInterval.toFixed(1),
            t.leap,
          ].join(",") + "\n",
        );
        return Promise.resolve(0);
      }
      const sign = (v: number) => (v >= 0 ? "+" : "-");
      const lines = [
        `Reference ID    : ${t.refId} (${t.refName})`,
        `Stratum         : ${t.stratum}`,
        `Ref time (UTC)  : ${asctime(t.refTimeMs)}`,
        `System time     : ${Math.abs(t.systemTime).toFixed(9)} seconds ${
          t.systemTime >= 0 ? "fast" : "slow"
        } of NTP time`,
        `Last offset     : ${sign(t.lastOffset)}${Math.abs(t.lastOffset).toFixed(9)} seconds`,
        `RMS offset      : ${t.rmsOffset.toFixed(9)} seconds`,
        `Frequency       : ${Math.abs(t.frequency).toFixed(3)} ppm ${
          t.frequency >= 0 ? "fast" : "slow"
        }`,
        `Residual freq   : ${sign(t.residualFreq)}${Math.abs(t.residualFreq).toFixed(3)} ppm`,
        `Skew            : ${t.skew.toFixed(3)} ppm`,
        `Root delay      : ${t.rootDelay.toFixed(9)} seconds`,
        `Root dispersion : ${t.rootDispersion.toFixed(9)} seconds`,
        `Update interval : ${t.updateInterval.toFixed(1)} seconds`,
        `Leap status     : ${t.leap}`,
      ];
      inv.io.out(lines.join("\n") + "\n");
      return Promise.resolve(0);
    }
    case "activity": {
      const online = sources.filter((s) => s.mode === "^").length;
      inv.io.out(
        `200 OK\n${online} sources online\n0 sources offline\n0 sources doing burst (return to online)\n0 sources doing burst (return to offline)\n0 sources with unknown address\n`,
      );
      return Promise.resolve(0);
    }
    case "makestep":
    case "burst":
    case "reload":
      if (inv.ctx.uid !== 0) {
        inv.io.err("501 Not authorised\n");
        return Promise.resolve(1);
      }
      inv.io.out("200 OK\n");
      return Promise.resolve(0);
    case "waitsync":
      return Promise.resolve(sources.some((s) => s.state === "*") ? 0 : 1);
    default:
      return Promise.resolve(fail(inv, `Unrecognized command`));
  }
};

/** chrony commands by name. */
export const chronyCommands: Record<string, CommandFn> = { chronyd, chronyc };
