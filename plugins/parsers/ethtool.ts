/**
 * Parsers for `ethtool -i <iface>` (driver information) and `ethtool -T <iface>`
 * (time stamping capabilities and the PTP hardware clock index).
 *
 * Domain source: PTP.md sections 2 and 4 — with an upstream kernel `ethtool -i`
 * reports the kernel version as the driver version; `ethtool -T` reports the
 * PHC as `PTP Hardware Clock: N` or `none` (ethtool >= 6.15 may print
 * `Hardware timestamp provider index: N` instead); it never enables anything.
 * @module
 */
import { lines } from "./units.ts";

/** `ethtool -i <iface>`: which driver backs the interface. */
export interface EthtoolDriverInfo {
  /** `driver:`, e.g. `ena`; null when missing. */
  driver: string | null;
  /** `version:`, e.g. `2.8.3g` (the kernel release on upstream kernels); null when missing or empty. */
  version: string | null;
  /** `firmware-version:`; null when missing or empty. */
  firmwareVersion: string | null;
  /** `bus-info:`, the PCI slot, e.g. `0000:00:05.0`; null when missing or empty. */
  busInfo: string | null;
  /** Every `key: value` line by lower-case key. */
  fields: Record<string, string>;
}

/**
 * Parses `ethtool -i` output by its labels (any spacing, tabs, extra or
 * missing lines). Never throws.
 */
export function parseEthtoolDriverInfo(text: string): EthtoolDriverInfo {
  const fields: Record<string, string> = {};
  for (const line of lines(text)) {
    const m = /^\s*([A-Za-z][A-Za-z0-9 _-]*?)\s*:\s*(.*)$/.exec(line);
    if (m) fields[m[1].toLowerCase()] = m[2].trim();
  }
  const get = (key: string) => fields[key] || null;
  return {
    driver: get("driver"),
    version: get("version"),
    firmwareVersion: get("firmware-version"),
    busInfo: get("bus-info"),
    fields,
  };
}

/** `ethtool -T <iface>`: time stamping capabilities and the PHC index. */
export interface EthtoolTimestamping {
  /** Interface named in the `Time stamping parameters for <iface>:` line; null when absent. */
  interface: string | null;
  /** Capability names (e.g. `hardware-receive`), `(SOF_...)` names stripped. */
  capabilities: string[];
  /** N of `PTP Hardware Clock: N`; null for `none`, or when the line is missing. */
  phcIndex: number | null;
  /** True when a `PTP Hardware Clock:` (or provider index) line was present at all. */
  phcReported: boolean;
  /** Hardware transmit timestamp modes (e.g. `off`, `on`); empty for `none`. */
  txModes: string[];
  /** Hardware receive filter modes (e.g. `none`, `all`); empty when printed inline as `none`. */
  rxFilters: string[];
}

type Section = "capabilities" | "tx" | "rx" | null;

/**
 * Parses `ethtool -T` output by its labels. Section items are the indented
 * lines under `Capabilities:`, `Hardware Transmit Timestamp Modes:` and
 * `Hardware Receive Filter Modes:`; an inline `none` means an empty list.
 * Never throws.
 */
export function parseEthtoolTimestamping(text: string): EthtoolTimestamping {
  const result: EthtoolTimestamping = {
    interface: null,
    capabilities: [],
    phcIndex: null,
    phcReported: false,
    txModes: [],
    rxFilters: [],
  };
  let section: Section = null;
  for (const raw of lines(text)) {
    if (raw.trim() === "") continue;
    const label = /^\s*([^:]+?)\s*:\s*(.*)$/.exec(raw);
    const indented = /^\s/.test(raw);
    if (label && !(indented && section && !isKnownLabel(label[1]))) {
      const key = label[1].toLowerCase();
      const value = label[2].trim();
      section = null;
      const iface = /^time stamping parameters for (\S+)$/.exec(key);
      if (iface) {
        result.interface = raw.trim().replace(/^.*\sfor\s+/i, "").replace(/:$/, "");
      } else if (key === "capabilities") {
        section = "capabilities";
        addInline(result.capabilities, value);
      } else if (key === "ptp hardware clock" || key === "hardware timestamp provider index") {
        result.phcReported = true;
        result.phcIndex = /^\d+$/.test(value) ? Number(value) : null;
      } else if (key === "hardware transmit timestamp modes") {
        section = "tx";
        addInline(result.txModes, value);
      } else if (key === "hardware receive filter modes") {
        section = "rx";
        addInline(result.rxFilters, value);
      }
      continue;
    }
    if (section) {
      const item = stripKernelName(raw);
      if (!item) continue;
      if (section === "capabilities") result.capabilities.push(item);
      else if (section === "tx") result.txModes.push(item);
      else result.rxFilters.push(item);
    }
  }
  return result;
}

function isKnownLabel(label: string): boolean {
  return /^(capabilities|ptp hardware clock|hardware (transmit|receive|timestamp)|time stamping)/i
    .test(label.trim());
}

/** Adds an inline list value unless it is `none` (ethtool prints ` none` for an empty list). */
function addInline(list: string[], value: string): void {
  const item = stripKernelName(value);
  if (item && item.toLowerCase() !== "none") list.push(item);
}

/** `software-transmit     (SOF_TIMESTAMPING_TX_SOFTWARE)` -> `software-transmit`. */
function stripKernelName(text: string): string {
  return text.replace(/\((SOF|HWTSTAMP)_[A-Z0-9_]+\)/g, "").trim();
}
