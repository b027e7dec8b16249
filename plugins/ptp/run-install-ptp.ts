/**
 * Implementation of the `install-ptp` step: makes sure chrony and ethtool are
 * installed (and linuxptp, for `phc_ctl`/`hwstamp_ctl`, only when diagnostics
 * tools are asked for). Never enables or starts ptp4l/phc2sys: the ENA PHC is
 * read-only and chrony reads it directly (PTP.md section 3).
 * @module
 */
import type { StepContext } from "../../runner/types.ts";
import { shellFor } from "../ssh/shell-registry.ts";
import { installPackages, missingPackages } from "./packages.ts";
import { currentTarget } from "./step-target.ts";

/** Input of install-ptp. */
export interface InstallPtpInput {
  /** Also install linuxptp (diagnostic tools `phc_ctl`, `hwstamp_ctl`). */
  diagnostics_tools: boolean;
}

/** Output of install-ptp. */
export interface InstallPtpOutput {
  /** True when a package was installed. */
  changed: boolean;
  /** Packages this run installed. */
  installed: string[];
}

/** Packages always needed: chrony reads the PHC, ethtool reports it. */
export const REQUIRED_PACKAGES = ["chrony", "ethtool"] as const;
/** Optional diagnostic tools. */
export const DIAGNOSTIC_PACKAGES = ["linuxptp"] as const;

/**
 * Runs install-ptp on the current target.
 * @throws StepError `command` (diagnosis layer `package`) when dnf fails;
 *   `config` without a target or SSH session; `connection`/`cancelled`.
 */
export async function runInstallPtp(
  ctx: StepContext,
  input: InstallPtpInput,
  signal: AbortSignal,
): Promise<InstallPtpOutput> {
  const target = currentTarget(ctx);
  const shell = await shellFor(ctx);
  const wanted: string[] = [
    ...REQUIRED_PACKAGES,
    ...(input.diagnostics_tools ? DIAGNOSTIC_PACKAGES : []),
  ];
  const missing = await missingPackages(shell, wanted, signal);
  if (missing.length === 0) {
    ctx.log.info(`already installed: ${wanted.join(", ")}`);
    return { changed: false, installed: [] };
  }
  ctx.log.info(`installing ${missing.join(", ")}`);
  await installPackages(target, shell, missing, signal);
  return { changed: true, installed: missing };
}
