/**
 * Packages on a target, by the distribution's package manager (the layout
 * `detect-arch` recorded, see plugins/host/distribution.ts): which are
 * missing and installing them, with failures diagnosed under layer `package`.
 *
 * - dnf/yum hosts: `rpm -q NAME` checks, `sudo -n dnf|yum install -y NAMES`
 *   installs.
 * - apt hosts: `dpkg-query -W -f='${Status}' NAME` checks (installed when it
 *   prints `install ok installed`), `sudo -n env DEBIAN_FRONTEND=noninteractive
 *   apt-get install -y NAMES` installs; when apt cannot locate a package (a
 *   fresh instance has empty package lists), `apt-get update` once, then again.
 *
 * Domain source: PTP.md section 8; rpm(8), dpkg-query(1), apt-get(8).
 * @module
 */
import type { Target } from "../../runner/types.ts";
import type { CommandResult, RemoteShell } from "../ssh/types.ts";
import { failure } from "./diagnose.ts";
import { shQuote } from "../ssh/quote.ts";
import type { HostLayout, PackageManager } from "../host/distribution.ts";

/** The read-only command that tells whether `name` is installed under `manager`. */
export function packageQueryCommand(manager: PackageManager, name: string): string {
  return manager === "apt-get"
    ? `dpkg-query -W -f='\${Status}' ${shQuote(name)}`
    : `rpm -q ${shQuote(name)}`;
}

/** True when the answer to {@link packageQueryCommand} says the package is installed. */
export function packageInstalled(manager: PackageManager, result: CommandResult): boolean {
  if (result.exitCode !== 0) return false;
  return manager === "apt-get" ? /\binstall ok installed\b/.test(result.stdout) : true;
}

/** The install command (run with sudo) for `names` under `manager`. */
export function installCommand(manager: PackageManager, names: readonly string[]): string {
  const list = names.map(shQuote).join(" ");
  return manager === "apt-get"
    ? `env DEBIAN_FRONTEND=noninteractive apt-get install -y ${list}`
    : `${manager} install -y ${list}`;
}

/**
 * The packages of `names` the layout's package manager does not report
 * installed (one query per package, so each answer is unambiguous).
 * @throws StepError `connection`/`cancelled` from the shell
 */
export async function missingPackages(
  shell: RemoteShell,
  layout: Pick<HostLayout, "package_manager">,
  names: readonly string[],
  signal: AbortSignal,
): Promise<string[]> {
  const manager = layout.package_manager;
  const missing: string[] = [];
  for (const name of names) {
    const result = await shell.run(packageQueryCommand(manager, name), { signal });
    if (!packageInstalled(manager, result)) missing.push(name);
  }
  return missing;
}

/**
 * Installs `names` with the layout's package manager (as root, `sudo -n`),
 * then checks each again. Does nothing for an empty list.
 * @throws StepError kind `command` (diagnosis layer `package`, quoting the
 *   package manager's output) when it fails or a package is still missing
 *   afterwards; `connection`/`cancelled` from the shell
 */
export async function installPackages(
  target: Target,
  shell: RemoteShell,
  layout: Pick<HostLayout, "package_manager">,
  names: readonly string[],
  signal: AbortSignal,
): Promise<void> {
  if (names.length === 0) return;
  const manager = layout.package_manager;
  const command = installCommand(manager, names);
  let result = await shell.run(command, { sudo: true, signal });
  if (
    result.exitCode !== 0 && manager === "apt-get" &&
    /Unable to locate package/.test(`${result.stdout}${result.stderr}`)
  ) {
    const update = await shell.run("apt-get update", { sudo: true, signal });
    if (update.exitCode !== 0) {
      throw failure(
        target,
        "command",
        "package",
        `apt-get update failed (exit status ${update.exitCode})`,
        update,
      );
    }
    result = await shell.run(command, { sudo: true, signal });
  }
  if (result.exitCode !== 0) {
    throw failure(
      target,
      "command",
      "package",
      `${manager} could not install ${names.join(", ")} (exit status ${result.exitCode})`,
      result,
    );
  }
  const still = await missingPackages(shell, layout, names, signal);
  if (still.length > 0) {
    throw failure(
      target,
      "command",
      "package",
      `${manager} reported success but ${
        manager === "apt-get" ? "dpkg-query" : "rpm -q"
      } does not find ${still.join(", ")}`,
      result,
    );
  }
}
