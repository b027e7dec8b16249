/**
 * A step's `with:` values that are known before the run starts: literals,
 * and expressions that read only the pipeline's inputs (`--set`, `--config`,
 * defaults), evaluated. Values that read step outputs, the target or the
 * run are known only during the run and are left out. Each input-bound value
 * carries where it came from, for messages (`input "hosts" (from --set)`).
 * @module
 */
import { evaluateTemplate, parseTemplate, referencesOf } from "../expression.ts";
import type { KnownStepWith } from "../types.ts";
import { describeInputOrigin } from "./input-origin.ts";
import type { ResolvedInputs, StepSpec } from "./model.ts";

/** Inputs read by `value` (recursively), or null when it reads anything but `inputs.*`. */
export function inputsRead(value: unknown): Set<string> | null {
  const names = new Set<string>();
  const visit = (v: unknown): boolean => {
    if (typeof v === "string") {
      if (!v.includes("${{")) return true;
      let refs;
      try {
        refs = referencesOf(parseTemplate(v));
      } catch {
        return false; // syntax errors are the loader's to report
      }
      for (const ref of refs) {
        if (ref.root !== "inputs" || typeof ref.segments[0] !== "string") return false;
        names.add(ref.segments[0]);
      }
      return true;
    }
    if (Array.isArray(v)) return v.every(visit);
    if (v !== null && typeof v === "object") return Object.values(v).every(visit);
    return true;
  };
  return visit(value) ? names : null;
}

/**
 * `input "a" (from --set a=x), input "b" (from the default)`: where
 * input-bound values came from (see {@link describeInputOrigin}).
 */
export function describeInputs(names: Iterable<string>, inputs: ResolvedInputs): string {
  return [...names].map((name) => describeInputOrigin(inputs, name)).join(", ");
}

/**
 * The `with:` values of the step at `index` known before the run.
 * @param unusable inputs whose value has a problem of its own: keys reading
 *   them are left out (the problem is reported once)
 * @returns values (literals as written, input-bound ones evaluated) and, per
 *   input-bound key, the inputs it came from.
 */
export function knownWith(
  step: StepSpec,
  index: number,
  inputs: ResolvedInputs,
  unusable: ReadonlySet<string> = new Set(),
): KnownStepWith {
  const values: Record<string, unknown> = {};
  const from: Record<string, string> = {};
  for (const [key, value] of Object.entries(step.with)) {
    const names = inputsRead(value);
    if (names === null || [...names].some((name) => unusable.has(name))) continue;
    if (names.size === 0) {
      values[key] = value;
      continue;
    }
    values[key] = evaluateTemplate(value, {
      inputs: inputs.values,
      steps: {},
      run: { id: "validate" },
    });
    from[key] = describeInputs(names, inputs);
  }
  return { index, id: step.id, uses: step.uses, values, from };
}
