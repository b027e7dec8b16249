/**
 * `ena-build`: the fallback for hosts whose ENA driver lacks the `phc_enable`
 * parameter. Builds amzn-drivers with `ENA_PHC_INCLUDE=1` against the running
 * kernel's headers and installs it under `/lib/modules/$(uname -r)/updates/`
 * (+ `depmod -a`); the working driver stays loaded. Run it when
 * `steps.ena-check.outputs.needs_build`; it re-checks and skips when the
 * parameter already exists (PTP.md section 2), and never builds on a target
 * whose verdict is already `unsupported` (a NIC that is not ENA). Packages,
 * build tools and the kernel headers package follow the distribution's
 * layout (`facts.host`: gcc/make/git + `kernel-devel-$(uname -r)` resolved
 * with `dnf|yum provides` on RPM hosts; build-essential/git +
 * `linux-headers-$(uname -r)` on apt hosts). Check mode (`--dry-run`): only
 * read-only commands run; installing packages, the clone and build, and the
 * module install are recorded in `facts.changes` as they would be done.
 * @module
 */
import { defineStep, z } from "../plugins/api.ts";
import type { Target, TargetStepContext } from "../runner/types.ts";
import { hasParameter, parseModinfo, versionAtLeast } from "../plugins/parsers/modinfo.ts";
import { shellFor } from "../plugins/ssh/shell-registry.ts";
import type { RemoteShell } from "../plugins/ssh/types.ts";
import { failure, lastLines } from "../plugins/ptp/diagnose.ts";
import { headersPackageFor, headersProvidesCommand } from "../plugins/ptp/kernel-headers.ts";
import { type HostLayout, hostLayout, kernelHeadersPackage } from "../plugins/host/distribution.ts";
import { hostChanges } from "../plugins/host/changes.ts";
import type {} from "../plugins/ptp/facts.ts";
import { installPackages, missingPackages } from "../plugins/ptp/packages.ts";
import { shQuote } from "../plugins/ssh/quote.ts";

/** `EnaBuildInput` as the step receives it (from the schema). */
export type EnaBuildInput = z.output<typeof EnaBuildInput>;

/** `EnaBuildOutput` as the step returns it (from the schema). */
export type EnaBuildOutput = z.input<typeof EnaBuildOutput>;

