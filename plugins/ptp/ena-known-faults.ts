/**
 * ENA driver releases known to fail with the PHC on some kernels, and the
 * fix: `ena-check` warns about them.
 *
 * Domain source: amzn-drivers issue 322 ("ENA 2.13.0 crashes with the PHC
 * enabled on kernels 6.2 and later"), fixed in ENA 2.13.1 (issue 13 point 8).
 * @module
 */
import { parseEnaVersion } from "../parsers/modinfo.ts";

/** `major.minor` of a kernel release (`6.1.158-180.294.amzn2023.x86_64` -> [6, 1]); null when unreadable. */
export function kernelMajorMinor(release: string | null | undefined): [number, number] | null {
  const m = /^(\d+)\.(\d+)/.exec(release?.trim() ?? "");
  return m ? [Number(m[1]), Number(m[2])] : null;
}

/**
 * The warning for a driver known to crash with the PHC on the running
 * kernel, with the fix; null when no known fault applies (or the version or
 * kernel is unknown).
 * @param version `modinfo -F version ena`, e.g. `2.13.0g`
 * @param kernel `uname -r`
 */
export function knownPhcFault(
  version: string | null | undefined,
  kernel: string | null | undefined,
): string | null {
  const v = version ? parseEnaVersion(version) : null;
  const k = kernelMajorMinor(kernel);
  if (!v || !k) return null;
  const is2130 = v.major === 2 && v.minor === 13 && v.patch === 0;
  const kernelAtLeast62 = k[0] > 6 || (k[0] === 6 && k[1] >= 2);
  if (!is2130 || !kernelAtLeast62) return null;
  return `ENA driver ${version} is known to crash with the PHC enabled on kernel ${kernel} ` +
    "(6.2 or later; amzn-drivers issue 322): install ENA 2.13.1 or later (fixed there) " +
    "before enabling phc_enable";
}
