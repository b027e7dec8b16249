/**
 * Parsers for what names the PTP clocks of a host: `ls -l /dev/ptp*` (device
 * nodes and udev symlinks such as `ptp_ena -> ptp0`) and the `clock_name`
 * attributes under `/sys/class/ptp/`.
 *
 * Domain source: PTP.md section 4 — `/dev/ptp0` alone proves nothing (it can be
 * `ptp_kvm`); the ENA clock is the one whose `clock_name` starts `ena-ptp-`,
 * and AL2023's udev rule links it as `/dev/ptp_ena`.
 * @module
 */
import { lines } from "./units.ts";

/** One entry of `ls -l /dev/ptp*`. */
export interface PtpDeviceEntry {
  /** Path as listed, e.g. `/dev/ptp0` or `/dev/ptp_ena`. */
  path: string;
  /** Base name, e.g. `ptp0`, `ptp_ena`. */
  name: string;
  /** `char` for a device node, `symlink` for a link, `other` for anything else. */
  kind: "char" | "symlink" | "other";
  /** Link target as listed (e.g. `ptp0`), for symlinks. */
  target?: string;
  /** N of `ptpN` for device nodes named `ptpN`. */
  index?: number;
  /** Major and minor device numbers of a character device. */
  major?: number;
  minor?: number;
}

/** Parsed `ls -l /dev/ptp*`. */
export interface PtpDeviceListing {
  /** Every entry, in listed order. */
  entries: PtpDeviceEntry[];
  /** Character devices only. */
  devices: PtpDeviceEntry[];
  /** Symlink name -> base name of its target, e.g. `{ ptp_ena: "ptp0", ptp_kvm: "ptp1" }`. */
  symlinks: Record<string, string>;
}

const PTP_INDEX = /^ptp(\d+)$/;

/**
 * Parses `ls -l` lines of `/dev/ptp*` by meaning: the mode string first, the
 * path as the last word (before ` -> target` for links). Lines such as
 * `ls: cannot access '/dev/ptp*': No such file or directory` and `total N`
 * are ignored. Never throws.
 */
export function parseLsPtpDevices(text: string): PtpDeviceListing {
  const entries: PtpDeviceEntry[] = [];
  for (const raw of lines(text)) {
    const line = raw.trim();
    const mode = /^([lcbdps-])[rwxsStT-]{9}[.+@]?\s/.exec(line);
    if (!mode) continue;
    const [left, target] = splitLink(line);
    const words = left.split(/\s+/);
    const path = words[words.length - 1];
    const name = path.slice(path.lastIndexOf("/") + 1);
    const kind = mode[1] === "c" ? "char" : mode[1] === "l" ? "symlink" : "other";
    const entry: PtpDeviceEntry = { path, name, kind };
    if (kind === "symlink" && target !== undefined) entry.target = target;
    const index = PTP_INDEX.exec(name);
    if (index && kind === "char") entry.index = Number(index[1]);
    const numbers = /\s(\d+),\s*(\d+)\s/.exec(left);
    if (numbers && kind === "char") {
      entry.major = Number(numbers[1]);
      entry.minor = Number(numbers[2]);
    }
    entries.push(entry);
  }
  const symlinks: Record<string, string> = {};
  for (const e of entries) {
    if (e.kind === "symlink" && e.target) {
      symlinks[e.name] = e.target.slice(e.target.lastIndexOf("/") + 1);
    }
  }
  return { entries, devices: entries.filter((e) => e.kind === "char"), symlinks };
}

function splitLink(line: string): [string, string | undefined] {
  const arrow = line.indexOf(" -> ");
  if (arrow < 0) return [line, undefined];
  return [line.slice(0, arrow), line.slice(arrow + 4).trim()];
}

/** One PTP clock from `/sys/class/ptp/ptpN/clock_name`. */
export interface PtpClockName {
  /** Device name, e.g. `ptp0`. */
  device: string;
  /** N of `ptpN`. */
  index: number;
  /** `clock_name` contents, e.g. `ena-ptp-05` or `KVM virtual PTP`. */
  clockName: string;
}

/**
 * Parses `grep -H .` output over every `/sys/class/ptp/ptpN/clock_name`
 * (`/sys/class/ptp/ptp0/clock_name:ena-ptp-05`, one clock a line). Lines not
 * of that shape are ignored. Never throws.
 */
export function parsePtpClockNames(text: string): PtpClockName[] {
  const clocks: PtpClockName[] = [];
  for (const raw of lines(text)) {
    const m = /(?:^|\/)(ptp(\d+))\/clock_name:(.*)$/.exec(raw.trim());
    if (m) clocks.push({ device: m[1], index: Number(m[2]), clockName: m[3].trim() });
  }
  return clocks;
}

/**
 * The ENA clock among `clocks`: the one whose name starts `ena-ptp-`
 * (PTP.md section 4). Null when there is none.
 */
export function findEnaClock(clocks: readonly PtpClockName[]): PtpClockName | null {
  return clocks.find((c) => c.clockName.startsWith("ena-ptp-")) ?? null;
}
