/**
 * `ena-check`: reads the ENA driver facts of each target without changing
 * anything (PTP.md section 2) and decides whether a PHC-capable driver must
 * be built: only when the `phc_enable` module parameter is missing. A host
 * whose primary NIC is not ENA (igb, vif on Xen, veth, virtio_net...) or that
 * has no ena module gets the verdict `unsupported` instead, and the runner
 * skips its remaining steps: nothing on it changes.
 * @module
 */
import { defineStep, z } from "../plugins/api.ts";
import { StepError } from "../runner/errors.ts";
import type { TargetStepContext } from "../runner/types.ts";
import { shellFor } from "../plugins/ssh/shell-registry.ts";
import {
  batchCommand,
  type BatchPart,
  type BatchResult,
  parseBatch,
} from "../plugins/ssh/batch.ts";
import { shQuote } from "../plugins/ssh/quote.ts";
import { DEFAULT_ROUTE_COMMAND, LINKS_COMMAND } from "../plugins/ptp/primary-interface.ts";
import { diagnose } from "../plugins/ptp/diagnose.ts";
import { isModuleNotFound } from "../plugins/parsers/modinfo.ts";
import {
  defaultRouteInterfaceOf,
  enaFactsOf,
  type EnaReadings,
  interfaceOf,
  nicDriverOf,
  unsupportedReason,
} from "../plugins/ptp/ena-facts.ts";
import { knownPhcFault } from "../plugins/ptp/ena-known-faults.ts";

const ok = (r?: BatchResult): r is BatchResult => r !== undefined && r.exitCode === 0;

/** Input of `ena-check` (none). */
export const EnaCheckInput = z.object({}).strict();

/** Output of `ena-check`. */
export const EnaCheckOutput = z.object({
  changed: z.literal(false),
  needs_build: z.boolean(),
  reason: z.string(),
  version: z.string().nullable(),
  version_at_least_2_10: z.boolean().nullable(),
  has_phc_parameter: z.boolean(),
  phc_enable: z.union([z.literal(0), z.literal(1)]).nullable(),
  ptp_clock_config: z.enum(["y", "m", "n", "unknown"]),
  interface: z.string().nullable(),
  pci_slot: z.string().nullable(),
  kernel: z.string().nullable(),
  /** Driver of the primary interface (`ena`, `igb`, `vif`...); null when unreadable. */
  nic_driver: z.string().nullable(),
  /** True when the ENA steps do not apply (NIC not ENA, or no ena module): verdict `unsupported`. */
  unsupported: z.boolean(),
  /** Warning when this driver is known to crash with the PHC on this kernel (with the fix); else null. */
  known_fault: z.string().nullable(),
});

/** Read-only commands of the first round trip, by {@link EnaReadings} key. */
export const FIRST_READS: BatchPart[] = [
  { name: "kernel", command: "uname -r" },
  { name: "version", command: "modinfo -F version ena" },
  { name: "modinfo", command: "modinfo ena" },
  { name: "phcEnable", command: "cat /sys/module/ena/parameters/phc_enable" },
  { name: "ptpConfig", command: 'grep CONFIG_PTP_1588_CLOCK "/boot/config-$(uname -r)"' },
  { name: "route", command: DEFAULT_ROUTE_COMMAND },
  { name: "links", command: LINKS_COMMAND },
];

/** Read-only commands of the second round trip for interface `iface`. */
export function interfaceReads(iface: string): BatchPart[] {
  return [
    { name: "uevent", command: `cat /sys/class/net/${shQuote(iface)}/device/uevent` },
    { name: "ethtool", command: `ethtool -i ${shQuote(iface)}` },
  ];
}

/**
 * Reads the ENA facts, writes `facts.ena`, returns the step output.
 * @throws StepError `command` (with a `driver` diagnosis quoting the output)
 *   when the host's answer cannot be read at all; `connection`/abort from the shell.
 */
