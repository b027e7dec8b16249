/**
 * Redaction of what report files and the console summary show: IP addresses
 * (IPv4 and IPv6, anywhere in a string) when `settings.redact` is on, and
 * private key blocks always.
 *
 * The Amazon Time Sync Service addresses `169.254.169.123` and `fd00:ec2::123`
 * are kept: they are the same on every instance (AWS EC2 User Guide,
 * "Set the time reference on your EC2 instance"), identify nothing, and
 * chrony diagnostics need them.
 * @module
 */
import { isIPv4, isIPv6 } from "node:net";

/** Prefix of the replacement of a redacted IPv4 address: `[IPv4-1]`, `[IPv4-2]`, ... */
export const IPV4_PLACEHOLDER = "IPv4";
/** Prefix of the replacement of a redacted IPv6 address: `[IPv6-1]`, ... */
export const IPV6_PLACEHOLDER = "IPv6";

const KEEP = new Set(["169.254.169.123", "fd00:ec2::123"]);

// A run of hex digits, colons and dots containing a colon, not glued to a word before it.
const IPV6_CANDIDATE = /(?<![\w:.])[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*/g;
const IPV4_CANDIDATE = /(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?!\w|\.\d)/g;
const PRIVATE_KEY_BLOCK =
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;

/**
 * Replaces IP addresses by pseudonyms that stay the same for the same address
 * within one redactor: the first IPv4 address seen becomes `[IPv4-1]`, the
 * next different one `[IPv4-2]`, so a redacted report can still tell hosts
 * apart. Ports, CIDR suffixes and surrounding text are kept; version strings
 * such as `2.10.0g`, times `10:15:00` and MAC addresses are not addresses.
 */
export type IpRedactor = (text: string) => string;

/**
 * Creates an {@link IpRedactor} with its own numbering; `numbered: false`
 * gives plain `[IPv4]` / `[IPv6]` (for text redacted apart from a report whose
 * numbers it must not clash with).
 */
export function createIpRedactor(options: { numbered?: boolean } = {}): IpRedactor {
  const numbered = options.numbered ?? true;
  const names = new Map<string, string>();
  const counts = { [IPV4_PLACEHOLDER]: 0, [IPV6_PLACEHOLDER]: 0 };
  const nameOf = (address: string, family: "IPv4" | "IPv6") => {
    const key = address.toLowerCase();
    let name = names.get(key);
    if (!name) {
      name = numbered ? `[${family}-${++counts[family]}]` : `[${family}]`;
      names.set(key, name);
    }
    return name;
  };
  return (text) =>
    text.replace(IPV6_CANDIDATE, (match) => {
      // Sentence punctuation after an address is not part of it.
      const trimmed = match.replace(/[.:]+$/, (tail) => tail.startsWith("::") ? tail : "");
      const rest = match.slice(trimmed.length);
      if (!/[0-9A-Fa-f]/.test(trimmed) || !isIPv6(trimmed) || KEEP.has(trimmed.toLowerCase())) {
        return match;
      }
      return nameOf(trimmed, IPV6_PLACEHOLDER) + rest;
    }).replace(
      IPV4_CANDIDATE,
      (match) => isIPv4(match) && !KEEP.has(match) ? nameOf(match, IPV4_PLACEHOLDER) : match,
    );
}

/** Redacts the IP addresses of one string (numbering local to this call). */
export function redactIpAddresses(text: string): string {
  return createIpRedactor()(text);
}

/** Replaces any PEM/OpenSSH private key block in `text` by `***` (always applied). */
export function redactPrivateKeys(text: string): string {
  return text.replace(PRIVATE_KEY_BLOCK, "***");
}

/**
 * Returns a deep copy of a JSON-compatible value with every string redacted:
 * private key blocks always, IP addresses when `ips` is true (one numbering
 * for the whole value unless `numbered: false`, see {@link createIpRedactor}). Object keys are not
 * changed.
 */
export function redactDeep<T>(value: T, options: { ips: boolean; numbered?: boolean }): T {
  const ips = options.ips ? createIpRedactor({ numbered: options.numbered }) : (t: string) => t;
  const visit = (v: unknown): unknown => {
    if (typeof v === "string") return ips(redactPrivateKeys(v));
    if (Array.isArray(v)) return v.map(visit);
    if (v !== null && typeof v === "object") {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, visit(x)]));
    }
    return v;
  };
  return visit(value) as T;
}

/**
 * Returns a deep copy of a JSON-compatible value with the IP addresses of
 * every string replaced by `ips` (whose numbering is shared across calls, so
 * one address keeps one name over a whole run's log). Keys are kept.
 */
export function redactIpsWith<T>(value: T, ips: IpRedactor): T {
  const visit = (v: unknown): unknown => {
    if (typeof v === "string") return ips(v);
    if (Array.isArray(v)) return v.map(visit);
    if (v !== null && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = visit(x);
      return out;
    }
    return v;
  };
  return visit(value) as T;
}
