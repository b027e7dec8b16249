/**
 * Editing chrony's configuration for a PHC, as pure functions: where the
 * refclock line goes and what each file would hold afterwards.
 *
 * - When chrony.conf itself reads a directory of `*.conf` files (`confdir
 *   DIR`, or `include DIR/<pattern>`), a managed drop-in
 *   `DIR/ptp-runner.conf` with a header comment. `sourcedir` does not count:
 *   chrony reads only `server`/`pool`/`peer` lines from its `.sources` files.
 * - Otherwise the refclock line is added to chrony.conf, after a marker
 *   comment line of its own. chrony has no trailing comments
 *   (`refclock ... prefer # note` is a fatal "Invalid refclock option").
 *
 * The user's own lines are never edited. Idempotent: planning against the
 * result gives no change.
 *
 * Domain source: PTP.md section 5; NOTES.md "Real chrony 4.3 and systemd
 * 252"; chrony.conf(5) (`confdir`, `include`, `sourcedir`, comment
 * characters `#`, `%`, `!`, `;` at the start of a line); AWS EC2 User Guide
 * "configure-ec2-ntp" (the refclock line).
 * @module
 */

/** Name of the managed drop-in inside the confdir. */
export const DROP_IN_NAME = "ptp-runner.conf";
/** Marker line ptp-runner writes, on its own, before its refclock line in chrony.conf. */
export const MARKER_LINE = "# ptp-runner: PHC refclock (the next line; remove both lines to undo)";
/** Trailing marker of older ptp-runner versions (`refclock ... prefer # added by ptp-runner`). */
export const LEGACY_LINE_MARKER = "# added by ptp-runner";
/** Amazon Time Sync Service addresses (IPv4, IPv6): kept as the fallback source. */
export const AMAZON_TIME_SYNC = ["169.254.169.123", "fd00:ec2::123"];

/**
 * The refclock line AWS documents for the ENA PHC, for `device`:
 * `refclock PHC <device> poll 0 delay 0.000010 prefer` (no `tai`, no `offset`).
 */
export function refclockLine(device: string): string {
  return `refclock PHC ${device} poll 0 delay 0.000010 prefer`;
}

/** Content of the managed drop-in for `device`: a header saying who wrote it, then the line. */
export function dropInContent(device: string, confPath: string, unit: string): string {
  return [
    "# Managed by ptp-runner: a PTP hardware clock (PHC) as chrony's preferred source.",
    `# The servers configured in ${confPath} stay as the fallback.`,
    `# Remove this file and restart ${unit} to undo.`,
    refclockLine(device),
    "",
  ].join("\n");
}

