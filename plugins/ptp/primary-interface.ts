/**
 * The primary network interface and ENA PCI slot of a target: from the facts
 * `ena-check` recorded, else read from the host.
 *
 * Domain source: PTP.md sections 4 and 6 — derive the interface from the
 * default route (`ens5` on AL2023, `eth0` on AL2, `enX0` on Xen), never
 * hard-code it; the PCI slot is `PCI_SLOT_NAME` of
 * `/sys/class/net/<iface>/device/uevent`. A host without an IPv4 default
 * route (an IPv6-only instance, the real Debian test VM) has its only link
 * besides `lo` as primary interface ({@link primaryInterfaceFrom}: the one
 * rule ena-check and every step use).
 * @module
 */
import { defaultRouteInterface, soleLinkInterface } from "../parsers/ip-route.ts";
import type { RemoteShell } from "../ssh/types.ts";
import { shQuote } from "../ssh/quote.ts";
import type { TargetFacts } from "../api.ts";

/** Command reading the IPv4 default route. */
export const DEFAULT_ROUTE_COMMAND = "ip -4 route show default";
/** Command listing the host's links (the fallback without a default route). */
export const LINKS_COMMAND = "ip -br link show";

/**
 * The primary interface from what the host answered: the IPv4 default route's
 * interface, else the host's only interface other than loopback. Never throws.
 * @param route stdout of {@link DEFAULT_ROUTE_COMMAND}, null when it failed
 * @param links stdout of {@link LINKS_COMMAND}, null when not read or failed
 * @returns null when neither tells (no default route and no or several links)
 */
export function primaryInterfaceFrom(route: string | null, links: string | null): string | null {
  return (route === null ? null : defaultRouteInterface(route)) ??
    (links === null ? null : soleLinkInterface(links));
}

/**
 * The primary interface: `facts.ena.interface` or `facts.nic.interface`
 * (ena-check's, same rule), else read from the host by
 * {@link primaryInterfaceFrom} (`ip -4 route show default`, then
 * `ip -br link show` when there is no default route).
 * @returns null when neither tells
 * @throws StepError `connection`/`cancelled` from the shell
 */
export async function primaryInterface(
  facts: TargetFacts,
  shell: RemoteShell,
  signal: AbortSignal,
): Promise<string | null> {
  const known = facts.ena?.interface ?? facts.nic?.interface;
  if (known) return known;
  const route = await shell.run(DEFAULT_ROUTE_COMMAND, { signal });
  const routeText = route.exitCode === 0 ? route.stdout : null;
  const fromRoute = primaryInterfaceFrom(routeText, null);
  if (fromRoute) return fromRoute;
  const links = await shell.run(LINKS_COMMAND, { signal });
  return primaryInterfaceFrom(routeText, links.exitCode === 0 ? links.stdout : null);
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