async function runEnaCheck(ctx: TargetStepContext, signal: AbortSignal) {
  const target = ctx.target;
  const shell = await shellFor(ctx);
  const first = await shell.run(batchCommand(FIRST_READS), { signal });
  const readings: EnaReadings = parseBatch(first.stdout);
  if (readings.kernel === undefined || readings.modinfo === undefined) {
    diagnose(target, "driver", "cannot read the ENA driver facts (unexpected shell output)", first);
    throw new StepError("command", `ena-check could not read the driver facts of ${target.label}`, {
      evidence: (first.stderr || first.stdout).trim().slice(-2000) || undefined,
    });
  }
  const modinfo = readings.modinfo;
  if (modinfo.exitCode !== 0 && !isModuleNotFound(modinfo.output)) {
    // e.g. `modinfo: command not found` (127): no answer about the module at all.
    const evidence = { command: "modinfo ena", output: modinfo.output.trim() || "(no output)" };
    diagnose(target, "driver", "cannot read the ena module (modinfo ena failed)", evidence);
    throw new StepError(
      "command",
      `modinfo ena failed on ${target.label} (exit status ${modinfo.exitCode})`,
      { evidence: evidence.output },
    );
  }
  const iface = interfaceOf(readings);
  if (iface) {
    const second = await shell.run(batchCommand(interfaceReads(iface)), { signal });
    Object.assign(readings, parseBatch(second.stdout));
  }
  const facts = enaFactsOf(readings);
  const knownFault = knownPhcFault(facts.version, facts.kernel);
  target.facts.ena = knownFault ? { ...facts, knownFault } : facts;
  if (knownFault) {
    target.warnings.push(knownFault);
    ctx.log.warn(knownFault);
  }
  const nic = { interface: iface, driver: nicDriverOf(readings) };
  target.facts.nic = nic;
  const unsupported = unsupportedReason(iface, nic.driver, facts.modulePresent);
  if (!defaultRouteInterfaceOf(readings)) {
    target.warnings.push(
      `no IPv4 default route on ${target.label} (ip -4 route show default: ${
        readings.route?.output.trim() || "empty"
      }): ${
        iface
          ? `primary interface taken as ${iface}, its only network interface`
          : "primary interface unknown"
      }`,
    );
  }
  if (unsupported) {
    // A verdict, not an error: the runner skips this target's remaining steps.
    target.verdict = "unsupported";
    target.verdictReason = unsupported;
    const evidence = !facts.modulePresent
      ? { name: "modinfo ena", result: readings.modinfo }
      : ok(readings.uevent) && /^DRIVER=/m.test(readings.uevent.output)
      ? { name: `cat /sys/class/net/${iface}/device/uevent`, result: readings.uevent }
      : { name: `ethtool -i ${iface}`, result: readings.ethtool };
    diagnose(target, "hardware", unsupported, {
      command: evidence.name,
      output: evidence.result?.output.trim() || "(no output)",
    });
    ctx.log.warn(`${unsupported}: the ENA steps leave this host unchanged`);
  } else {
    ctx.log.info(facts.reason);
  }
  return {
    changed: false as const,
    needs_build: facts.needsBuild,
    reason: facts.reason,
    version: facts.version,
    version_at_least_2_10: facts.versionAtLeast2_10,
    has_phc_parameter: facts.hasPhcParameter,
    phc_enable: facts.phcEnable,
    ptp_clock_config: facts.ptpClockConfig,
    interface: facts.interface,
    pci_slot: facts.pciSlot,
    kernel: facts.kernel,
    nic_driver: nic.driver,
    unsupported: unsupported !== undefined,
    known_fault: knownFault,
  };
}

export default defineStep({
  type: "ena-check",
  description: "Read the ENA driver facts (version, phc_enable parameter, interface, PCI slot).",
  scope: "target",
  input: EnaCheckInput,
  output: EnaCheckOutput,
  writes: [
    "facts.ena",
    "facts.nic",
    "target.verdict",
    "target.verdictReason",
    "target.warnings",
    "target.diagnostics",
  ],
  async run(ctx, _input, signal) {
    return await runEnaCheck(ctx, signal);
  },
});
