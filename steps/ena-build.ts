/**
 * `ena-build`: the fallback for hosts whose ENA driver lacks the `phc_enable`
 * parameter. Builds amzn-drivers with `ENA_PHC_INCLUDE=1` against the running
 * kernel's headers and installs it under `/lib/modules/$(uname -r)/updates/`
 * (+ `depmod -a`); the working driver stays loaded. Run it when
 * `steps.ena-check.outputs.needs_build`; it re-checks and skips when the
 * parameter already exists (PTP.md section 2).
 * @module
 */
import { defineStep, z } from "../plugins/api.ts";
import type { TargetStepContext } from "../runner/types.ts";
import { hasParameter, parseModinfo, versionAtLeast } from "../plugins/parsers/modinfo.ts";
import { shellFor } from "../plugins/ssh/shell-registry.ts";
import type { RemoteShell } from "../plugins/ssh/types.ts";
import { failure, lastLines } from "../plugins/ptp/diagnose.ts";
import { headersPackageFor, headersProvidesCommand } from "../plugins/ptp/kernel-headers.ts";
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

/** Build tools installed with the kernel headers. */
export const BUILD_PACKAGES = ["gcc", "make", "git"] as const;

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
async function runEnaBuild(
  ctx: TargetStepContext,
  input: EnaBuildInput,
  signal: AbortSignal,
): Promise<EnaBuildOutput> {
  const target = ctx.target;
  const facts = target.facts;
  const shell = await shellFor(ctx);
  const modprobePtpNeeded = facts.ena?.ptpClockConfig === "m";

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

  const provides = await shell.run(headersProvidesCommand(kernel), { sudo: true, signal });
  const headers = headersPackageFor(kernel, provides.exitCode === 0 ? provides.stdout : "");
  ctx.log.info(`kernel ${kernel}: headers package ${headers}`);
  const missing = await missingPackages(shell, [...BUILD_PACKAGES, headers], signal);
  await installPackages(target, shell, missing, signal);

  const dir = input.work_dir.replace(/\/+$/, "");
  const src = `${dir}/kernel/linux/ena`;
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
      {
        signal,
      },
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

  const updates = `/lib/modules/${kernel}/updates`;
  const installedPath = `${updates}/ena.ko`;
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
  const installed = await installedDriver(shell, signal);
  if (!installed.hasPhcParameter) {
    throw failure(
      target,
      "command",
      "build",
      `the installed module ${installedPath} does not list the phc_enable parameter`,
      { command: make.command, output: tail },
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

export default defineStep({
  type: "ena-build",
  description: "Build and install the amzn-drivers ENA driver with PHC support (fallback only).",
  scope: "target",
  input: EnaBuildInput,
  output: EnaBuildOutput,
  reads: ["facts.ena.kernel", "facts.ena.ptpClockConfig"],
  writes: [
    "facts.ena.hasPhcParameter",
    "facts.ena.needsBuild",
    "facts.ena.reason",
    "facts.ena.version",
    "target.diagnostics",
  ],
  async run(ctx, input, signal) {
    return await runEnaBuild(ctx, input, signal);
  },
});
