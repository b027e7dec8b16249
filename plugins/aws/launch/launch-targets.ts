/**
 * Targets of the launch step: ids `<type>-<n>`, labels `c7i.large 1 of 2`,
 * skipped types (PhcSupport unsupported), failed ones, and re-use of targets a
 * retried launch already added. Light.
 * @module
 */
import type { ErrorKind } from "../../../runner/errors.ts";
import type { StepContext, Target, TargetInit } from "../../../runner/types.ts";
import type { LaunchPlan } from "./preflight.ts";

/** Target id of instance `n` (1-based) of a type: `<type>-<n>`. */
export function targetId(instanceType: string, n: number): string {
  return `${instanceType}-${n}`;
}

/** Target label of instance `n` of `count`: `c7i.large 1 of 2`. */
export function targetLabel(instanceType: string, n: number, count: number): string {
  return `${instanceType} ${n} of ${count}`;
}

/**
 * Adds targets, reusing (and updating) a target whose id this run already has:
 * a retried launch gets the same instances back (same ClientToken) and must not
 * add duplicate ids.
 */
export function addOrUpdateTargets(ctx: StepContext, inits: TargetInit[]): Target[] {
  const existing = new Map(ctx.targets.map((t) => [t.id, t]));
  const toAdd = inits.filter((i) => !existing.has(i.id));
  const fresh = toAdd.length > 0 ? ctx.addTargets(toAdd) : [];
  const made = new Map(fresh.map((t) => [t.id, t]));
  return inits.map((init) => {
    const old = existing.get(init.id);
    if (!old) return made.get(init.id)!;
    Object.assign(old, init, { facts: { ...old.facts, ...init.facts } });
    return old;
  });
}

/**
 * Adds one `skipped` target (verdict `unsupported`, with the reason) per
 * requested instance of every skipped type.
 */
export function addSkippedTargets(ctx: StepContext, plan: LaunchPlan): void {
  const inits: TargetInit[] = [];
  for (const s of plan.skipped) {
    for (let n = 1; n <= s.count; n++) {
      inits.push({
        id: targetId(s.instanceType, n),
        label: targetLabel(s.instanceType, n, s.count),
        status: "skipped",
        instanceType: s.instanceType,
        region: plan.region,
        launchedByRun: false,
        verdict: "unsupported",
        verdictReason: s.reason,
        facts: { phcSupport: s.phcSupport },
      });
    }
  }
  if (inits.length > 0) {
    addOrUpdateTargets(ctx, inits);
    for (const s of plan.skipped) ctx.log.info(`skipping ${s.instanceType}: ${s.reason}`);
  }
}

/** Marks a target failed (verdict `error`) with a failure record of this step, and logs it. */
export function failTarget(
  ctx: StepContext,
  target: Target,
  kind: ErrorKind,
  message: string,
): void {
  target.status = "failed";
  target.verdict = "error";
  target.verdictReason = message;
  target.failure = { stepId: ctx.step.id, stepType: ctx.step.type, kind, message };
  ctx.log.error(message, { targetId: target.id });
}