/** Input of `ena-build`. */
export const EnaBuildInput = z.object({
  /** Git URL of amzn-drivers. */
  repository: z.string().min(1).default("https://github.com/amzn/amzn-drivers.git").describe(
    "Git URL of amzn-drivers.",
  ),
  /** Branch, tag or commit to build; undefined = the default branch. */
  ref: z.string().min(1).optional().describe(
    "Branch, tag or commit to build (default: the repository's default branch).",
  ),
  /** Directory on the target the sources are cloned into. */
  work_dir: z.string().regex(/^\//, "expected an absolute path on the target")
    .default("/tmp/ptp-runner-amzn-drivers").describe(
      "Where the sources are cloned on the target.",
    ),
  /** Lines of compiler output quoted in diagnoses and outputs. */
  log_lines: z.number().int().positive().default(20).describe(
    "Lines of compiler output quoted when the build fails.",
  ),
}).strict();

/** Output of `ena-build`. */
export const EnaBuildOutput = z.object({
  /** True when a module was built and installed. */
  changed: z.boolean(),
  /** Where the built `ena.ko` was installed; null when skipped. */
  installed_path: z.string().nullable(),
  /** Last lines of the build output. */
  build_log_tail: z.string().optional(),
  /** Why nothing was built (the driver already has `phc_enable`). */
  skipped_reason: z.string().optional(),
  /** True when the kernel has CONFIG_PTP_1588_CLOCK=m: `modprobe ptp` must precede loading. */
  modprobe_ptp_needed: z.boolean(),
});

/** True when `modinfo ena` lists the `phc_enable` parameter. */
async function installedDriver(
  shell: RemoteShell,
  signal: AbortSignal,
): Promise<{ hasPhcParameter: boolean; version: string | null }> {
  const result = await shell.run("modinfo ena", { signal });
  if (result.exitCode !== 0) return { hasPhcParameter: false, version: null };
  const info = parseModinfo(result.stdout);
  return { hasPhcParameter: hasParameter(info, "phc_enable"), version: info.version };
}

/**
 * Runs ena-build on the current target.
 * @throws StepError `command` with a diagnosis (layer `package` for dnf,
 *   `build` for git/make/install, quoting the last compiler lines); `config`
 *   without a target or SSH session; `connection`/`cancelled`.
 */
export async function runEnaBuild(
  ctx: TargetStepContext,
  input: EnaBuildInput,
  signal: AbortSignal,
): Promise<EnaBuildOutput> {
  const target = ctx.target;
  const facts = target.facts;
  const shell = await shellFor(ctx);
  const modprobePtpNeeded = facts.ena?.ptpClockConfig === "m";

  if (target.verdict === "unsupported") {
    return {
      changed: false,
      installed_path: null,
      skipped_reason: `the target is unsupported (${target.verdictReason ?? "no reason given"})`,
      modprobe_ptp_needed: modprobePtpNeeded,
    };
  }
  if ((await installedDriver(shell, signal)).hasPhcParameter) {
    return {
      changed: false,
      installed_path: null,
      skipped_reason: "the ena driver already has the phc_enable parameter",
      modprobe_ptp_needed: modprobePtpNeeded,
    };
  }

  const uname = await shell.run("uname -r", { signal });
  const kernel = uname.stdout.trim() || facts.ena?.kernel || "";
  if (uname.exitCode !== 0 || kernel === "") {
    throw failure(target, "command", "build", "cannot read the running kernel release", uname);
  }

  const layout = hostLayout(facts);
  const headers = await headersPackage(shell, layout, kernel, signal);
  ctx.log.info(`kernel ${kernel}: headers package ${headers}`);
  const missing = await missingPackages(shell, layout, [...layout.build_tools, headers], signal);
  const changes = hostChanges(ctx, shell);
  if (missing.length > 0) {
    await changes.action(
      `install packages ${missing.join(" ")} (${layout.package_manager})`,
      () => installPackages(target, shell, layout, missing, signal),
    );
  }

  const dir = input.work_dir.replace(/\/+$/, "");
  const src = `${dir}/kernel/linux/ena`;
  const source = `${input.repository}${input.ref ? ` at ${input.ref}` : ""}`;
  const built = await changes.action(
    `clone ${source} into ${dir} and build the ENA driver with ENA_PHC_INCLUDE=1 for kernel ${kernel}`,
    () => cloneAndBuild(ctx, shell, input, { dir, src, kernel }, signal),
  );
  const updates = `/lib/modules/${kernel}/updates`;
  const installedPath = `${updates}/ena.ko`;
  const installedNow = await changes.action(
    `install ena.ko as ${installedPath} and run depmod -a`,
    () => installModule(target, shell, src, updates, installedPath, signal),
  );
  if (built === null || installedNow === null) {
    return {
      changed: true,
      installed_path: null,
      skipped_reason: "check mode (--dry-run): nothing was installed or built",
      modprobe_ptp_needed: modprobePtpNeeded,
    };
  }
  const tail = built.tail;
  const installed = await installedDriver(shell, signal);
  if (!installed.hasPhcParameter) {
    throw failure(
      target,
      "command",
      "build",
      `the installed module ${installedPath} does not list the phc_enable parameter`,
      { command: built.command, output: tail },
    );
  }
  if (facts.ena) {
    facts.ena.hasPhcParameter = true;
    facts.ena.needsBuild = false;
    // The report shows the driver that runs after enable-hwts reloads it: the one built here.
    facts.ena.version = installed.version;
    facts.ena.versionAtLeast2_10 = versionAtLeast(installed.version, "2.10.0");
    facts.ena.reason = `built with ENA_PHC_INCLUDE=1 and installed as ${installedPath}`;
  }
  if (modprobePtpNeeded) {
    ctx.log.info(
      "CONFIG_PTP_1588_CLOCK=m: `modprobe ptp` is needed before loading the built driver " +
        "(enable-hwts does it)",
    );
  }
  return {
    changed: true,
    installed_path: installedPath,
    build_log_tail: tail,
    modprobe_ptp_needed: modprobePtpNeeded,
  };
}

/**
 * The kernel headers package of `kernel` under `layout`: on dnf/yum hosts the
 * package `dnf|yum provides /usr/src/kernels/K` names (AL2023 6.12:
 * `kernel6.12-devel-K`), else the conventional name; on apt hosts
 * `linux-headers-K`.
 */
async function headersPackage(
  shell: RemoteShell,
  layout: HostLayout,
  kernel: string,
  signal: AbortSignal,
): Promise<string> {
  const manager = layout.package_manager;
  if (manager === "apt-get") return kernelHeadersPackage(layout, kernel);
  const provides = await shell.run(headersProvidesCommand(kernel, manager), { sudo: true, signal });
  return headersPackageFor(kernel, provides.exitCode === 0 ? provides.stdout : "");
}

/**
 * Clones amzn-drivers (unless already there), checks out `ref`, and builds
 * with `ENA_PHC_INCLUDE=1`.
 * @returns the make command and the last lines of its output
 * @throws StepError `command` with a `build` diagnosis
 */
async function cloneAndBuild(
  ctx: TargetStepContext,
  shell: RemoteShell,
  input: EnaBuildInput,
  where: { dir: string; src: string; kernel: string },
  signal: AbortSignal,
): Promise<{ command: string; tail: string }> {
  const target = ctx.target;
  const { dir, src, kernel } = where;
  const cloned = await shell.run(`test -d ${shQuote(src)}`, { signal });
  if (cloned.exitCode !== 0) {
    const clone = await shell.run(
      `git clone ${shQuote(input.repository)} ${shQuote(dir)} 2>&1`,
      { signal },
    );
    if (clone.exitCode !== 0) {
      throw failure(target, "command", "build", `git clone of ${input.repository} failed`, clone);
    }
  }
  if (input.ref) {
    const checkout = await shell.run(
      `cd ${shQuote(dir)} && git checkout ${shQuote(input.ref)} 2>&1`,
      { signal },
    );
    if (checkout.exitCode !== 0) {
      throw failure(target, "command", "build", `git checkout ${input.ref} failed`, checkout);
    }
  }
  const make = await shell.run(`cd ${shQuote(src)} && ENA_PHC_INCLUDE=1 make 2>&1`, { signal });
  const tail = lastLines(`${make.stdout}${make.stderr}`, input.log_lines);
  if (make.exitCode !== 0) {
    throw failure(
      target,
      "command",
      "build",
      `building the ENA driver with ENA_PHC_INCLUDE=1 failed on kernel ${kernel}; ` +
        "the running driver was left loaded and unchanged",
      { command: make.command, output: tail },
    );
  }
  return { command: make.command, tail };
}

/**
 * Copies the built `ena.ko` to `installedPath` under `updates` and runs
 * `depmod -a` (as root).
 * @throws StepError `command` with a `build` diagnosis
 */
async function installModule(
  target: Target,
  shell: RemoteShell,
  src: string,
  updates: string,
  installedPath: string,
  signal: AbortSignal,
): Promise<true> {
  for (
    const command of [
      `mkdir -p ${shQuote(updates)}`,
      `cp ${shQuote(`${src}/ena.ko`)} ${shQuote(installedPath)}`,
      "depmod -a",
    ]
  ) {
    const result = await shell.run(command, { sudo: true, signal });
    if (result.exitCode !== 0) {
      throw failure(target, "command", "build", `installing the built module failed`, result);
    }
  }
  return true;
}

export default defineStep({
  type: "ena-build",
  description: "Build and install the amzn-drivers ENA driver with PHC support (fallback only).",
  scope: "target",
  input: EnaBuildInput,
  output: EnaBuildOutput,
  reads: [
    "facts.ena.kernel",
    "facts.ena.ptpClockConfig",
    "facts.host",
    "target.verdict",
    "target.verdictReason",
  ],
  writes: [
    "facts.ena.hasPhcParameter",
    "facts.ena.needsBuild",
    "facts.ena.reason",
    "facts.ena.version",
    "facts.changes",
    "target.diagnostics",
  ],
  async run(ctx, input, signal) {
    return await runEnaBuild(ctx, input, signal);
  },
});
