/**
 * Parser for `ip route` / `ip -4 route show default` output: which interface
 * carries the default route (the host's primary interface).
 *
 * Domain source: PTP.md section 4 — the primary interface is `ens5` on AL2023,
 * `eth0` on AL2, `enX0` on Xen types: derive it from the default route.
 * @module
 */
import { lines } from "./units.ts";

/** One route line of `ip route`. */
export interface IpRoute {
  /** Destination: `default` or a prefix such as `172.31.0.0/20`. */
  destination: string;
  /** `via` gateway, when present. */
  gateway: string | null;
  /** `dev` interface, when present. */
  device: string | null;
  /** `src` preferred source address, when present. */
  source: string | null;
  /** `metric`, when present (missing counts as 0 for ordering). */
  metric: number | null;
  /** `proto`, e.g. `dhcp`, when present. */
  protocol: string | null;
}

/**
 * Parses `ip route` lines as keyword/value pairs (order of keywords, spacing
 * and tabs do not matter). Never throws.
 */
export function parseIpRoutes(text: string): IpRoute[] {
  const routes: IpRoute[] = [];
  for (const raw of lines(text)) {
    const words = raw.trim().split(/\s+/).filter((w) => w !== "");
    if (words.length === 0) continue;
    let i = 0;
    // Optional route type prefix, e.g. `unicast default via ...`.
    if (
      /^(unicast|local|broadcast|multicast|throw|unreachable|prohibit|blackhole)$/.test(words[0])
    ) i++;
    const destination = words[i];
    if (!destination || !/^(default|[0-9a-fA-F.:]+(\/\d+)?)$/.test(destination)) continue;
    const value = (key: string) => {
      const at = words.indexOf(key, i + 1);
      return at >= 0 && at + 1 < words.length ? words[at + 1] : null;
    };
    const metric = value("metric");
    routes.push({
      destination,
      gateway: value("via"),
      device: value("dev"),
      source: value("src"),
      metric: metric !== null && /^\d+$/.test(metric) ? Number(metric) : null,
      protocol: value("proto"),
    });
  }
  return routes;
}

/**
 * The default route with the lowest metric (the one the kernel uses), or
 * null when there is none.
 */
export function defaultRoute(text: string): IpRoute | null {
  const defaults = parseIpRoutes(text).filter((r) => r.destination === "default" && r.device);
  defaults.sort((a, b) => (a.metric ?? 0) - (b.metric ?? 0));
  return defaults[0] ?? null;
}

/** Interface of the default route (e.g. `ens5`), or null when there is none. */
export function defaultRouteInterface(text: string): string | null {
  return defaultRoute(text)?.device ?? null;
}

/**
 * The only network interface other than loopback in `ip -br link show`
 * output (`eth0@if5` counts as `eth0`), or null when there is none or more
 * than one. The primary interface of a host without an IPv4 default route
 * (an IPv6-only instance, a VM on a restricted network) when it has one NIC.
 * Never throws.
 */
export function soleLinkInterface(text: string): string | null {
  const names = lines(text).map((raw) => raw.trim().split(/\s+/)[0] ?? "")
    .map((name) => name.replace(/@.*$/, ""))
    .filter((name) => name !== "" && name !== "lo");
  return names.length === 1 ? names[0] : null;
}
