/**
 * The launch confirmation rule: a launch of more than 3 instance types or more
 * than 5 instances asks first, unless `--yes`; without a terminal and without
 * `--yes` it stops before launching and says to pass `--yes`.
 * @module
 */
import { StepError } from "../../../runner/errors.ts";
import type { RunSettings, StepContext } from "../../../runner/types.ts";
import { ask, PromptInterrupted } from "../shared/prompts.ts";

/** Types above which a launch needs confirmation. */
export const CONFIRM_ABOVE_TYPES = 3;
/** Instances above which a launch needs confirmation. */
export const CONFIRM_ABOVE_INSTANCES = 5;

/** What to do before launching `types` types with `instances` instances in total. */
export function confirmationDecision(
  settings: Pick<RunSettings, "yes" | "interactive">,
  types: number,
  instances: number,
): "proceed" | "ask" | "refuse" {
  const big = types > CONFIRM_ABOVE_TYPES || instances > CONFIRM_ABOVE_INSTANCES;
  if (!big || settings.yes) return "proceed";
  return settings.interactive ? "ask" : "refuse";
}

/**
 * Applies the rule, asking through `@inquirer/prompts` when needed.
 * @param summary one line describing the launch, e.g. `7 instances of 4 types in us-east-1`.
 * @throws StepError `usage` when refused (non-interactive without `--yes`; `run`
 *   refuses that before the run when the types are known then, see
 *   `launchProblemsBeforeRun` in steps/launch.ts), `config` when declined at the prompt.
 */
export async function confirmLaunch(
  ctx: StepContext,
  types: number,
  instances: number,
  summary: string,
): Promise<void> {
  const decision = confirmationDecision(ctx.settings, types, instances);
  if (decision === "proceed") return;
  if (decision === "refuse") {
    throw new StepError(
      "usage",
      `launching ${summary} needs confirmation (more than ${CONFIRM_ABOVE_TYPES} types or ` +
        `${CONFIRM_ABOVE_INSTANCES} instances) and this session is not interactive: pass --yes ` +
        "to launch; nothing was launched",
    );
  }
  let yes: boolean;
  try {
    yes = await ask(ctx, (p) => p.confirm(`Launch ${summary}?`, false));
  } catch (error) {
    if (!(error instanceof PromptInterrupted)) throw error;
    throw new StepError(
      "cancelled",
      `launch of ${summary} cancelled with Ctrl-C; nothing was launched`,
    );
  }
  if (!yes) {
    throw new StepError("config", `launch of ${summary} declined; nothing was launched`);
  }
}
