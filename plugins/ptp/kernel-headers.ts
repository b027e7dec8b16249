/**
 * Which package holds the headers of the running kernel, for building the
 * amzn-drivers ENA module.
 *
 * Domain source: PTP.md section 2 — `kernel-devel-$(uname -r)`; on AL2023 with
 * a 6.12 kernel the package is `kernel6.12-devel-$(uname -r)`; resolve it by
 * asking dnf what provides `/usr/src/kernels/$(uname -r)`.
 * @module
 */

/**
 * Command that asks dnf (or yum, on Amazon Linux 2 and older RHEL) which
 * package provides the running kernel's headers.
 */
export function headersProvidesCommand(kernel: string, manager: "dnf" | "yum" = "dnf"): string {
  return `${manager} provides /usr/src/kernels/${kernel}`;
}

/**
 * Package names (NEVRA, epoch dropped) at the start of `dnf provides` result
 * lines (`kernel-devel-6.1.158-180.294.amzn2023.x86_64 : Development package ...`).
 * Label lines (`Repo :`, `Matched from:`, `Filename :`, `Provide :`) and the
 * metadata line are skipped.
 */
export function parseDnfProvides(stdout: string): string[] {
  const packages: string[] = [];
  for (const raw of stdout.split(/\r?\n/)) {
    const m = /^(?:\d+:)?([A-Za-z0-9][\w.+-]*-[\w.+~^]+-[\w.+~^]+)\s+:\s/.exec(raw.trim());
    if (!m || /^(Repo|Matched|Filename|Provide|Last)\b/.test(raw.trim())) continue;
    if (!packages.includes(m[1])) packages.push(m[1]);
  }
  return packages;
}

/**
 * The conventional headers package of `kernel` when dnf cannot tell: on
 * AL2023 kernels other than 6.1 `kernel<major.minor>-devel-<kernel>` (e.g.
 * `kernel6.12-devel-6.12.40-63.114.amzn2023.x86_64`), else `kernel-devel-<kernel>`.
 */
export function conventionalHeadersPackage(kernel: string): string {
  const mm = /^(\d+\.\d+)\./.exec(kernel)?.[1];
  if (mm && mm !== "6.1" && /amzn2023/.test(kernel)) return `kernel${mm}-devel-${kernel}`;
  return `kernel-devel-${kernel}`;
}

/**
 * The headers package to install: the first `dnf provides` result that names
 * the running kernel's release, else {@link conventionalHeadersPackage}.
 * @param kernel `uname -r`
 * @param providesStdout stdout of {@link headersProvidesCommand} (may be empty)
 * @returns a NEVRA `dnf install` accepts
 */
export function headersPackageFor(kernel: string, providesStdout: string): string {
  const match = parseDnfProvides(providesStdout).find((p) => p.endsWith(kernel));
  return match ?? conventionalHeadersPackage(kernel);
}
