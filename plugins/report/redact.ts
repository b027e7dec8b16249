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
import { AddressNames, IPV4_PLACEHOLDER, IPV6_PLACEHOLDER } from "../../runner/address-names.ts";
import { mapStrings } from "../../runner/map-strings.ts";

export { IPV4_PLACEHOLDER, IPV6_PLACEHOLDER };

const PRIVATE_KEY_BLOCK =
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;

/**
 * Replaces IP addresses by pseudonyms that stay the same for the same address
 * within one redactor (see {@link AddressNames}): the first IPv4 address seen
 * becomes `[IPv4-1]`, the next different one `[IPv4-2]`. A run's outputs share
 * the run's one redactor (`EventBus.addresses`), so a placeholder names one
 * address in the log and in the report alike.
 */
export type IpRedactor = (text: string) => string;

/**
 * Creates an {@link IpRedactor} with its own numbering; `numbered: false`
 * gives plain `[IPv4]` / `[IPv6]` (for text redacted apart from a report whose
 * numbers it must not clash with).
 */
export function createIpRedactor(options: { numbered?: boolean } = {}): IpRedactor {
  const names = new AddressNames(options);
  return (text) => names.redactText(text);
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
 * private key blocks always, IP addresses when `ips` is true: with `names`
 * (the run's numbering, shared with its log) when given, else one numbering
 * for the whole value unless `numbered: false` (see {@link createIpRedactor}).
 * Object keys are not changed.
 */
export function redactDeep<T>(
  value: T,
  options: { ips: boolean; numbered?: boolean; names?: IpRedactor },
): T {
  const ips = !options.ips
    ? (t: string) => t
    : options.names ?? createIpRedactor({ numbered: options.numbered });
  return mapStrings(value, (text) => ips(redactPrivateKeys(text)));
}

/**
 * Returns a deep copy of a JSON-compatible value with the IP addresses of
 * every string replaced by `ips` (whose numbering is shared across calls, so
 * one address keeps one name over a whole run's log). Keys are kept.
 */
export function redactIpsWith<T>(value: T, ips: IpRedactor): T {
  return mapStrings(value, ips);
}
