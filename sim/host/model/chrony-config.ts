/**
 * chronyd's configuration parser as far as the simulator needs it: directive
 * lines, `include` (globs) and `confdir` expansion, `refclock` and `server`
 * option checking with chronyd's own error messages, and the normalized lines
 * `chronyd -p` prints.
 *
 * Domain source: chrony `conf.c` (`CNF_ParseLine`, `parse_refclock`,
 * `other_parse_error` -> "Invalid refclock option at line N in file F",
 * `command_parse_error` -> "Could not parse X directive at line N in file F");
 * chrony.conf(5) for directives and refclock options; PTP.md section 5.
 * @module
 */
import { globToRegExp } from "../shell/glob.ts";
import type { HostFs } from "./fs.ts";

/** A refclock from the configuration. */
export interface RefclockConfig {
  driver: string;
  /** Device path for PHC (e.g. `/dev/ptp_ena`). */
  device: string;
  /** Polling interval, log2 seconds (default 4). */
  poll: number;
  prefer: boolean;
  /** `delay` option, seconds (default 1e-9). */
  delay: number;
}

/** An NTP source from `server` / `pool` lines. */
export interface ServerConfig {
  address: string;
  /** minpoll, log2 seconds (default 6). */
  poll: number;
  iburst: boolean;
}

/** Outcome of parsing: normalized lines, sources, or chronyd's fatal message. */
export interface ChronyConfig {
  /** Directive lines as `chronyd -p` prints them (include/confdir left out). */
  lines: string[];
  refclocks: RefclockConfig[];
  servers: ServerConfig[];
  /** `Invalid refclock option at line 8 in file /etc/chrony.d/x.conf`, when the config is bad. */
  error: string | null;
}

const KNOWN = new Set([
  "acquisitionport",
  "allow",
  "authselectmode",
  "bindacqaddress",
  "bindaddress",
  "bindcmdaddress",
  "broadcast",
  "clientloglimit",
  "clockprecision",
  "cmdallow",
  "cmddeny",
  "cmdport",
  "cmdratelimit",
  "combinelimit",
  "confdir",
  "corrtimeratio",
  "deny",
  "driftfile",
  "dscp",
  "dumpdir",
  "fallbackdrift",
  "hwclockfile",
  "hwtimestamp",
  "include",
  "initstepslew",
  "keyfile",
  "leapsecmode",
  "leapsectz",
  "local",
  "lock_all",
  "log",
  "logbanner",
  "logchange",
  "logdir",
  "mailonchange",
  "makestep",
  "manual",
  "maxchange",
  "maxclockerror",
  "maxdistance",
  "maxdrift",
  "maxjitter",
  "maxsamples",
  "maxslewrate",
  "maxupdateskew",
  "minsamples",
  "minsources",
  "noclientlog",
  "ntpsigndsocket",
  "ntsdumpdir",
  "ntsport",
  "ntsserverkey",
  "ntsservercert",
  "peer",
  "pidfile",
  "pool",
  "port",
  "ratelimit",
  "refclock",
  "reselectdist",
  "rtcautotrim",
  "rtcdevice",
  "rtcfile",
  "rtconutc",
  "rtcsync",
  "sched_priority",
  "smoothtime",
  "sourcedir",
  "stratumweight",
  "tempcomp",
  "user",
  "server",
]);

/** Refclock options with a value, and flags (chrony.conf(5), refclock directive). */
const REFCLOCK_VALUED = new Set([
  "poll",
  "dpoll",
  "refid",
  "lock",
  "rate",
  "minsamples",
  "maxsamples",
  "maxlockage",
  "filter",
  "offset",
  "delay",
  "precision",
  "maxdispersion",
  "stratum",
  "width",
  "pulse",
]);
const REFCLOCK_FLAGS = new Set(["prefer", "noselect", "trust", "require", "tai", "pps", "local"]);
const SERVER_VALUED = new Set([
  "minpoll",
  "maxpoll",
  "key",
  "maxdelay",
  "maxdelayratio",
  "maxdelaydevratio",
  "mindelay",
  "asymmetry",
  "offset",
  "minsamples",
  "maxsamples",
  "minstratum",
  "polltarget",
  "port",
  "presend",
  "version",
  "filter",
  "certset",
  "extfield",
  "maxsources",
]);
const SERVER_FLAGS = new Set([
  "iburst",
  "burst",
  "prefer",
  "noselect",
  "trust",
  "require",
  "offline",
  "auto_offline",
  "nts",
  "xleave",
  "copy",
]);

