/**
 * Test harness for the PTP host steps: a target with `facts.ena`, a test
 * context with a {@link FakeHost} as its remote shell, and a runner that
 * validates input and output through the step's schemas like the registry.
 * @module
 */
import type { EnaFacts } from "../../plugins/ptp/facts.ts";
import { shellServiceKey } from "../../plugins/ssh/shell-registry.ts";
import type { StepPlugin, Target } from "../../runner/types.ts";
import { makeTarget, makeTestContext, type TargetTestContext } from "../helpers/context.ts";
import type { FakeHost } from "./fake-host.ts";
import type { TargetFacts } from "../../plugins/api.ts";

/** `facts.ena` as ena-check writes it on an AL2023 host with PHC support built in. */
export function enaFacts(overrides: Partial<EnaFacts> = {}): EnaFacts {
  return {
    version: "2.16.1g",
    modulePresent: true,
    versionAtLeast2_10: true,
    hasPhcParameter: true,
    phcEnable: 0,
    ptpClockConfig: "y",
    interface: "ens5",
    pciSlot: "0000:00:05.0",
    kernel: "6.1.158-180.294.amzn2023.x86_64",
    needsBuild: false,
    reason: "phc_enable parameter present",
    ...overrides,
  };
}

/** A target plus a context whose remote shell is `host`. */
export function harness(
  host: FakeHost,
  facts: TargetFacts = { ena: enaFacts() },
  step = { id: "step", type: "step" },
): { ctx: TargetTestContext; target: Target } {
  const target = makeTarget({ id: "t1", label: "c7i.large 1 of 1", facts: { ...facts } });
  const ctx = makeTestContext({ target, step, services: { [shellServiceKey(target.id)]: host } });
  return { ctx, target };
}

/**
 * Runs `plugin` like the registry does: `with:` parsed by the input schema,
 * the result checked by the output schema.
 */
export async function runStep(
  plugin: StepPlugin,
  ctx: TargetTestContext,
  input: Record<string, unknown> = {},
  signal: AbortSignal = new AbortController().signal,
): Promise<Record<string, unknown>> {
  const parsed = plugin.input.parse(input);
  const output = await plugin.run(ctx, parsed, signal);
  return plugin.output.parse(output) as Record<string, unknown>;
}
