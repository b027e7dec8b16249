/**
 * Editing chrony's configuration for the ENA PHC, as pure functions: where the
 * refclock line goes (a managed drop-in when `/etc/chrony.conf` includes
 * `/etc/chrony.d`, otherwise one marked line appended to chrony.conf) and
 * whether it is already there. Never rewrites the user's lines.
 *
 * Domain source: PTP.md section 5; AWS EC2 User Guide "configure-ec2-ntp" (the
 * exact refclock line); chrony.conf(5) (`confdir`, `include`, comment
 * characters `#`, `%`, `!`, `;`).
 * @module
 */

/** The refclock line AWS documents, exactly (no `tai`, no `offset`). */
export const REFCLOCK_LINE = "refclock PHC /dev/ptp_ena poll 0 delay 0.000010 prefer";
/** Marker ending the line ptp-runner appends to chrony.conf. */
export const LINE_MARKER = "# added by ptp-runner";
/** The main configuration file. */
export const CHRONY_CONF = "/etc/chrony.conf";
/** Backup of chrony.conf taken before appending to it. */
export const CHRONY_CONF_BACKUP = "/etc/chrony.conf.ptp-runner.bak";
/** The drop-in directory AL2023 includes. */
export const CHRONY_DROP_IN_DIR = "/etc/chrony.d";
/** The managed drop-in file. */
export const DROP_IN_PATH = "/etc/chrony.d/ptp-runner.conf";
/** Amazon Time Sync Service addresses (IPv4, IPv6): kept as the fallback source. */
export const AMAZON_TIME_SYNC = ["169.254.169.123", "fd00:ec2::123"];

/** Content of the managed drop-in: a header saying who wrote it, then the refclock line. */
export function dropInContent(): string {
  return [
    "# Managed by ptp-runner: the ENA PTP hardware clock (PHC) as chrony's preferred source.",
    "# The Amazon Time Sync Service configured in /etc/chrony.conf stays as the fallback.",
    "# Remove this file and restart chronyd to undo.",
    REFCLOCK_LINE,
    "",
  ].join("\n");
}

/** The line appended to chrony.conf when the drop-in directory is not included. */
export function markedLine(): string {
  return `${REFCLOCK_LINE} ${LINE_MARKER}`;
}

/** Configuration lines without comments and blank lines, whitespace collapsed. */
export function directives(conf: string): string[] {
  return conf.split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !/^[#%!;]/.test(l))
    .map((l) => l.replace(/\s+#.*$/, "").replace(/\s+/g, " "));
}

/**
 * True when `conf` includes files of `dir` through `confdir <dir>...` or
 * `include <dir>/<pattern>` (`sourcedir` does not count: it only takes
 * server/pool lines).
 */
export function includesDirectory(conf: string, dir = CHRONY_DROP_IN_DIR): boolean {
  const base = dir.replace(/\/+$/, "");
  for (const line of directives(conf)) {
    const [keyword, ...args] = line.split(" ");
    if (keyword === "confdir" && args.some((a) => a.replace(/\/+$/, "") === base)) return true;
    if (keyword === "include" && args[0]?.startsWith(`${base}/`)) return true;
  }
  return false;
}

/** Active (uncommented) `refclock PHC /dev/ptp_ena ...` lines of `conf`, whitespace collapsed. */
export function ptpEnaRefclocks(conf: string): string[] {
  return directives(conf).filter((l) => /^refclock PHC \/dev\/ptp_ena(\s|$|:)/.test(l));
}

/** True when `conf` names an Amazon Time Sync Service address in a `server`/`pool` line. */
export function hasAmazonTimeSync(conf: string): boolean {
  return directives(conf).some((l) =>
    /^(server|pool|peer) /.test(l) && AMAZON_TIME_SYNC.includes(l.split(" ")[1])
  );
}

/** What configure-chrony must do. */
export type ChronyPlan =
  | {
    /** Nothing to write: the line is already in effect. */
    action: "none";
    method: "drop-in" | "line";
    file: string;
    reason: string;
  }
  | {
    /** Another refclock for /dev/ptp_ena exists in a file ptp-runner does not own. */
    action: "conflict";
    method: "drop-in" | "line";
    file: string;
    reason: string;
  }
  | {
    /** Write the managed drop-in (replacing its previous content, if any). */
    action: "write-drop-in";
    method: "drop-in";
    file: string;
    content: string;
  }
  | {
    /** Append `text` to chrony.conf (starts with a newline when the file lacks a final one). */
    action: "append-line";
    method: "line";
    file: string;
    text: string;
  }
  | {
    /** Replace ptp-runner's own outdated marked line(s); every other line kept as is. */
    action: "replace-marked-line";
    method: "line";
    file: string;
    content: string;
  };

/**
 * Decides where the refclock line goes and whether anything changes.
 * @param conf content of /etc/chrony.conf
 * @param dropIn content of the managed drop-in, or null when it does not exist
 */
export function planChronyChange(conf: string, dropIn: string | null): ChronyPlan {
  const useDropIn = includesDirectory(conf);
  const method = useDropIn ? "drop-in" : "line";
  const file = useDropIn ? DROP_IN_PATH : CHRONY_CONF;
  const ownLines = conf.split(/\r?\n/).filter((l) => l.trimEnd().endsWith(LINE_MARKER));
  const userRefclocks = ptpEnaRefclocks(
    conf.split(/\r?\n/).filter((l) => !l.trimEnd().endsWith(LINE_MARKER)).join("\n"),
  );
  if (userRefclocks.includes(REFCLOCK_LINE)) {
    return {
      action: "none",
      method: "line",
      file: CHRONY_CONF,
      reason: `${CHRONY_CONF} already has "${REFCLOCK_LINE}"`,
    };
  }
  const wanted = markedLine();
  if (ownLines.length === 1 && ownLines[0].trim() === wanted) {
    return {
      action: "none",
      method: "line",
      file: CHRONY_CONF,
      reason: `${CHRONY_CONF} has the marked line`,
    };
  }
  if (userRefclocks.length > 0) {
    return {
      action: "conflict",
      method,
      file: CHRONY_CONF,
      reason: `${CHRONY_CONF} already has another refclock for /dev/ptp_ena ("${
        userRefclocks[0]
      }"); ptp-runner does not edit the user's lines`,
    };
  }
  if (useDropIn) {
    const content = dropInContent();
    if (dropIn === content) {
      return { action: "none", method, file, reason: `${DROP_IN_PATH} is up to date` };
    }
    return { action: "write-drop-in", method: "drop-in", file: DROP_IN_PATH, content };
  }
  if (ownLines.length > 0) {
    let replaced = false;
    const kept: string[] = [];
    for (const line of conf.split("\n")) {
      if (line.trimEnd().endsWith(LINE_MARKER)) {
        if (!replaced) kept.push(wanted);
        replaced = true;
      } else kept.push(line);
    }
    return { action: "replace-marked-line", method: "line", file, content: kept.join("\n") };
  }
  const prefix = conf === "" || conf.endsWith("\n") ? "" : "\n";
  return { action: "append-line", method: "line", file, text: `${prefix}${wanted}\n` };
}