/** Strips comments (`#`, `!`, `;`, `%` first character) and collapses whitespace. */
function normalize(line: string): string {
  const t = line.trim();
  if (t === "" || "#!;%".includes(t[0])) return "";
  return t.split(/\s+/).join(" ");
}

/** Expands an `include` glob or a `confdir` directory into files, sorted. */
function expandFiles(fs: HostFs, pattern: string, confdir: boolean): string[] {
  if (confdir) {
    try {
      return fs.list(pattern).filter((n) => n.endsWith(".conf")).map((n) => `${pattern}/${n}`);
    } catch {
      return [];
    }
  }
  const slash = pattern.lastIndexOf("/");
  const dir = pattern.slice(0, slash) || "/";
  const re = globToRegExp(pattern.slice(slash + 1));
  try {
    return fs.list(dir).filter((n) => re.test(n)).map((n) => `${dir}/${n}`);
  } catch {
    return [];
  }
}

/**
 * Parses a chrony configuration file and everything it includes.
 * @param fs the host's file system (read as root)
 * @param file the main file, usually `/etc/chrony.conf`
 * @returns lines, sources and the first fatal error (null when valid); a missing
 *   main file gives `Could not open configuration file F : No such file or directory`.
 */
export function parseChronyConfig(fs: HostFs, file: string): ChronyConfig {
  const out: ChronyConfig = { lines: [], refclocks: [], servers: [], error: null };
  const visit = (path: string, depth: number): boolean => {
    let text: string;
    try {
      text = fs.read(path, 0);
    } catch {
      if (depth === 0) {
        out.error = `Could not open configuration file ${path} : No such file or directory`;
        return false;
      }
      return true;
    }
    const rows = text.split("\n");
    for (let i = 0; i < rows.length; i++) {
      const line = normalize(rows[i]);
      if (!line) continue;
      const where = `at line ${i + 1} in file ${path}`;
      const [cmd, ...args] = line.split(" ");
      const directive = cmd.toLowerCase();
      if (!KNOWN.has(directive)) {
        out.error = `Invalid directive ${where}`;
        return false;
      }
      if (directive === "include" || directive === "confdir") {
        if (args.length === 0) {
          out.error = `Could not parse ${directive} directive ${where}`;
          return false;
        }
        for (const pattern of args) {
          for (const f of expandFiles(fs, pattern, directive === "confdir")) {
            if (!visit(f, depth + 1)) return false;
          }
        }
        continue;
      }
      out.lines.push(line);
      if (directive === "refclock") {
        const err = parseRefclock(args, out);
        if (err) {
          out.error = `${
            err === "option" ? "Invalid refclock option" : "Could not parse refclock directive"
          } ${where}`;
          return false;
        }
      } else if (directive === "server" || directive === "pool" || directive === "peer") {
        if (!parseServer(args, out)) {
          out.error = `Could not parse ${directive} directive ${where}`;
          return false;
        }
      }
    }
    return true;
  };
  visit(file, 0);
  return out;
}

function parseRefclock(args: string[], out: ChronyConfig): "option" | "parse" | null {
  if (args.length < 2) return "parse";
  const ref: RefclockConfig = {
    driver: args[0],
    device: args[1].split(":")[0],
    poll: 4,
    prefer: false,
    delay: 1e-9,
  };
  for (let i = 2; i < args.length; i++) {
    const opt = args[i].toLowerCase();
    if (REFCLOCK_FLAGS.has(opt)) {
      if (opt === "prefer") ref.prefer = true;
      continue;
    }
    if (!REFCLOCK_VALUED.has(opt)) return "option";
    const value = args[++i];
    if (value === undefined) return "parse";
    if (opt !== "refid" && opt !== "lock" && !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(value)) {
      return "parse";
    }
    if (opt === "poll") ref.poll = Number(value);
    if (opt === "delay") ref.delay = Number(value);
  }
  out.refclocks.push(ref);
  return null;
}

function parseServer(args: string[], out: ChronyConfig): boolean {
  if (args.length < 1) return false;
  const server: ServerConfig = { address: args[0], poll: 6, iburst: false };
  for (let i = 1; i < args.length; i++) {
    const opt = args[i].toLowerCase();
    if (SERVER_FLAGS.has(opt)) {
      if (opt === "iburst") server.iburst = true;
      continue;
    }
    if (!SERVER_VALUED.has(opt)) return false;
    const value = args[++i];
    if (value === undefined) return false;
    if (opt === "minpoll") server.poll = Number(value);
  }
  out.servers.push(server);
  return true;
}
