/**
 * The primary network interface and ENA PCI slot of a target: from the facts
 * `ena-check` recorded, else read from the host.
 *
 * Domain source: PTP.md sections 4 and 6 — derive the interface from the
 * default route (`ens5` on AL2023, `eth0` on AL2, `enX0` on Xen), never
 * hard-code it; the PCI slot is `PCI_SLOT_NAME` of
 * `/sys/class/net/<iface>/device/uevent`.
 * @module
 */
import { defaultRouteInterface } from "../parsers/ip-route.ts";
import type { RemoteShell } from "../ssh/types.ts";
import { shQuote } from "../ssh/quote.ts";
import type { TargetFacts } from "../api.ts";

/**
 * Interface of the default route: `facts.ena.interface`, else `ip -4 route show default`.
 * @returns null when there is no default route
 * @throws StepError `connection`/`cancelled` from the shell
 */
export async function primaryInterface(
  facts: TargetFacts,
  shell: RemoteShell,
  signal: AbortSignal,
): Promise<string | null> {
  if (facts.ena?.interface) return facts.ena.interface;
  const result = await shell.run("ip -4 route show default", { signal });
  return result.exitCode === 0 ? defaultRouteInterface(result.stdout) : null;
}

/**
 * PCI slot of the interface's device (e.g. `0000:00:05.0`): `facts.ena.pciSlot`,
 * else `PCI_SLOT_NAME` from `/sys/class/net/<iface>/device/uevent`.
 * @returns null when unknown
 * @throws StepError `connection`/`cancelled` from the shell
 */
export async function pciSlotOf(
  facts: TargetFacts,
  iface: string | null,
  shell: RemoteShell,
  signal: AbortSignal,
): Promise<string | null> {
  if (facts.ena?.pciSlot) return facts.ena.pciSlot;
  if (!iface) return null;
  const result = await shell.run(`cat /sys/class/net/${shQuote(iface)}/device/uevent`, { signal });
  if (result.exitCode !== 0) return null;
  return /^PCI_SLOT_NAME=(\S+)$/m.exec(result.stdout)?.[1] ?? null;
}
