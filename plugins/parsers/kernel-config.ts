/**
 * Parser for kernel build configuration lines (`/boot/config-$(uname -r)`,
 * `zcat /proc/config.gz`): `CONFIG_X=y|m|"string"|N` or `# CONFIG_X is not set`.
 *
 * Domain source: PTP.md section 2 — with `CONFIG_PTP_1588_CLOCK=m`, `modprobe
 * ptp` is needed before loading a hand-built ENA module.
 * @module
 */
import { lines } from "./units.ts";

/**
 * Value of option `name` (e.g. `CONFIG_PTP_1588_CLOCK`) in kernel config text:
 * `y`, `m`, `n` (for `# ... is not set`), another raw value, or null when the
 * option is not mentioned. Similar names (`CONFIG_PTP_1588_CLOCK_KVM`) do not match.
 */
export function kernelConfigOption(text: string, name: string): string | null {
  for (const raw of lines(text)) {
    const line = raw.trim();
    if (line === `# ${name} is not set`) return "n";
    if (line.startsWith(`${name}=`)) return line.slice(name.length + 1).replace(/^"(.*)"$/, "$1");
  }
  return null;
}

/**
 * Tristate of option `name`: `y`, `m`, `n`, or `unknown` when the text does
 * not mention it (or gives another value).
 */
export function kernelTristate(text: string, name: string): "y" | "m" | "n" | "unknown" {
  const value = kernelConfigOption(text, name);
  return value === "y" || value === "m" || value === "n" ? value : "unknown";
}
