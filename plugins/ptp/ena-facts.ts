/**
 * The ENA driver decision of `ena-check`, as a pure function of what the
 * host printed (PTP.md section 2): a driver needs building ONLY when it lacks
 * the `phc_enable` module parameter; the version (>= 2.10.0) is reported, not
 * used to decide, since only a driver built with `ENA_PHC_INCLUDE=1` has the
 * parameter.
 * @module
 */
import type { EnaFacts } from "./facts.ts";
import { kernelTristate } from "../parsers/kernel-config.ts";
import { defaultRouteInterface } from "../parsers/ip-route.ts";
import { primaryInterfaceFrom } from "./primary-interface.ts";
import {
  hasParameter,
  isModuleNotFound,
  parseModinfo,
  versionAtLeast,
} from "../parsers/modinfo.ts";
import { parseEthtoolDriverInfo } from "../parsers/ethtool.ts";
import type { BatchResult } from "../ssh/batch.ts";

/** Raw outputs `ena-check` reads (each: merged output and exit status; absent = not read). */
export interface EnaReadings {
  /** `uname -r`. */
  kernel?: BatchResult;
  /** `modinfo -F version ena`. */
  version?: BatchResult;
  /** `modinfo ena`. */
  modinfo?: BatchResult;
  /** `cat /sys/module/ena/parameters/phc_enable`. */
  phcEnable?: BatchResult;
  /** `grep CONFIG_PTP_1588_CLOCK /boot/config-$(uname -r)`. */
  ptpConfig?: BatchResult;
  /** `ip -4 route show default`. */
  route?: BatchResult;
  /** `ip -br link show`. */
  links?: BatchResult;
  /** `cat /sys/class/net/<iface>/device/uevent`. */
  uevent?: BatchResult;
  /** `ethtool -i <iface>`. */
  ethtool?: BatchResult;
}

const ok = (r?: BatchResult): r is BatchResult => r !== undefined && r.exitCode === 0;

/** The primary interface from the default route reading, or null. */
export function defaultRouteInterfaceOf(readings: EnaReadings): string | null {
  return ok(readings.route) ? defaultRouteInterface(readings.route.output) : null;
}

/**
 * The primary interface: the IPv4 default route's, else the host's only
 * interface other than loopback (`ip -br link show`); null when neither tells.
 */
export function interfaceOf(readings: EnaReadings): string | null {
  return primaryInterfaceFrom(
    ok(readings.route) ? readings.route.output : null,
    ok(readings.links) ? readings.links.output : null,
  );
}

/**
 * Derives {@link EnaFacts} from the readings. Never throws.
 * - module present: `modinfo ena` succeeded (or the sysfs parameter exists);
 * - parameter present: `modinfo ena` lists `parm: phc_enable:` or
 *   `/sys/module/ena/parameters/phc_enable` exists (the loaded driver has it);
 * - `needsBuild` = parameter missing, on a host the ENA steps apply to (an
 *   ENA primary NIC, an ena module): see {@link unsupportedReason}.
 */
export function enaFactsOf(readings: EnaReadings): EnaFacts {
  const kernel = ok(readings.kernel) ? readings.kernel.output.trim() || null : null;
  const info = ok(readings.modinfo) ? parseModinfo(readings.modinfo.output) : null;
  const versionLine = ok(readings.version) ? readings.version.output.trim() : "";
  const version = versionLine !== "" && !isModuleNotFound(versionLine)
    ? versionLine.split(/\r?\n/)[0].trim()
    : info?.version ?? null;
  const phcText = ok(readings.phcEnable) ? readings.phcEnable.output.trim() : null;
  const phcEnable = phcText === "1" || phcText === "Y" ? 1 : phcText === null ? null : 0;
  const modulePresent = info !== null || phcText !== null;
  const parmListed = info !== null && hasParameter(info, "phc_enable");
  const hasPhcParameter = parmListed || phcText !== null;
  const ptpClockConfig = readings.ptpConfig
    ? kernelTristate(readings.ptpConfig.output, "CONFIG_PTP_1588_CLOCK")
    : "unknown";
  const iface = interfaceOf(readings);
  const uevent = ok(readings.uevent)
    ? /^PCI_SLOT_NAME=(\S+)$/m.exec(readings.uevent.output)?.[1] ?? null
    : null;
  const busInfo = ok(readings.ethtool)
    ? parseEthtoolDriverInfo(readings.ethtool.output).busInfo
    : null;
  const pciSlot = uevent ?? (busInfo && /^[0-9a-f]{4}:/i.test(busInfo) ? busInfo : null);
  const atLeast = versionAtLeast(version, "2.10.0");
  const nicDriver = nicDriverOf(readings);
  const unsupported = unsupportedReason(iface, nicDriver, modulePresent);
  const needsBuild = !hasPhcParameter && unsupported === undefined;
  return {
    version,
    modulePresent,
    versionAtLeast2_10: atLeast,
    hasPhcParameter,
    phcEnable,
    ptpClockConfig,
    interface: iface,
    pciSlot,
    kernel,
    needsBuild,
    reason: unsupported ??
      reasonFor({ version, modulePresent, hasPhcParameter, parmListed, phcEnable, atLeast }),
  };
}

/**
 * The primary interface's kernel driver: `DRIVER=` of
 * `/sys/class/net/IFACE/device/uevent`, else `driver:` of `ethtool -i IFACE`
 * (a veth has no `device`); null when neither answered.
 */
export function nicDriverOf(readings: EnaReadings): string | null {
  const fromUevent = ok(readings.uevent)
    ? /^DRIVER=(\S+)$/m.exec(readings.uevent.output)?.[1] ?? null
    : null;
  if (fromUevent) return fromUevent;
  return ok(readings.ethtool) ? parseEthtoolDriverInfo(readings.ethtool.output).driver : null;
}

/**
 * Why the ENA steps must leave this host alone (PTP.md section 2: the ENA
 * PHC needs an ENA NIC and its driver), or undefined when they apply:
 * - the primary interface's driver is known and is not `ena` (igb, vif on
 *   Xen, veth, virtio_net...);
 * - no ena kernel module exists (`modinfo: ERROR: Module ena not found.`).
 */
export function unsupportedReason(
  iface: string | null,
  nicDriver: string | null,
  modulePresent: boolean,
): string | undefined {
  if (iface && nicDriver && nicDriver !== "ena") {
    return `unsupported: the primary NIC ${iface} uses driver ${nicDriver}, not ENA`;
  }
  if (!modulePresent) {
    return "unsupported: no ena kernel module (modinfo ena: Module ena not found)";
  }
  return undefined;
}

function reasonFor(f: {
  version: string | null;
  modulePresent: boolean;
  hasPhcParameter: boolean;
  parmListed: boolean;
  phcEnable: 0 | 1 | null;
  atLeast: boolean | null;
}): string {
  const driver = `ENA driver ${f.version ?? "(no version line: upstream kernel driver)"}`;
  if (f.hasPhcParameter) {
    const state = f.phcEnable === 1
      ? "phc_enable=1 (on)"
      : f.phcEnable === 0
      ? "phc_enable=0 (off)"
      : "the loaded driver does not show it yet";
    return `${driver} has the phc_enable parameter${
      f.parmListed ? "" : " (seen in sysfs)"
    }, ${state}: no build needed`;
  }
  const versionNote = f.atLeast
    ? "; its version is >= 2.10.0 but it was built without ENA_PHC_INCLUDE=1"
    : "";
  return `${driver} lacks the phc_enable module parameter${versionNote}: build amzn-drivers with ENA_PHC_INCLUDE=1`;
}
