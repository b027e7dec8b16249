/**
 * The run's names for IP addresses: with redaction on, every output of a run
 * (console, `--log-json`, report files, `--output json`, the journal's inputs)
 * shows an address as the same placeholder, `[IPv4-1]`, `[IPv6-1]`, numbered in
 * the order the run first wrote them. One {@link AddressNames} per run (on the
 * run's `EventBus`); a resumed run goes on with the numbering its journal
 * recorded ({@link RecordedAddressNames}: keyed digests, never an address).
 *
 * The Amazon Time Sync Service addresses `169.254.169.123` and `fd00:ec2::123`
 * are kept: they are the same on every instance (AWS EC2 User Guide,
 * "Set the time reference on your EC2 instance"), identify nothing, and
 * chrony diagnostics need them.
 * @module
 */
import { Buffer } from "node:buffer";
import { createHmac, randomBytes } from "node:crypto";
import { isIPv4, isIPv6 } from "node:net";
import { mapStrings } from "./map-strings.ts";

/** Prefix of the replacement of a redacted IPv4 address: `[IPv4-1]`, `[IPv4-2]`, ... */
export const IPV4_PLACEHOLDER = "IPv4";
/** Prefix of the replacement of a redacted IPv6 address: `[IPv6-1]`, ... */
export const IPV6_PLACEHOLDER = "IPv6";

const KEEP = new Set(["169.254.169.123", "fd00:ec2::123"]);

// A run of hex digits, colons and dots containing a colon, not glued to a word before it.
const IPV6_CANDIDATE = /(?<![\w:.])[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*/g;
const IPV4_CANDIDATE = /(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?!\w|\.\d)/g;
const PLACEHOLDER_NUMBER = /^\[IPv[46]-(\d+)\]$/;

/**
 * The numbering of a run as its journal keeps it (`addressNames`): each
 * placeholder by the HMAC-SHA-256 (key `key`, hex) of its address in lower
 * case, so a resumed run names the same address the same way without the
 * journal holding the address.
 */
export interface RecordedAddressNames {
  /** Random 32-byte key of the digests, hex. */
  key: string;
  /** Placeholder (`[IPv4-1]`) by digest of the address (hex). */
  names: Record<string, string>;
}

/**
 * Replaces IP addresses by placeholders that stay the same for the same
 * address within one instance: the first IPv4 address seen becomes `[IPv4-1]`,
 * the next different one `[IPv4-2]`, so redacted output still tells hosts
 * apart. Ports, CIDR suffixes and surrounding text are kept; version strings
 * such as `2.10.0g`, times `10:15:00` and MAC addresses are not addresses.
 */
export class AddressNames {
  /** The numbering so far, as the journal stores it (updated in place). */
  readonly recorded: RecordedAddressNames;
  readonly #numbered: boolean;
  readonly #names = new Map<string, string>();
  readonly #counts = { [IPV4_PLACEHOLDER]: 0, [IPV6_PLACEHOLDER]: 0 };

  /**
   * @param options.numbered false gives plain `[IPv4]` / `[IPv6]` (for text
   *   redacted apart from a run whose numbers it must not clash with).
   * @param options.recorded the numbering a run recorded (resume): its
   *   addresses keep their names and new ones are numbered after them.
   *   Malformed entries are ignored.
   */
  constructor(options: { numbered?: boolean; recorded?: RecordedAddressNames } = {}) {
    this.#numbered = options.numbered ?? true;
    const recorded = options.recorded;
    const valid = typeof recorded?.key === "string" && /^[0-9a-f]{64}$/.test(recorded.key) &&
      recorded.names !== null && typeof recorded.names === "object";
    this.recorded = { key: valid ? recorded.key : randomBytes(32).toString("hex"), names: {} };
    if (!valid) return;
    for (const [digest, name] of Object.entries(recorded.names)) {
      const number = typeof name === "string" ? PLACEHOLDER_NUMBER.exec(name)?.[1] : undefined;
      if (!number) continue;
      this.recorded.names[digest] = name;
      const family = name.startsWith(`[${IPV6_PLACEHOLDER}`) ? IPV6_PLACEHOLDER : IPV4_PLACEHOLDER;
      this.#counts[family] = Math.max(this.#counts[family], Number(number));
    }
  }

  /** Returns `text` with every IP address (but the Time Sync ones) replaced by its placeholder. */
  redactText(text: string): string {
    return text.replace(IPV6_CANDIDATE, (match) => {
      // Sentence punctuation after an address is not part of it.
      const trimmed = match.replace(/[.:]+$/, (tail) => tail.startsWith("::") ? tail : "");
      const rest = match.slice(trimmed.length);
      if (!/[0-9A-Fa-f]/.test(trimmed) || !isIPv6(trimmed) || KEEP.has(trimmed.toLowerCase())) {
        return match;
      }
      return this.#nameOf(trimmed, IPV6_PLACEHOLDER) + rest;
    }).replace(
      IPV4_CANDIDATE,
      (match) => isIPv4(match) && !KEEP.has(match) ? this.#nameOf(match, IPV4_PLACEHOLDER) : match,
    );
  }

  /** A deep copy of a JSON-compatible value with every string redacted ({@link redactText}); keys kept. */
  redact<T>(value: T): T {
    return mapStrings(value, (text) => this.redactText(text));
  }

  #nameOf(address: string, family: "IPv4" | "IPv6"): string {
    const key = address.toLowerCase();
    let name = this.#names.get(key);
    if (name) return name;
    if (!this.#numbered) name = `[${family}]`;
    else {
      const digest = createHmac("sha256", Buffer.from(this.recorded.key, "hex")).update(key)
        .digest("hex");
      name = this.recorded.names[digest] ?? `[${family}-${++this.#counts[family]}]`;
      this.recorded.names[digest] = name;
    }
    this.#names.set(key, name);
    return name;
  }
}
