/**
 * `detect-arch`: reads the host's machine architecture (`uname -m`) and
 * compares it with the architecture the instance type was launched for.
 * @module
 */
import { defineStep, z } from "../plugins/api.ts";
import { StepError } from "../runner/errors.ts";
import type { TargetStepContext } from "../runner/types.ts";
import type { ArchFacts } from "../plugins/ptp/facts.ts";
import { shellFor } from "../plugins/ssh/shell-registry.ts";
import { diagnose } from "../plugins/ptp/diagnose.ts";

/** Input of `detect-arch` (none). */
export const DetectArchInput = z.object({}).strict();

/** Output of `detect-arch`. */
export const DetectArchOutput = z.object({
  changed: z.literal(false),
  machine: z.enum(["x86_64", "aarch64", "unknown"]),
  expected: z.string().nullable(),
  mismatch: z.boolean(),
});

/** Maps raw `uname -m` output to `x86_64`, `aarch64` or `unknown` (`arm64` counts as aarch64). */
export function machineOf(raw: string): ArchFacts["machine"] {
  const m = raw.trim().toLowerCase();
  if (m === "x86_64" || m === "amd64") return "x86_64";
  if (m === "aarch64" || m === "arm64") return "aarch64";
  return "unknown";
}

/**
 * True when `machine` contradicts the EC2 architecture `expected`
 * (`x86_64`, `arm64`, also `x86_64_mac`/`arm64_mac`). Unknown on either side is no mismatch.
 */
export function architectureMismatch(
  machine: ArchFacts["machine"],
  expected: string | undefined,
): boolean {
  if (!expected || machine === "unknown") return false;
  const e = expected.toLowerCase().replace(/_mac$/, "");
  const expectedMachine = e === "arm64" || e === "aarch64"
    ? "aarch64"
    : e === "x86_64" || e === "amd64"
    ? "x86_64"
    : null;
  return expectedMachine !== null && expectedMachine !== machine;
}

/**
 * Runs `uname -m`, writes `facts.arch`, warns on a mismatch.
 * @throws StepError `command` (with a `hardware` diagnosis) when `uname -m` fails.
 */
async function runDetectArch(ctx: TargetStepContext, signal: AbortSignal) {
  const target = ctx.target;
  const shell = await shellFor(ctx);
  const result = await shell.run("uname -m", { signal });
  const raw = result.stdout.trim();
  if (result.exitCode !== 0 || raw === "") {
    diagnose(target, "hardware", "cannot read the machine architecture (uname -m failed)", result);
    throw new StepError("command", `uname -m failed on ${target.label}`, {
      evidence: (result.stderr || result.stdout).trim() || undefined,
    });
  }
  const machine = machineOf(raw);
  const expected = target.expectedArchitecture;
  const mismatch = architectureMismatch(machine, expected);
  const facts: ArchFacts = { machine, raw, mismatch, ...(expected ? { expected } : {}) };
  target.facts.arch = facts;
  if (mismatch) {
    const warning = `uname -m reports ${raw} but ${
      target.instanceType ?? "the instance type"
    } was launched as ${expected}`;
    target.warnings.push(warning);
    ctx.log.warn(warning);
  } else if (machine === "unknown") {
    target.warnings.push(`unrecognised machine architecture "${raw}" (uname -m)`);
  }
  return { changed: false as const, machine, expected: expected ?? null, mismatch };
}

export default defineStep({
  type: "detect-arch",
  description: "Read the host architecture (uname -m) and check it matches the instance type.",
  scope: "target",
  input: DetectArchInput,
  output: DetectArchOutput,
  reads: ["target.expectedArchitecture", "target.instanceType"],
  writes: ["facts.arch", "target.warnings", "target.diagnostics"],
  async run(ctx, _input, signal) {
    return await runDetectArch(ctx, signal);
  },
});