/** Configuration lines without comments and blank lines, whitespace collapsed. */
export function directives(conf: string): string[] {
  return conf.split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !/^[#%!;]/.test(l))
    .map((l) => l.replace(/\s+/g, " "));
}

/**
 * Directories whose `*.conf` files chrony.conf reads, in order: every
 * argument of `confdir`, and the directory of each `include DIR/<pattern>`
 * whose pattern ends `.conf`. Trailing slashes removed.
 */
export function confDirectories(conf: string): string[] {
  const dirs: string[] = [];
  for (const line of directives(conf)) {
    const [keyword, ...args] = line.split(" ");
    if (keyword === "confdir") dirs.push(...args.map((a) => a.replace(/\/+$/, "")));
    if (keyword === "include" && args[0]) {
      const m = /^(\/.*)\/([^/]*)$/.exec(args[0]);
      if (m && /\.conf$/.test(m[2]) && /[*?[]/.test(m[2])) dirs.push(m[1]);
    }
  }
  return [...new Set(dirs.filter((d) => d !== ""))];
}

/**
 * The confdir the drop-in goes to: `preferred` (the distribution's) when
 * chrony.conf reads it, else the first directory it reads; null when it reads
 * none (then the line method applies).
 */
export function chooseConfDirectory(conf: string, preferred: string | null): string | null {
  const dirs = confDirectories(conf);
  if (preferred && dirs.includes(preferred.replace(/\/+$/, ""))) {
    return preferred.replace(/\/+$/, "");
  }
  return dirs[0] ?? null;
}

/** Active `refclock PHC <device> ...` lines of `conf`, whitespace collapsed. */
export function refclocksFor(conf: string, device: string): string[] {
  const escaped = device.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const re = new RegExp(`^refclock PHC ${escaped}(\\s|$|:)`);
  return directives(conf).filter((l) => re.test(l));
}

/** True when `conf` names an Amazon Time Sync Service address in a `server`/`pool` line. */
export function hasAmazonTimeSync(conf: string): boolean {
  return directives(conf).some((l) =>
    /^(server|pool|peer) /.test(l) && AMAZON_TIME_SYNC.includes(l.split(" ")[1])
  );
}

/** chrony.conf split into ptp-runner's own lines and the user's. */
interface OwnLines {
  /** Indexes of ptp-runner's lines (marker lines, the refclock after each, legacy lines). */
  own: Set<number>;
  /** The lines. */
  lines: string[];
}

/** Finds ptp-runner's lines in chrony.conf: each marker line and the line after it, legacy lines. */
function ownLinesOf(conf: string): OwnLines {
  const lines = conf.split("\n");
  const own = new Set<number>();
  lines.forEach((line, i) => {
    if (line.trim() === MARKER_LINE) {
      own.add(i);
      if (i + 1 < lines.length && /^\s*refclock\s/.test(lines[i + 1])) own.add(i + 1);
    } else if (line.trimEnd().endsWith(LEGACY_LINE_MARKER) && /^\s*refclock\s/.test(line)) {
      own.add(i);
    }
  });
  return { own, lines };
}

/** chrony.conf without ptp-runner's own lines (the user's configuration). */
export function withoutOwnLines(conf: string): string {
  const { own, lines } = ownLinesOf(conf);
  return lines.filter((_, i) => !own.has(i)).join("\n");
}

/** One file the plan writes: its path, what is there (null = absent) and what it should hold. */
export interface PlannedFile {
  path: string;
  before: string | null;
  after: string;
}

/** What configure-chrony must do. */
export type ChronyPlan =
  | {
    /** `drop-in` or `line`. */
    method: "drop-in" | "line";
    /** The file that holds (or will hold) the refclock line. */
    file: string;
    /** Files to write; empty when everything is in place. */
    writes: PlannedFile[];
    /** Why nothing is written, when `writes` is empty. */
    reason: string;
    conflict: false;
  }
  | {
    method: "drop-in" | "line";
    file: string;
    writes: [];
    /** The user's own refclock for the device: ptp-runner leaves it alone. */
    reason: string;
    conflict: true;
  };

/** What {@link planChronyChange} needs. */
export interface ChronyPlanInput {
  /** Path of chrony.conf (`/etc/chrony.conf`, `/etc/chrony/chrony.conf`). */
  confPath: string;
  /** Its content. */
  conf: string;
  /** The distribution's confdir (preferred when chrony.conf reads it). */
  preferredConfDir: string | null;
  /** Content of `<confdir>/ptp-runner.conf` (null when absent or no confdir). */
  dropIn: string | null;
  /** Stable device path of the PHC (`/dev/ptp_ena`, `/dev/ptp_refclock`). */
  device: string;
  /** chrony's unit (for the drop-in's header). */
  unit: string;
}

/** Path of the drop-in for the confdir chrony.conf reads, or null (line method). */
export function dropInPathFor(conf: string, preferredConfDir: string | null): string | null {
  const dir = chooseConfDirectory(conf, preferredConfDir);
  return dir === null ? null : `${dir}/${DROP_IN_NAME}`;
}

/**
 * Decides where the refclock line goes and what each file should hold.
 * Drop-in method: the drop-in gets the header and line; ptp-runner's own
 * lines left in chrony.conf by an earlier line-method run are removed (else
 * the refclock would be configured twice). Line method: ptp-runner's marker
 * and line are replaced (or appended) at their place; every other line is
 * kept byte for byte.
 */
export function planChronyChange(input: ChronyPlanInput): ChronyPlan {
  const { conf, confPath, device } = input;
  const wanted = refclockLine(device);
  const dropInPath = dropInPathFor(conf, input.preferredConfDir);
  const method = dropInPath ? "drop-in" : "line";
  const file = dropInPath ?? confPath;
  const user = withoutOwnLines(conf);
  const userLines = refclocksFor(user, device);
  if (userLines.includes(wanted)) {
    return {
      method: "line",
      file: confPath,
      writes: [],
      reason: `${confPath} already has "${wanted}" (the user's own line)`,
      conflict: false,
    };
  }
  if (userLines.length > 0) {
    return {
      method,
      file: confPath,
      writes: [],
      reason: `${confPath} already has another refclock for ${device} ("${
        userLines[0]
      }"); ptp-runner does not edit the user's lines`,
      conflict: true,
    };
  }
  const writes: PlannedFile[] = [];
  if (dropInPath) {
    const content = dropInContent(device, confPath, input.unit);
    if (input.dropIn !== content) {
      writes.push({ path: dropInPath, before: input.dropIn, after: content });
    }
    if (user !== conf) writes.push({ path: confPath, before: conf, after: user });
  } else {
    const after = withLine(conf, wanted);
    if (after !== conf) writes.push({ path: confPath, before: conf, after });
  }
  return {
    method,
    file,
    writes,
    reason: writes.length === 0 ? `${file} already has "${wanted}"` : "",
    conflict: false,
  };
}

/** chrony.conf with exactly one marker + `wanted` pair, at the place of the first own line. */
function withLine(conf: string, wanted: string): string {
  const { own, lines } = ownLinesOf(conf);
  if (own.size === 0) {
    const prefix = conf === "" || conf.endsWith("\n") ? "" : "\n";
    return `${conf}${prefix}${MARKER_LINE}\n${wanted}\n`;
  }
  const out: string[] = [];
  let placed = false;
  lines.forEach((line, i) => {
    if (!own.has(i)) out.push(line);
    else if (!placed) {
      out.push(MARKER_LINE, wanted);
      placed = true;
    }
  });
  return out.join("\n");
}
