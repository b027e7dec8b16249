/**
 * Contracts between the mini shell's interpreter and the simulated commands.
 * @module
 */
import type { Machine } from "../model/machine.ts";

/** Standard streams of one command. `stdin` is read lazily (only commands that need it wait). */
export interface ShellIO {
  stdin: () => Promise<string>;
  out(text: string): void;
  err(text: string): void;
  /** Next line of stdin without its newline, null at its end (inside loops: shared by `read`). */
  readLine?: () => Promise<string | null>;
}

/** The process environment a command runs in. */
export interface ProcessContext {
  machine: Machine;
  /** 0 (root) or 1000 (ec2-user). */
  uid: number;
  cwd: string;
  /** Shell variables: HOME, USER, PATH, `?`, and assignments. */
  vars: Record<string, string>;
  /** Aborts the foreground job: session dropped, client signal, channel closed. */
  signal: AbortSignal;
  /** Aborts everything on the host (power cycle, terminate): for detached jobs. */
  lifetime: AbortSignal;
}

/** One command invocation. */
export interface Invocation {
  /** argv[0] as typed (e.g. `/usr/sbin/modprobe`). */
  name: string;
  /** argv[1..]. */
  args: string[];
  /** `NAME=value` assignments given before the command (e.g. `ENA_PHC_INCLUDE=1 make`). */
  env: Record<string, string>;
  ctx: ProcessContext;
  io: ShellIO;
  /** Runs an argv as a command (sudo, nohup, setsid, systemd-run use it). */
  exec(
    argv: string[],
    ctx: ProcessContext,
    io: ShellIO,
    env?: Record<string, string>,
  ): Promise<number>;
  /** Runs a script through the shell (`sh -c`). */
  script(text: string, ctx: ProcessContext, io: ShellIO): Promise<number>;
}

/** A simulated command: resolves to its exit status. Throws the signal's reason when aborted. */
export type CommandFn = (inv: Invocation) => Promise<number>;

/** Thrown by the `exit` builtin; ends the current shell with `code`. */
export class ShellExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
    this.name = "ShellExit";
  }
}
