/**
 * Interactive questions of the launch and cleanup steps (and the recovery
 * commands), behind a small interface so tests can answer them. The real
 * implementation uses `@inquirer/prompts` (imported lazily) inside
 * `ctx.withConsole`, so the live console view is paused while asking.
 * @module
 */
import type { StepContext } from "../../../runner/types.ts";

/** A choice of a multi-select question. */
export interface PromptChoice {
  /** Value returned when selected (e.g. an instance id). */
  value: string;
  /** Text shown. */
  name: string;
  /** Pre-selected. */
  checked?: boolean;
}

/** Asks the user. Implementations must only be called when the session is interactive. */
export interface Prompter {
  /** Yes/no question; resolves to the answer. */
  confirm(message: string, defaultAnswer: boolean): Promise<boolean>;
  /** Multi-select; resolves to the selected values. */
  checkbox(message: string, choices: PromptChoice[]): Promise<string[]>;
}

/** Service key under which the run's {@link Prompter} lives (tests pre-seed a fake). */
export const PROMPTER_SERVICE_KEY = "ptp-runner:prompter";

/**
 * The user closed a question with Ctrl-C. While a prompt reads the terminal in
 * raw mode, Ctrl-C reaches the prompt, not the run's signal handler, so the
 * asking code must decide what the safe answer is (launch: nothing; cleanup:
 * keep nothing).
 */
export class PromptInterrupted extends Error {
  constructor() {
    super("the question was closed with Ctrl-C");
    this.name = "PromptInterrupted";
  }
}

/** Runs an `@inquirer/prompts` question, turning its Ctrl-C error into {@link PromptInterrupted}. */
async function asking<T>(question: () => Promise<T>): Promise<T> {
  try {
    return await question();
  } catch (error) {
    if ((error as Error)?.name === "ExitPromptError") throw new PromptInterrupted();
    throw error;
  }
}

/** The `@inquirer/prompts` implementation. */
export function inquirerPrompter(): Prompter {
  return {
    async confirm(message, defaultAnswer) {
      const { confirm } = await import("@inquirer/prompts");
      return await asking(() => confirm({ message, default: defaultAnswer }));
    },
    async checkbox(message, choices) {
      const { checkbox } = await import("@inquirer/prompts");
      return await asking(() =>
        checkbox({
          message,
          choices: choices.map((c) => ({ value: c.value, name: c.name, checked: c.checked })),
        })
      );
    },
  };
}

/**
 * Asks through the run's prompter with the console view paused.
 * @returns the prompter's answer.
 */
export async function ask<T>(
  ctx: Pick<StepContext, "services" | "withConsole">,
  question: (prompter: Prompter) => Promise<T>,
): Promise<T> {
  const prompter = await ctx.services.get<Prompter>(PROMPTER_SERVICE_KEY, inquirerPrompter);
  return await ctx.withConsole(() => question(prompter));
}
