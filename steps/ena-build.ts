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

/** Input of `ena-build`. */
export const EnaBuildInput = z.object({
  repository: z.string().min(1).default("https://github.com/amzn/amzn-drivers.git").describe(
    "Git URL of amzn-drivers.",
  ),
  ref: z.string().min(1).optional().describe(
    "Branch, tag or commit to build (default: the repository's default branch).",
  ),
  work_dir: z.string().regex(/^\//, "expected an absolute path on the target")
    .default("/tmp/ptp-runner-amzn-drivers").describe(
      "Where the sources are cloned on the target.",
    ),
  log_lines: z.number().int().positive().default(20).describe(
    "Lines of compiler output quoted when the build fails.",
  ),
}).strict();

/** Output of `ena-build`. */
export const EnaBuildOutput = z.object({
  changed: z.boolean(),
  installed_path: z.string().nullable(),
  build_log_tail: z.string().optional(),
  skipped_reason: z.string().optional(),
  modprobe_ptp_needed: z.boolean(),
});

export default defineStep({
  type: "ena-build",
  description: "Build and install the amzn-drivers ENA driver with PHC support (fallback only).",
  scope: "target",
  input: EnaBuildInput,
  output: EnaBuildOutput,
  reads: ["facts.ena.kernel", "facts.ena.ptpClockConfig"],
  writes: ["facts.ena.hasPhcParameter", "target.diagnostics"],
  async run(ctx, input, signal) {
    const { runEnaBuild } = await import("../plugins/ptp/run-ena-build.ts");
    return await runEnaBuild(ctx, input, signal);
  },
});
