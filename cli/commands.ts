/**
 * The CLI's subcommands: one module per command, each exporting
 * `register(program)`. Command modules are light; each imports its
 * implementation lazily inside the action, so `--help` stays fast.
 * @module
 */
import type { Command } from "commander";

/** A subcommand module. */
export interface CommandModule {
  /** Adds the subcommand (with its options, help text and action) to `program`. */
  register(program: Command): void;
}

/** Every subcommand, in the order `--help` lists them. */
export const commandModules: CommandModule[] = [
  // Add each command module here (one line per command).
];
