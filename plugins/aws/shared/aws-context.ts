/**
 * The part of a step context the AWS plugin's shared code needs (clients,
 * waits, termination, prompts, journal records). A step's context is one;
 * the recovery commands (`cleanup --run`, `sweep`) build one without a
 * pipeline (see `release/command-context.ts`).
 * @module
 */
import type { StepContext } from "../../../runner/types.ts";

/** What the AWS helpers use of a step context. */
export type AwsContext = Pick<
  StepContext,
  "step" | "target" | "settings" | "services" | "emit" | "log" | "sleep" | "withConsole" | "journal"
>;
