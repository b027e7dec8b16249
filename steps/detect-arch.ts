/**
 * `detect-arch`: reads the host's machine architecture (`uname -m`) and
 * compares it with the architecture the instance type was launched for, and
 * in the same SSH round trip reads `/etc/os-release` to record which Linux
 * runs there (`facts.host`, with the layout later host steps use). A
 * distribution the host steps do not know gives the verdict `unsupported`
 * (`unsupported: distribution <PRETTY_NAME>`); the runner then skips the
 * target's remaining steps, so nothing on that host changes.
 * @module
 */
import { defineStep, z } from "../plugins/api.ts";
import { StepError } from "../runner/errors.ts";
import type { TargetStepContext } from "../runner/types.ts";
import type { ArchFacts } from "../plugins/ptp/facts.ts";
import { shellFor } from "../plugins/ssh/shell-registry.ts";
import { diagnose } from "../plugins/ptp/diagnose.ts";
import { batchCommand, type BatchPart, parseBatch } from "../plugins/ssh/batch.ts";
import { type HostFacts, hostFactsOf } from "../plugins/host/distribution.ts";

/** Read-only commands of detect-arch's one round trip. */
export const ARCH_READS: BatchPart[] = [
  { name: "machine", command: "uname -m" },
  { name: "osRelease", command: "cat /etc/os-release" },
];

/** The verdict reason for a distribution the host steps do not know. */
export function unknownDistributionReason(host: HostFacts): string {
  const name = host.pretty_name.trim() || host.id;
  return `unsupported: distribution ${name}`;
}

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
 * Runs `uname -m` and `cat /etc/os-release` (one round trip), writes
 * `facts.arch` and `facts.host`, warns on a mismatch, and gives the verdict
 * `unsupported` for an unknown distribution (or an unreadable os-release).
 * @throws StepError `command` (with a `hardware` diagnosis) when `uname -m` fails.
 */
export async function runDetectArch(ctx: TargetStepContext, signal: AbortSignal) {
  const target = ctx.target;
  const shell = await shellFor(ctx);
  const batch = await shell.run(batchCommand(ARCH_READS), { signal });
  const parts = parseBatch(batch.stdout);
  const uname = parts.machine;
  const raw = uname?.exitCode === 0 ? uname.output.trim() : "";
  if (raw === "") {
    const output = (uname?.output ?? `${batch.stdout}${batch.stderr}`).trim();
    diagnose(target, "hardware", "cannot read the machine architecture (uname -m failed)", {
      command: "uname -m",
      output: `${output}${uname?.exitCode ? `\n(exit status ${uname.exitCode})` : ""}`.trim(),
    });
    throw new StepError("command", `uname -m failed on ${target.label}`, {
      evidence: output || undefined,
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
  const osRelease = parts.osRelease;
  const host = hostFactsOf(osRelease?.exitCode === 0 ? osRelease.output : "");
  target.facts.host = host;
  if (host.layout === null) {
    const reason = unknownDistributionReason(host);
    target.verdict = "unsupported";
    target.verdictReason = reason;
    diagnose(target, "hardware", reason, {
      command: "cat /etc/os-release",
      output: osRelease?.output.trim() || "(no output)",
    });
    ctx.log.warn(`${reason}: the host steps leave this host unchanged`);
  } else {
    ctx.log.info(`${host.pretty_name} (${host.family})`);
  }
  return { changed: false as const, machine, expected: expected ?? null, mismatch };
}

export default defineStep({
  type: "detect-arch",
  description:
    "Read the host architecture (uname -m) and distribution (/etc/os-release); check the instance type.",
  scope: "target",
  input: DetectArchInput,
  output: DetectArchOutput,
  reads: ["target.expectedArchitecture", "target.instanceType"],
  writes: [
    "facts.arch",
    "facts.host",
    "target.verdict",
    "target.verdictReason",
    "target.warnings",
    "target.diagnostics",
  ],
  async run(ctx, _input, signal) {
    return await runDetectArch(ctx, signal);
  },
});
