/**
 * The CLI's subcommands: one module per command, each exporting
 * `register(program)`. Command modules are light; each imports its
 * implementation lazily inside the action, so `--help` stays fast.
 * @module
 */
import type { Command } from "commander";
import * as validate from "./validate.ts";
import * as steps from "./steps.ts";
import * as schema from "./schema.ts";
import * as discover from "./discover.ts";
import * as cleanup from "./cleanup.ts";
import * as sweep from "./sweep.ts";
import * as runs from "./runs.ts";
import * as run from "./run.ts";
import * as sim from "./sim.ts";

/** A subcommand module. */
export interface CommandModule {
  /** Adds the subcommand (with its options, help text and action) to `program`. */
  register(program: Command): void;
}

/** Every subcommand, in the order `--help` lists them. */
export const commandModules: CommandModule[] = [
  // Add each command module here (one line per command).
  run,
  validate,
  steps,
  schema,
  discover,
  cleanup,
  sweep,
  runs,
  sim,
];
