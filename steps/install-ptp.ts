/**
 * `install-ptp`: makes sure chrony and ethtool are installed, by the
 * distribution's package manager and package names (`facts.host` layout:
 * `rpm -q` + dnf/yum, or `dpkg-query` + apt-get; unchanged when present);
 * linuxptp only with `diagnostics_tools: true` (for `phc_ctl`/`hwstamp_ctl`).
 * Never enables or starts ptp4l/phc2sys: chrony reads the read-only ENA PHC
 * directly (PTP.md section 3). Check mode (`--dry-run`): only the read-only
 * queries run; the install is recorded in `facts.changes` as it would be done.
 * @module
 */
import { defineStep, z } from "../plugins/api.ts";
import type { TargetStepContext } from "../runner/types.ts";
import { shellFor } from "../plugins/ssh/shell-registry.ts";
import { installPackages, missingPackages } from "../plugins/ptp/packages.ts";
import { type HostLayout, hostLayout } from "../plugins/host/distribution.ts";
import { hostChanges } from "../plugins/host/changes.ts";

/** `InstallPtpInput` as the step receives it (from the schema). */
export type InstallPtpInput = z.output<typeof InstallPtpInput>;

/** `InstallPtpOutput` as the step returns it (from the schema). */
export type InstallPtpOutput = z.input<typeof InstallPtpOutput>;

/** Input of `install-ptp`. */
export const InstallPtpInput = z.object({
  /** Also install linuxptp (diagnostic tools `phc_ctl`, `hwstamp_ctl`). */
  diagnostics_tools: z.boolean().default(false).describe(
    "Also install linuxptp for the diagnostic tools phc_ctl and hwstamp_ctl.",
  ),
}).strict();

/** Output of `install-ptp`. */
export const InstallPtpOutput = z.object({
  /** True when a package was installed. */
  changed: z.boolean(),
  /** Packages this run installed. */
  installed: z.array(z.string()),
});

/** Packages always needed: chrony reads the PHC, ethtool reports it (names per layout). */
export function requiredPackages(layout: HostLayout): string[] {
  return [layout.chrony_package, layout.ethtool_package];
}
/** Optional diagnostic tools (`linuxptp` on every supported distribution). */
export const DIAGNOSTIC_PACKAGES = ["linuxptp"] as const;

/**
 * Runs install-ptp on the current target.
 * @throws StepError `command` (diagnosis layer `package`) when the package manager fails;
 *   `config` without a target or SSH session; `connection`/`cancelled`.
 */
export async function runInstallPtp(
  ctx: TargetStepContext,
  input: InstallPtpInput,
  signal: AbortSignal,
): Promise<InstallPtpOutput> {
  const target = ctx.target;
  const shell = await shellFor(ctx);
  const layout = hostLayout(target.facts);
  const wanted: string[] = [
    ...requiredPackages(layout),
    ...(input.diagnostics_tools ? DIAGNOSTIC_PACKAGES : []),
  ];
  const missing = await missingPackages(shell, layout, wanted, signal);
  if (missing.length === 0) {
    ctx.log.info(`already installed: ${wanted.join(", ")}`);
    return { changed: false, installed: [] };
  }
  const done = await hostChanges(ctx, shell).action(
    `install packages ${missing.join(" ")} (${layout.package_manager})`,
    () => installPackages(target, shell, layout, missing, signal).then(() => true),
  );
  // Check mode: changed (would change), nothing installed.
  return { changed: true, installed: done ? missing : [] };
}

export default defineStep({
  type: "install-ptp",
  description: "Ensure chrony and ethtool (and optionally linuxptp tools) are installed.",
  scope: "target",
  input: InstallPtpInput,
  output: InstallPtpOutput,
  reads: ["facts.host"],
  writes: ["facts.changes", "target.diagnostics"],
  async run(ctx, input, signal) {
    return await runInstallPtp(ctx, input, signal);
  },
});
